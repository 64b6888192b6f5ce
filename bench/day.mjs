// `npm run bench -- --day`: a whole simulated day of personal delivery in accelerated time. Seeds N
// readers spread over K topic selections and Z time zones (daily at 07:00 local) straight into the
// due index, articles of every topic around the day, then fires the 96 quarter-hour cron runs of one
// UTC day back to back, draining each run's send before the next. Reports provider calls per 1,000
// readers, KV operations in empty and busy runs, workerd CPU per reader, the isolate's peak memory
// (bench/heap-watch.mjs), duplicates and missing. The fake answers with the latency of `npm run
// bench` (--latency-ms, --latency-ms-per-mb) to wrangler.toml's concurrent consumers (--consumers).
import { cpus } from "node:os";
import { addTableRows } from "./benchmarks-table.mjs";
import { DEFAULT_LATENCY_MS, DEFAULT_LATENCY_MS_PER_MB } from "./fake-resend.mjs";
import { sendConsumer, startHarness, workerdUsage } from "./harness.mjs";
import { latencyWords } from "./send-rows.mjs";

const TOPICS = ["ai", "security", "languages", "cloud", "hardware", "web", "open-source"];
// 26 zones from -11 to +14, with the half- and quarter-hour ones; the first Z are used.
export const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "America/Los_Angeles",
  "Asia/Tokyo",
  "Asia/Kathmandu",
  "Pacific/Kiritimati",
  "Australia/Sydney",
  "America/Sao_Paulo",
  "Europe/Athens",
  "Asia/Shanghai",
  "America/Chicago",
  "Asia/Dubai",
  "Pacific/Auckland",
  "America/Denver",
  "Europe/Moscow",
  "Asia/Bangkok",
  "Pacific/Honolulu",
  "Atlantic/Azores",
  "Asia/Karachi",
  "America/Anchorage",
  "Asia/Dhaka",
  "America/Halifax",
  "Pacific/Pago_Pago",
  "Atlantic/South_Georgia",
];
const QUARTER = 15 * 60 * 1000;
// How often a busy slot's status is polled (BENCH_DAY_POLL_MS): each poll is workerd CPU too.
const POLL_MS = Number(process.env.BENCH_DAY_POLL_MS ?? 250);
const DAY = 24 * 60 * 60 * 1000;

/** K distinct topic selections: every topic first, then subsets in a fixed order. */
export function selections(k) {
  const subsets = [];
  for (let mask = 1; mask < 2 ** TOPICS.length - 1; mask++)
    subsets.push(TOPICS.filter((_, i) => mask & (1 << i)));
  // A spread of sizes rather than the first masks (which are mostly one or two topics).
  subsets.sort(
    (a, b) => ((a.length * 31 + a.join().length) % 17) - ((b.length * 31 + b.join().length) % 17),
  );
  return [null, ...subsets].slice(0, k);
}

const email = (i) => `reader-${String(i).padStart(7, "0")}@bench.example`;

/**
 * N readers (reader-0000000@bench.example, ...) straight into the due index, daily at 07:00 local,
 * over the `chosen` topic selections and `zones` in turn, 2,000 a call.
 */
export async function seedDueReaders(harness, { readers, chosen, zones, nowMs }) {
  const batch = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const response = await harness.mf.dispatchFetch("https://tidings.bench/__bench/seed-due", {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-bench-observer": "1" },
      body: JSON.stringify({ readers: batch.splice(0), nowMs }),
    });
    await response.text();
  };
  for (let i = 0; i < readers; i++) {
    batch.push({
      email: email(i),
      preferences: {
        topics: chosen[Math.floor(i / zones.length) % chosen.length],
        cadence: "daily",
        weekday: null,
        deliveryHour: 7,
        timeZone: zones[i % zones.length],
      },
    });
    if (batch.length === 2000) await flush();
  }
  await flush();
}

