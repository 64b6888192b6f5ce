// A fake Resend on loopback, for the fault tests and the benchmark. It speaks the parts of the API
// Tidings uses (POST /emails, POST /emails/batch), with bearer auth, Idempotency-Key semantics,
// strict and permissive batch validation, a request-size limit (413), one team rate limit shared by
// both endpoints (429 + retry-after), latency, outages and injected faults. It records every
// delivery so a run can count emails, calls, bytes, duplicates and missing readers.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import {
  createTeamLimit,
  DEFAULT_MAX_BODY_BYTES,
  outageStatus,
  readEmails,
  resolveFaults,
} from "./fake-resend-rules.mjs";

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * @typedef {{ error500?: number, error429?: number, drop?: number, slow?: number, slowMs?: number,
 *   latencyMs?: number, poison?: string[], outageUntil?: number, outageForMs?: number,
 *   outageStatus?: 500 | 503, limitRate?: number, limitUntil?: number, limitForMs?: number,
 *   maxBodyBytes?: number }} Faults
 *   error500..drop: shares in [0, 1] of requests; slowMs, latencyMs: fixed delays; poison: addresses
 *   whose batch always answers 500. outageUntil (epoch ms) or outageForMs (from when the faults are
 *   set): every call answers outageStatus (503 unless set) until then. limitRate: the provider allows
 *   this many calls a second instead of ratePerSecond, until limitUntil / for limitForMs (for good
 *   without either). maxBodyBytes: overrides the option of that name while the faults hold.
 * @param {{ apiKey?: string, ratePerSecond?: number, faults?: Faults, seed?: number,
 *   keepBodies?: boolean, maxBodyBytes?: number }} options
 *   keepBodies: keep each email's content (tests that read it); off, a 100,000-reader run would hold
 *   gigabytes of HTML in this process and slow the very send it measures. maxBodyBytes: a larger
 *   request body answers 413 (default 40 MB).
 *   Addresses: one that is malformed or whose local part starts with `invalid` is refused: a batch
 *   with one answers 422 in strict validation (the default, nothing delivered), or delivers the rest
 *   and lists `errors: [{ index, message }]` with `x-batch-validation: permissive`.
 */
