// The fake Resend's HTTP plumbing: a loopback server that reads each request's body (counting, not
// keeping, what passes the size limit) and hands it, as bytes, to the fake's handler.
import { createServer } from "node:http";
import { errorBody } from "./fake-resend-answers.mjs";

// Request bodies are gathered into one reused buffer: a fresh 16 MB buffer a call (a batch at the field
// maxima) cost more in page faults than its copy, at 50 calls a second. The handler must therefore
// read the body before its first wait (the fake judges a request at once, and keeps only what it
// parsed); a body bigger than the scratch grows it.
let scratch = Buffer.alloc(0);

function gathered(chunks, length) {
  if (scratch.length < length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2));
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(scratch, at);
  return scratch.subarray(0, at);
}

/**
 * Listens on a free loopback port; answers `{ url, close, handlerSeconds }`. `handle(req, res, body,
 * bytes)` reads `body` before it first waits (it is reused for the next request). `handlerSeconds()`: the
 * time this thread spent in the handler up to its first wait (reading, checking and recording a
 * request; the latency is a wait), a lower bound of the fake's CPU (HTTP parsing and the kernel's
 * loopback copies are not in it).
 */
export async function serveOnLoopback(handle, maxBodyBytes) {
  let handlerMs = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    let bytes = 0;
    req.on("data", (chunk) => {
      bytes += chunk.length;
      // Past the limit the body only needs counting, not keeping.
      if (bytes <= maxBodyBytes()) chunks.push(chunk);
    });
    req.on("end", () => {
      const started = performance.now();
      const body = gathered(chunks, Math.min(bytes, maxBodyBytes()));
      chunks.length = 0;
      handle(req, res, body, bytes).catch((err) => {
        if (res.headersSent) return;
        res.writeHead(500).end(JSON.stringify(errorBody(500, "application_error", String(err))));
      });
      handlerMs += performance.now() - started;
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    handlerSeconds: () => handlerMs / 1000,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}