export async function benchDay({
  readers,
  selections: k,
  zones: z,
  rate,
  articles = 192,
  onRun,
  latencyMs,
  latencyMsPerMB,
  consumers = sendConsumer().max_concurrency ?? 1,
  watchHeap = false,
}) {
  const day = Date.parse("2031-01-15T00:00:00Z");
  const harness = await startHarness({
    rate,
    maxRetries: 8,
    seed: 1,
    delivery: "personal",
    latencyMs,
    latencyMsPerMB,
    consumers,
    // Only in the memory day: the watcher's forced collections would count as the send's CPU.
    watchHeap,
    fakeThread: true,
  });
  try {
    const chosen = selections(k);
    const zones = ZONES.slice(0, z);
    await seedDueReaders(harness, { readers, chosen, zones, nowMs: day - 1 });
    // Articles evenly from a day before to the end of the day (192: one every 15 minutes), topics
    // in turn: every reader's 24 hours hold stories of each of their topics.
    const spacingMs = (2 * DAY) / articles;
    for (let i = 0; i < articles; i += 48) {
      const count = Math.min(48, articles - i);
      const at = day - DAY + (i + count) * spacingMs;
      await harness.mf.dispatchFetch("https://tidings.bench/__bench/seed-articles", {
        method: "POST",
        headers: { "Content-Type": "application/json", "x-bench-observer": "1" },
        body: JSON.stringify({ count, at, first: i, topics: TOPICS, spacingMs }),
      });
    }

    const slotStatus = async (id) => {
      const response = await harness.mf.dispatchFetch(
        `https://tidings.bench/__bench/slot-status?id=${id}&adopted`,
        { headers: { "x-bench-observer": "1" } },
      );
      return (await response.json()).status;
    };
    const runs = [];
    harness.heap?.reset();
    const before = workerdUsage();
    const started = performance.now();
    // Per run: the difference of the running total (the send's invocations only, not these polls).
    await harness.kvOps(true);
    let kvBefore = (await harness.kvOps()).total;
    for (let t = day; t < day + DAY; t += QUARTER) {
      // Per run: workerd's CPU and the wall (the bench's own polls included), on the run's line.
      const cpuBefore = workerdUsage().cpuSeconds;
      const wallBefore = performance.now();
      await harness.cron(t, "*/15 * * * *");
      const cronCpu = workerdUsage().cpuSeconds;
      const id = new Date(t).toISOString().slice(0, 16).replace(":", "");
      let status = await slotStatus(id);
      while (status && status.status !== "sent" && status.status !== "failed") {
        // Each poll is an invocation and a Durable Object call that workerd's CPU counts: a day of
        // 96 runs would otherwise measure the poller (see BENCHMARKS.md).
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        status = await slotStatus(id);
      }
      const kvAfter = (await harness.kvOps()).total;
      const run = {
        id,
        kvOps: kvAfter - kvBefore,
        sent: status?.sent ?? 0,
        skipped: status?.skipped ?? 0,
        cpuMs: Math.round((workerdUsage().cpuSeconds - cpuBefore) * 1000),
        // Of which the cron's invocation (the slot's pool compiled and adopted, its walk started).
        cronMs: Math.round((cronCpu - cpuBefore) * 1000),
        wallMs: Math.round(performance.now() - wallBefore),
      };
      kvBefore = kvAfter;
      runs.push(run);
      onRun?.(run);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const after = workerdUsage();
    const heap = harness.heap?.peak() ?? { bytes: 0, inUse: 0 };
    const limits = await harness.limits();
    await harness.fake.refresh();
    const perReader = harness.fake.perReader();
    const empty = runs.filter((r) => r.sent === 0 && r.skipped === 0);
    const busy = runs.filter((r) => r.sent > 0);
    const busiest = busy.reduce(
      (a, b) => (b.sent > a.sent ? b : a),
      busy[0] ?? { sent: 0, kvOps: 0 },
    );
    return {
      date: new Date().toISOString().slice(0, 10),
      cores: cpus().length,
      readers,
      selections: chosen.length,
      zones: zones.length,
      rate,
      wallSeconds,
      callsPer1000: (harness.fake.counts.requests / readers) * 1000,
      emptyRuns: empty.length,
      mostKvOpsEmptyRun: Math.max(0, ...empty.map((r) => r.kvOps)),
      busyRuns: busy.length,
      // workerd's CPU (10 ms ticks) summed: the empty runs', and the busy runs' crons'.
      emptyRunsCpuMs: empty.reduce((sum, r) => sum + r.cpuMs, 0),
      busyCronsCpuMs: busy.reduce((sum, r) => sum + r.cronMs, 0),
      busiest,
      mostKvOpsPer1000Busy: Math.max(0, ...busy.map((r) => (r.kvOps - 10) / (r.sent / 1000))),
      // Invocations of the Worker and its objects (the harness's polls included).
      invocations: limits.invocations,
      mostKvOpsInvocation: limits.mostKvOps,
      mostSubrequests: limits.mostSubrequests,
      violationCount: limits.violationCount,
      cpuMicrosPerReader: ((after.cpuSeconds - before.cpuSeconds) / readers) * 1e6,
      kernelMicrosPerReader:
        ((after.cpuSeconds - after.userSeconds - (before.cpuSeconds - before.userSeconds)) /
          readers) *
        1e6,
      watcherMicrosPerReader: ((heap.collectionCpuSeconds ?? 0) / readers) * 1e6,
      heapPeakMiB: heap.bytes / 1024 / 1024,
      inUsePeakMiB: heap.inUse / 1024 / 1024,
      bytesPerEmail: harness.fake.totals().bytesPerEmail,
      latencyMs: latencyMs ?? DEFAULT_LATENCY_MS,
      latencyMsPerMB: latencyMsPerMB ?? DEFAULT_LATENCY_MS_PER_MB,
      consumers,
      duplicates: [...perReader.values()].filter((n) => n > 1).length,
      missing: Array.from({ length: readers }, (_, i) => email(i)).filter((e) => !perReader.has(e))
        .length,
      skipped: runs.reduce((s, r) => s + r.skipped, 0),
      fake: { ...harness.fake.counts },
      errors: harness.runtimeErrors.slice(0, 3),
    };
  } finally {
    await harness.close();
  }
}

const DAY_HEADER = `| date | cores | readers N | selections K | zones Z | rate/s | email | latency | consumers at once | wall s | calls / 1k readers | KV ops, most in an empty run | KV ops per 1k due in a busy run (beyond 10), most | most KV ops in one invocation | most subrequests in one invocation | limits crossed | workerd CPU µs / reader (a day without the heap watcher) | isolate peak MiB: live / in use (a day of its own) | duplicates | missing | skipped |`;

/** `npm run bench -- --day ...`: one simulated day, printed and (without --no-record) recorded. */
export async function dayMain(values) {
  const options = {
    readers: Number(values.readers),
    selections: Number(values.selections),
    zones: Number(values.zones),
    rate: Number(values.rate),
    articles: values.articles === "30" ? undefined : Number(values.articles),
    latencyMs: values["latency-ms"] === undefined ? undefined : Number(values["latency-ms"]),
    latencyMsPerMB:
      values["latency-ms-per-mb"] === undefined ? undefined : Number(values["latency-ms-per-mb"]),
    ...(values.consumers ? { consumers: Number(values.consumers) } : {}),
  };
  console.log(`Tidings personal-delivery day: ${JSON.stringify(options)}`);
  const onRun = (run) =>
    run.sent > 0 &&
    process.stderr.write(
      `  ${run.id}: sent ${run.sent}, KV ops ${run.kvOps}, workerd CPU ${run.cpuMs} ms (cron ${run.cronMs}), wall ${run.wallMs} ms\n`,
    );
  // The measured day without the heap watcher (its collections would count as the send's CPU, the
  // more the longer the wall), then a day of its own for the memory (BENCH_NO_HEAP_WATCH=1: none).
  const r = await benchDay({ ...options, onRun });
  console.log(JSON.stringify(r, null, 2));
  if (!process.env.BENCH_NO_HEAP_WATCH) {
    console.log("memory day (the heap watcher on; its wall and CPU are not the row's)");
    const memory = await benchDay({ ...options, watchHeap: true });
    console.log(JSON.stringify({ ...memory, fake: undefined }, null, 2));
    Object.assign(r, {
      heapPeakMiB: memory.heapPeakMiB,
      inUsePeakMiB: memory.inUsePeakMiB,
      duplicates: Math.max(r.duplicates, memory.duplicates),
      missing: Math.max(r.missing, memory.missing),
    });
  }
  if (values["no-record"]) return;
  const header = DAY_HEADER;
  addTableRows(
    "BENCHMARKS.md",
    {
      headerStart: header,
      header,
      intro:
        "### Personal delivery, from the sixth stop: CPU from a day without the heap watcher, memory from a day of its own (`npm run bench -- --day`)",
    },
    [
      `| ${r.date} | ${r.cores} | ${r.readers} | ${r.selections} | ${r.zones} | ${r.rate} | ${(r.bytesPerEmail / 1000).toFixed(0)} KB | ${latencyWords(r)} | ${r.consumers} | ${r.wallSeconds.toFixed(1)} | ${r.callsPer1000.toFixed(2)} | ${r.mostKvOpsEmptyRun} | ${r.mostKvOpsPer1000Busy.toFixed(2)} | ${r.mostKvOpsInvocation.count} | ${r.mostSubrequests.count} | ${r.violationCount} | ${r.cpuMicrosPerReader.toFixed(0)} | ${r.heapPeakMiB.toFixed(1)} / ${r.inUsePeakMiB.toFixed(1)} | ${r.duplicates} | ${r.missing} | ${r.skipped} |`,
    ],
  );
  console.log("appended to BENCHMARKS.md");
}
