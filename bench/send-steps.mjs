// `node bench/send-steps.mjs [readers] [--maxima]`: the workerd CPU of each step of the send, per
// reader, measured one step at a time (bench/send-steps-entry.ts in workerd through Miniflare; the
// CPU is workerd's, read from /proc around each request). Steps, each run for every chunk of 100:
//   sign         the reader's unsubscribe token (AES-GCM and an HMAC)
//   personalise  the chunk's emails (sign included): the shared render's pieces around each token
//   sdk-json     personalise, then what the resend SDK did: JSON.stringify of the whole batch, and
//                fetch's UTF-8 encoding of that string
//   body         personalise, then the batch body from pieces (batch-body.ts), in 64 KB slices
//   post-sdk     personalise, then the SDK's batch.send to a local sink (the request as it went)
//   post         personalise, then the direct call (resend-batch.ts) to the sink, body streamed
// First it checks that the bodies the sink receives are byte for byte JSON.stringify's.
// and the render of the digest itself, per render. The sink (Node, loopback) reads each body and
// answers at once; its CPU is not counted.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { workerdUsage } from "./harness.mjs";

const readers = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000);
const maxima = process.argv.includes("--maxima");
const RUNS = 3;
const STEPS = ["sign", "personalise", "sdk-json", "body", "post-sdk", "post"];

async function build() {
  const { build } = await import("esbuild");
  const outfile = ".bench-build/send-steps.js";
  await build({
    entryPoints: ["bench/send-steps-entry.ts"],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["node:*", "cloudflare:*", "@react-email/render"],
    outfile,
    logLevel: "error",
  });
  return outfile;
}

// The sink answers with the SHA-256 of the body it received, so the `verify` step can check it.
const sink = createServer((req, res) => {
  const hash = createHash("sha256");
  req.on("data", (chunk) => hash.update(chunk));
  req.on("end", () => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ data: [{ id: hash.digest("hex") }] }));
  });
});
await new Promise((resolve) => sink.listen(0, "127.0.0.1", resolve));
const path = await build();
const mf = new Miniflare({
  modules: [{ type: "ESModule", path, contents: readFileSync(path, "utf8") }],
  compatibilityDate: "2026-04-20",
  compatibilityFlags: ["nodejs_compat"],
  bindings: { SINK_URL: `http://127.0.0.1:${sink.address().port}` },
  cf: false,
});
await mf.ready;

const call = async (query) => {
  const response = await mf.dispatchFetch(
    `http://steps.bench/?${query}${maxima ? "&maxima=1" : ""}`,
  );
  const body = await response.text();
  if (!response.ok) throw new Error(body);
  return JSON.parse(body);
};
/** workerd CPU (µs) for one request. */
async function cpuOf(query) {
  const before = workerdUsage().cpuSeconds;
  const answer = await call(query);
  return { micros: (workerdUsage().cpuSeconds - before) * 1e6, answer };
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Warm-up: the first render, compiled code paths, the sink's connections; and the check that the
// streamed bodies arrive byte for byte as JSON.stringify would write them.
for (const step of STEPS) await call(`step=${step}&readers=600`);
const verified = await call("step=verify&readers=3000");
console.log(
  `verified: ${verified.bytes} bytes in 30 batches arrived as JSON.stringify writes them`,
);
const renderRuns = [];
for (let run = 0; run < RUNS; run++)
  renderRuns.push((await cpuOf("step=render&times=20")).micros / 20);
console.log(
  `${readers} readers, ${maxima ? "field maxima" : "30 stories"}; workerd CPU per reader (median of ${RUNS}):`,
);
console.log(
  `  render (once per digest or selection): ${(median(renderRuns) / 1000).toFixed(2)} ms`,
);
const results = {};
for (const step of STEPS) {
  const runs = [];
  let answer;
  for (let run = 0; run < RUNS; run++) {
    const measured = await cpuOf(`step=${step}&readers=${readers}`);
    runs.push(measured.micros / readers);
    answer = measured.answer;
  }
  results[step] = median(runs);
  const size = answer.bytes ? `, ${Math.round(answer.bytes / readers)} B an email` : "";
  console.log(`  ${step.padEnd(12)} ${results[step].toFixed(1)} µs${size}`);
}
console.log(
  `  so: the token ${results.sign.toFixed(1)} µs; the emails beyond it ${(results.personalise - results.sign).toFixed(1)} µs; ` +
    `the SDK's JSON ${(results["sdk-json"] - results.personalise).toFixed(1)} µs against the body from pieces ${(results.body - results.personalise).toFixed(1)} µs; ` +
    `a whole call ${results["post-sdk"].toFixed(1)} µs through the SDK against ${results.post.toFixed(1)} µs direct`,
);
await mf.dispose();
sink.close();
