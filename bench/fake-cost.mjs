// What the fake Resend itself costs per email, for the bench that runs it at 10,000 emails a second
// (issue 19): `node bench/fake-cost.mjs [batches] [email KB]` posts batches of 100 emails of about
// that size, 12 at a time, and prints the fake's CPU per email (this process's CPU, less the client's
// share measured with the fake idle) and its memory after.
import { cpuUsage, memoryUsage } from "node:process";
import { startFakeResend } from "./fake-resend.mjs";

const batches = Number(process.argv[2] ?? 200);
const kb = Number(process.argv[3] ?? 35);
const fake = await startFakeResend({ ratePerSecond: 1_000_000 });
const html = `<p>${"x".repeat(kb * 1024 - 300)}</p>`;
const body = (n) =>
  JSON.stringify(
    Array.from({ length: 100 }, (_, i) => ({
      from: "Tidings <digest@tidings.example>",
      to: [`reader-${n}-${i}@bench.example`],
      subject: "Tidings for today",
      html,
      text: "text",
      headers: { "List-Unsubscribe": "<https://tidings.bench/u?t=x>" },
      tags: [
        { name: "digest", value: "2026-12-06" },
        { name: "chunk", value: String(n) },
      ],
    })),
  );
const headers = {
  Authorization: `Bearer ${fake.apiKey}`,
  "User-Agent": "fake-cost",
  "Content-Type": "application/json",
  "x-batch-validation": "permissive",
};
const bodies = Array.from({ length: 12 }, (_, i) => body(i));

async function post(target, n) {
  await (
    await fetch(target, {
      method: "POST",
      headers: { ...headers, "Idempotency-Key": `k${n}` },
      body: bodies[n % 12],
    })
  ).text();
}

/** CPU (µs) this process spends posting `count` batches to `target`, 12 at a time. */
async function cpuFor(target, count, offset) {
  const before = cpuUsage();
  const started = performance.now();
  for (let n = 0; n < count; n += 12)
    await Promise.all(
      Array.from({ length: Math.min(12, count - n) }, (_, i) => post(target, offset + n + i)),
    );
  const used = cpuUsage(before);
  return { micros: used.user + used.system, seconds: (performance.now() - started) / 1000 };
}

// The client's own share: the same posts to a server that reads the body and answers at once.
const { createServer } = await import("node:http");
const sink = createServer((req, res) => req.resume().on("end", () => res.end("{}")));
await new Promise((resolve) => sink.listen(0, "127.0.0.1", resolve));
const client = await cpuFor(`http://127.0.0.1:${sink.address().port}/emails/batch`, batches, 0);
const total = await cpuFor(`${fake.url}/emails/batch`, batches, batches);
const emails = batches * 100;
const perEmail = (total.micros - client.micros) / emails;
console.log(
  `${emails} emails of ${kb} KB in ${batches} batches: the fake spent ${perEmail.toFixed(1)} µs of CPU per email ` +
    `(${((perEmail * 10_000) / 1e6).toFixed(2)} of a core at 10,000 emails a second); ` +
    `${fake.perReader().size} recipients counted, ${fake.counts.violations} contract breaches, ` +
    `heap ${(memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`,
);
sink.close();
await fake.close();
