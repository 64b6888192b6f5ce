// vitest globalSetup (runs in Node): checks requests against Resend's contract for the workerd tests.
// The spec's validator (bench/resend-contract.mjs, ajv) compiles schemas to code, which workerd does
// not allow, so the tests' fetch spies post each request they capture here (`inject("resendContract")`)
// and get back the rules it broke.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { requestViolations } from "../../bench/resend-contract.mjs";

export default async function ({ provide }) {
  const server = createServer((request, response) => {
    // POST /echo/...: the SHA-256 and length of the body as it arrived, with its Content-Length
    // (test/mail/batch-body.test.ts: a streamed batch body over a real connection).
    if (request.url.startsWith("/echo/")) {
      const hash = createHash("sha256");
      let bytes = 0;
      request.on("data", (chunk) => (hash.update(chunk), (bytes += chunk.length)));
      request.on("end", () => {
        const contentLength = request.headers["content-length"] ?? null;
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ sha256: hash.digest("hex"), bytes, contentLength }));
      });
      return;
    }
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      let violations;
      try {
        violations = requestViolations(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        violations = [`the contract check could not read the request: ${String(error)}`];
      }
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ violations }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  provide("resendContract", `http://127.0.0.1:${server.address().port}`);
  return () => new Promise((resolve) => server.close(resolve));
}
