// `npm run bench`: the send at scale. Runs the real Worker in workerd (Miniflare API) against the fake
// Resend, seeds N confirmed readers and M articles straight into local KV, fires the cron, waits for
// the queue to drain, and appends one row per run to BENCHMARKS.md with an SVG chart of the run.
//
//   npm run bench -- --readers 10000 --articles 30 --rate 20 --runs 3 --faults none [--pages-per-step N]
//     [--latency-ms N] [--latency-ms-per-mb N]: every answer of the fake Resend takes N ms, plus N ms
//     per MB of request body (by default 300 ms + 150 ms per MB: 0.83 s for 100 emails of 35 KB)
//     [--consumers N]: send-consumer invocations at once (default: wrangler.toml's max_concurrency)
//     [--maxima]: articles with every title and summary at its field's maximum (160 KB emails)
//   --seed-only: make the seeded template for --readers and --articles, time it, and stop.
//   presets for --faults: none, errors (5% 500s), limits (5% 429s), drops (2% dropped connections),
//   slow (20% answers 1 s late), crash (the consumer dies after sending, 10% of batches),
//   twice (the cron fires twice), leave (1% of readers unsubscribe mid-send), all (every one at once);
//   and Resend's answers (bench/provider-presets.mjs): quota, field-errors, in-progress, suppressed;
//   every: all of the above at once
//
//   npm run bench -- --day --readers 100000 --selections 50 --zones 24 --rate 100 [--no-record]
//   a whole simulated day of personal delivery (bench/day.mjs): 96 quarter-hour runs back to back.
//   [--pairs N]: N alternated pairs of such a day and the edition's send, their median CPU ratio.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readerEmails, sendConsumer, startHarness, workerdUsage } from "./harness.mjs";
import { DEFAULT_LATENCY_MS, DEFAULT_LATENCY_MS_PER_MB } from "./fake-resend.mjs";
import { recordRuns, runLine } from "./send-rows.mjs";
import { copyTemplate, seededTemplate } from "./seed-template.mjs";
import { dayMain } from "./day.mjs";
import { pairsMain } from "./day-pairs.mjs";
import {
  answersResend,
  atNextQuotaDay,
  PROVIDER_PRESETS,
  providerOutcome,
  quotaOptions,
} from "./provider-presets.mjs";

export const PRESETS = {
  none: {},
  errors: { faults: { error500: 0.05 } },
  limits: { faults: { error429: 0.05 } },
  drops: { faults: { drop: 0.02 } },
  slow: { faults: { slow: 0.2, slowMs: 1000 } },
  crash: { crashRate: 0.1 },
  twice: { cronTwice: true },
  leave: { leaveShare: 0.01 },
  all: {
    faults: { error500: 0.05, error429: 0.05, drop: 0.02, slow: 0.05, slowMs: 500 },
    crashRate: 0.1,
    cronTwice: true,
    leaveShare: 0.01,
  },
  ...PROVIDER_PRESETS,
};
// Every fault and every answer of Resend's at once.
PRESETS.every = {
  ...PRESETS.all,
  ...PROVIDER_PRESETS.quota,
  faults: {
    ...PRESETS.all.faults,
    ...PROVIDER_PRESETS["field-errors"].faults,
    ...PROVIDER_PRESETS["in-progress"].faults,
    ...PROVIDER_PRESETS.suppressed.faults,
  },
};

