// fetch() under the platform limits: each call is a subrequest of the current invocation and holds one
// of its connections until the response arrives. Loaded by platform-limits.ts, before the Worker.
import { limitedCall } from "./platform-limits";

// fetch() is a subrequest and holds a connection until its response arrives. Wrapped once per
// isolate, when this module loads: import it before the Worker so no module captures the original.
const FETCH_KEY = Symbol.for("tidings.platform-limits.fetch");
if (!(globalThis as Record<symbol, unknown>)[FETCH_KEY]) {
  const original = globalThis.fetch;
  const limitedFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    let host = "fetch";
    try {
      host = new URL(url).host;
    } catch {
      // A relative or malformed URL: fetch itself will say so.
    }
    return limitedCall({ kind: "fetch", target: host, method: "fetch", args: [url] }, () =>
      original(input, init),
    );
  };
  globalThis.fetch = limitedFetch;
  (globalThis as Record<symbol, unknown>)[FETCH_KEY] = original;
}