export async function startFakeResend(options = {}) {
  const apiKey = options.apiKey ?? "re_fake_key";
  const rate = options.ratePerSecond ?? 2;
  let faults = resolveFaults(options.faults);
  const maxBodyBytes = () => faults.maxBodyBytes ?? options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // A seeded generator, so a run's faults can be replayed.
  let state = (options.seed ?? 42) >>> 0;
  const random = () =>
    (state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x6d2b79f5) >>> 0) / 4294967296;

  const teamLimit = createTeamLimit(rate);
  const idempotency = new Map();
  const deliveries = [];
  const counts = {
    requests: 0,
    accepted: 0,
    replayed: 0,
    rateLimited: 0,
    injected500: 0,
    injected429: 0,
    dropped: 0,
    conflicts: 0,
    unauthorized: 0,
    invalid: 0,
    rejectedEmails: 0,
    tooLarge: 0,
    outage: 0,
  };
  const startedAt = performance.now();

  const json = (res, status, body, headers = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  const error = (res, status, name, message, headers) =>
    json(res, status, { statusCode: status, name, message }, headers);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function deliver(emails, key) {
    const ids = [];
    const at = (performance.now() - startedAt) / 1000;
    for (const email of emails) {
      const id = `fake_${deliveries.length + 1}`;
      for (const to of [email.to].flat()) {
        const bytes = (email.html?.length ?? 0) + (email.text?.length ?? 0);
        deliveries.push(
          options.keepBodies ? { to, key, bytes, at, email } : { to, key, bytes, at },
        );
      }
      ids.push(id);
    }
    return ids;
  }

  async function handle(req, res, raw, bytes) {
    counts.requests++;
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      counts.unauthorized++;
      return error(res, 401, "missing_api_key", "Missing or invalid API key.");
    }
    if (!req.headers["user-agent"])
      return error(res, 403, "missing_user_agent", "A User-Agent header is required.");
    const batch = req.url === "/emails/batch";
    if (req.method !== "POST" || (req.url !== "/emails" && !batch))
      return error(res, 404, "not_found", "Not found.");
    if (bytes > maxBodyBytes()) {
      counts.tooLarge++;
      return error(res, 413, "request_too_large", "The request body is too large.");
    }
    const down = outageStatus(faults);
    if (down) {
      counts.outage++;
      return error(
        res,
        down,
        down === 503 ? "service_unavailable" : "internal_server_error",
        "Outage.",
      );
    }

    const wait =
      (faults.latencyMs ?? 0) + (random() < (faults.slow ?? 0) ? (faults.slowMs ?? 1000) : 0);
    if (wait > 0) await sleep(wait);

    const roll = random();
    if (roll < (faults.drop ?? 0) / 2) {
      counts.dropped++;
      return req.socket.destroy();
    }
    const retryIn = teamLimit.take(faults);
    if (retryIn > 0 || random() < (faults.error429 ?? 0)) {
      if (retryIn > 0) counts.rateLimited++;
      else counts.injected429++;
      const seconds = Math.max(1, Math.ceil(retryIn));
      return error(res, 429, "rate_limit_exceeded", "Too many requests.", {
        "retry-after": String(seconds),
        "ratelimit-limit": String(teamLimit.rateNow(faults)),
        "ratelimit-remaining": "0",
        "ratelimit-reset": String(seconds),
      });
    }

    const permissive = batch && req.headers["x-batch-validation"] === "permissive";
    const read = readEmails(raw, { batch, permissive });
    if (read.invalid) {
      counts.invalid++;
      return error(res, 422, "validation_error", read.invalid);
    }
    const { emails, errors } = read;
    const refused = new Set(errors.map((entry) => entry.index));
    const poisoned = emails.some((email) =>
      [email.to].flat().some((to) => (faults.poison ?? []).includes(to)),
    );
    if (poisoned || random() < (faults.error500 ?? 0)) {
      counts.injected500++;
      return error(res, 500, "internal_server_error", "Injected failure.");
    }

    const key = req.headers["idempotency-key"];
    const bodyHash = createHash("sha256").update(raw).digest("hex");
    if (key) {
      const earlier = idempotency.get(key);
      if (earlier && Date.now() - earlier.at < IDEMPOTENCY_TTL_MS) {
        if (earlier.pending)
          return error(res, 409, "concurrent_idempotent_requests", "Same key in flight.");
        if (earlier.bodyHash !== bodyHash) {
          counts.conflicts++;
          return error(
            res,
            409,
            "invalid_idempotent_request",
            "Same idempotency key, different body.",
          );
        }
        counts.replayed++;
        return json(res, 200, earlier.response);
      }
      idempotency.set(key, { pending: true, at: Date.now(), bodyHash });
    }
    const ids = deliver(
      emails.filter((_, index) => !refused.has(index)),
      key ?? null,
    );
    counts.rejectedEmails += errors.length;
    const response = batch
      ? { data: ids.map((id) => ({ id })), ...(permissive ? { errors } : {}) }
      : { id: ids[0] };
    if (key) idempotency.set(key, { pending: false, at: Date.now(), bodyHash, response });
    counts.accepted++;
    // The other half of the drops: delivered, but the answer never arrives.
    if (roll < (faults.drop ?? 0)) {
      counts.dropped++;
      return req.socket.destroy();
    }
    return json(res, 200, response);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    let bytes = 0;
    req.on("data", (chunk) => {
      bytes += chunk.length;
      // Past the limit the body only needs counting, not keeping.
      if (bytes <= maxBodyBytes()) chunks.push(chunk);
    });
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8"), bytes).catch((err) =>
        error(res, 500, "fake_error", String(err)),
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    counts,
    deliveries,
    /** Replaces the faults; `outageForMs` and `limitForMs` count from now. */
    setFaults(next) {
      faults = resolveFaults(next);
    },
    /** Forgets deliveries and counts (not idempotency keys), for the next scenario on the same fake. */
    reset() {
      deliveries.length = 0;
      for (const key of Object.keys(counts)) counts[key] = 0;
    },
    /** Deliveries per recipient; duplicates are readers with more than one. */
    perReader() {
      const map = new Map();
      for (const delivery of deliveries) map.set(delivery.to, (map.get(delivery.to) ?? 0) + 1);
      return map;
    },
    /** Emails delivered in each whole second since the fake started. */
    perSecond() {
      const seconds = [];
      for (const delivery of deliveries) {
        const second = Math.floor(delivery.at);
        seconds[second] = (seconds[second] ?? 0) + 1;
      }
      return Array.from(seconds, (n) => n ?? 0);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}