/** One run: from the seeded template, fire the cron, wait for the drain, measure. */
export async function benchRun({
  readers,
  articles,
  rate,
  preset = "none",
  seed = 1,
  onProgress = () => {},
  pagesPerStep,
  pollMs,
  latencyMs = DEFAULT_LATENCY_MS,
  latencyMsPerMB = DEFAULT_LATENCY_MS_PER_MB,
  consumers,
  maxima = false,
  watchHeap = false,
}) {
  const setup = PRESETS[preset];
  if (!setup)
    throw new Error(`unknown preset ${preset}; one of ${Object.keys(PRESETS).join(", ")}`);
  const template = await seededTemplate(readers, articles, maxima);
  // Beside the template, not in /tmp: hard links need the same file system.
  mkdirSync(join("bench-results", "runs"), { recursive: true });
  const runDir = mkdtempSync(join("bench-results", "runs", "run-"));
  copyTemplate(template, runDir);
  const concurrency = consumers ?? sendConsumer().max_concurrency ?? 1;
  const quota = quotaOptions(setup, readers, rate, latencyMs, concurrency);
  const harness = await startHarness({
    rate,
    faults: setup.faults,
    seed,
    // Keys in progress are retried with attempts, as real queue retries are.
    maxRetries: setup.faults?.inProgress ? 20 : 8,
    kvDir: join(runDir, "kv"),
    pagesPerStep,
    latencyMs,
    latencyMsPerMB,
    consumers: concurrency,
    // Only in the memory run: the watcher's forced collections would be counted as the send's CPU.
    watchHeap,
    fakeThread: true,
    ...quota,
  });
  try {
    const emails = readerEmails(readers);
    if (setup.crashRate) await harness.settings({ crashRate: setup.crashRate });
    await harness.kvOps(true);
    await harness.limits(true);
    const leaving = setup.leaveShare
      ? emails.filter((_, i) => i % Math.round(1 / setup.leaveShare) === 7)
      : [];

    await atNextQuotaDay(quota.quotaDayMs);
    harness.heap?.reset();
    await harness.fake.refresh();
    const before = workerdUsage();
    const nodeBefore = process.cpuUsage();
    const fakeBefore = harness.fake.handlerSeconds();
    const fakeLoopBefore = harness.fake.loop?.();
    const loopBefore = performance.eventLoopUtilization();
    const scheduledTime = Date.now();
    const id = new Date(scheduledTime).toISOString().slice(0, 10);
    const started = performance.now();
    const cron = harness.cron(scheduledTime);
    if (setup.cronTwice) await Promise.all([cron, harness.cron(scheduledTime)]);
    else await cron;
    if (leaving.length > 0) await harness.unsubscribe(leaving);
    const status = await harness.drained(id, {
      onProgress: (s) => s && onProgress(s.sent + s.failed + s.skipped, readers),
      // The status read is the bench's, not the send's: polled at 1/400 of the floor (25 ms at
      // 10 s, 250 ms at 100 s), so a million-reader run does not spend its CPU answering polls.
      pollMs: pollMs ?? Math.max(25, Math.round((readers / 100 / rate) * 2.5)),
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const after = workerdUsage();
    const node = process.cpuUsage(nodeBefore);
    await harness.fake.refresh();
    const fakeSeconds = harness.fake.handlerSeconds() - fakeBefore;
    const fakeLoop = harness.fake.loop?.();
    const fakeThreadBusy = fakeLoop
      ? performance.eventLoopUtilization(fakeLoop, fakeLoopBefore).utilization
      : undefined;
    const mainThreadBusy = performance.eventLoopUtilization(loopBefore).utilization;
    const heap = harness.heap?.peak() ?? {
      bytes: 0,
      inUse: 0,
      heapUsed: 0,
      backing: 0,
      committed: 0,
      samples: 0,
      liveSamples: 0,
      collectionCpuSeconds: 0,
    };
    const ops = await harness.kvOps();
    const limits = await harness.limits();

    const left = new Set(leaving);
    const provider = answersResend(setup) ? await providerOutcome(harness, id, emails, left) : null;
    const perReader = harness.fake.perReader();
    const duplicates = [...perReader.values()].filter((n) => n > 1).length;
    const missing =
      provider?.missing ??
      emails.filter((email) => !left.has(email) && !perReader.has(email)).length;
    const mailedAfterLeaving = leaving.filter((email) => perReader.has(email)).length;
    const floorSeconds = readers / 100 / rate;
    return {
      date: new Date().toISOString().slice(0, 10),
      cores: cpus().length,
      readers,
      articles,
      rate,
      preset,
      wallSeconds,
      floorSeconds,
      ratio: wallSeconds / floorSeconds,
      callsPer1000: (harness.fake.counts.requests / readers) * 1000,
      acceptedCallsPer1000: (harness.fake.counts.accepted / readers) * 1000,
      kvOpsPer1000: (ops.total / readers) * 1000,
      // Invocations of the Worker and its objects (the harness's polls included).
      invocations: limits.invocations,
      // The most any one invocation used, and every limit crossed (test/platform/platform-limits.ts).
      mostKvOps: limits.mostKvOps,
      mostSubrequests: limits.mostSubrequests,
      mostConnections: limits.mostConnections,
      violationCount: limits.violationCount,
      violations: limits.violations,
      cpuMicrosPerReader: ((after.cpuSeconds - before.cpuSeconds) / readers) * 1e6,
      // Where the cores' time went: workerd, and this process (the fake and the bench), of which
      // the fake's handlers at least `fakeSeconds`.
      coreTime: {
        workerdSeconds: after.cpuSeconds - before.cpuSeconds,
        workerdUserSeconds: after.userSeconds - before.userSeconds,
        nodeSeconds: (node.user + node.system) / 1e6,
        fakeSeconds,
        mainThreadBusy,
        fakeThreadBusy,
      },
      peakMiB: after.peakBytes / 1024 / 1024,
      duplicates,
      missing,
      mailedAfterLeaving,
      left: leaving.length,
      status: provider?.status ?? status,
      provider,
      latencyMs,
      latencyMsPerMB,
      consumers: concurrency,
      maxima,
      heapPeakMiB: heap.bytes / 1024 / 1024,
      inUsePeakMiB: heap.inUse / 1024 / 1024,
      heap,
      fake: { ...harness.fake.counts },
      crashes: ops.crashes,
      bytesPerEmail: harness.fake.totals().bytesPerEmail,
      perSecond: harness.fake.perSecond(),
      trace: harness.fake.duplicateTrace(),
    };
  } finally {
    await harness.close();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function bar(done, total) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r  [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} readers`,
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      readers: { type: "string", default: "10000" },
      articles: { type: "string", default: "30" },
      rate: { type: "string", default: "20" },
      runs: { type: "string", default: "3" },
      faults: { type: "string", default: "none" },
      "no-record": { type: "boolean", default: false },
      "pages-per-step": { type: "string" },
      // How often the drain is polled (ms, default 25): each poll's CPU is counted with the send's.
      "poll-ms": { type: "string" },
      "seed-only": { type: "boolean", default: false },
      "latency-ms": { type: "string" },
      "latency-ms-per-mb": { type: "string" },
      consumers: { type: "string" },
      maxima: { type: "boolean", default: false },
      day: { type: "boolean", default: false },
      selections: { type: "string", default: "50" },
      zones: { type: "string", default: "24" },
      // With --day: N alternated pairs of a day and the edition row's send (bench/day-pairs.mjs).
      pairs: { type: "string" },
    },
  });
  if (values.day && values.pairs) return pairsMain(values);
  if (values.day) return dayMain(values);
  const number = (name) => (values[name] === undefined ? undefined : Number(values[name]));
  const options = {
    readers: Number(values.readers),
    articles: Number(values.articles),
    rate: Number(values.rate),
    preset: values.faults,
    pagesPerStep: number("pages-per-step"),
    pollMs: number("poll-ms"),
    latencyMs: number("latency-ms"),
    latencyMsPerMB: number("latency-ms-per-mb"),
    consumers: number("consumers"),
    maxima: values.maxima,
  };
  if (values["seed-only"]) {
    const started = performance.now();
    await seededTemplate(options.readers, options.articles, options.maxima);
    console.log(`template ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  const runs = Number(values.runs);
  console.log(
    `Tidings send benchmark: ${options.readers} readers, ${options.articles} articles${options.maxima ? " at the field maxima" : ""}, ${options.rate} provider calls/s, faults: ${options.preset}, ${runs} run(s)`,
  );
  const results = [];
  const run = async (label, seed, watchHeap) => {
    console.log(label);
    const result = await benchRun({ ...options, seed, onProgress: bar, watchHeap });
    process.stderr.write("\n");
    console.log(runLine(result));
    // BENCH_TRACE_DUPLICATES=1: each duplicated reader's deliveries (key, chunk, second).
    if (result.trace.length > 0) console.log(JSON.stringify(result.trace, null, 1));
    return result;
  };
  // The measured runs, without the heap watcher: its forced collections (60-90 ms of CPU each, every
  // 2 s) and what they leave behind would count as the send's CPU, more the longer a run lasts.
  for (let i = 0; i < runs; i++) results.push(await run(`run ${i + 1}/${runs}`, i + 1, false));
  // Then one run of its own for the isolate's memory (BENCH_NO_HEAP_WATCH=1: none).
  const memory = process.env.BENCH_NO_HEAP_WATCH
    ? null
    : await run("memory run (the heap watcher on; its wall and CPU are not the row's)", 1, true);
  recordRuns(results, { ...options, runs }, !values["no-record"], memory);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
