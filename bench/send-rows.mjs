// What `npm run bench` prints and records for the send's runs: one line a run, the median of the
// runs, and a row of BENCHMARKS.md (with an SVG chart of the median run), in the table of its kind.
import { mkdirSync, writeFileSync } from "node:fs";
import { addTableRows } from "./benchmarks-table.mjs";
import { renderChart } from "./chart.mjs";
import { PROVIDER_HEADER, providerRow } from "./provider-presets.mjs";

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The fake's latency in words, with what a call of this run's emails took on average. */
export function latencyWords(run) {
  const seconds =
    (run.latencyMs + (run.latencyMsPerMB * run.bytesPerEmail * 100) / 1_000_000) / 1000;
  return `${run.latencyMs} ms + ${run.latencyMsPerMB} ms/MB (${seconds.toFixed(2)} s a call)`;
}

/** Where the two cores' time went over the run: workerd, the fake's handlers, the rest of Node. */
export function coresWords({ coreTime: cores, wallSeconds }) {
  const share = (seconds) =>
    `${seconds.toFixed(1)} s (${(seconds / wallSeconds).toFixed(2)} of a core)`;
  return (
    `cores: workerd ${share(cores.workerdSeconds)} (user ${cores.workerdUserSeconds.toFixed(1)} s, kernel ${(cores.workerdSeconds - cores.workerdUserSeconds).toFixed(1)} s), bench process ${share(cores.nodeSeconds)} ` +
    `of which the fake's handlers at least ${share(cores.fakeSeconds)}` +
    // A main thread busy all the time reads the fake's sockets late: its bodies arrive late.
    (cores.mainThreadBusy === undefined
      ? ""
      : `, its main thread busy ${(cores.mainThreadBusy * 100).toFixed(0)}% of the run`) +
    (cores.fakeThreadBusy === undefined
      ? ""
      : `, the fake's thread ${(cores.fakeThreadBusy * 100).toFixed(0)}%`)
  );
}

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

export function runLine(result) {
  const heap = result.heap;
  const watcher = heap.liveSamples
    ? ` (the heap watcher's forced collections ${((heap.collectionCpuSeconds / result.readers) * 1e6).toFixed(0)} of it)`
    : "";
  return (
    `  wall ${result.wallSeconds.toFixed(2)} s (floor ${result.floorSeconds.toFixed(2)} s, ratio ${result.ratio.toFixed(3)}), ` +
    `latency ${latencyWords(result)}, ${result.consumers} consumers at once, ` +
    `calls/1k ${result.callsPer1000.toFixed(1)}, KV ops/1k ${result.kvOpsPer1000.toFixed(2)}, CPU ${result.cpuMicrosPerReader.toFixed(0)} µs/reader${watcher}, ` +
    `isolate peak live ${mib(heap.bytes)} MiB (heap ${mib(heap.heapUsed)}, buffers ${mib(heap.backing)}; ${heap.liveSamples} samples), in use ${mib(heap.inUse)} (garbage included; ${heap.samples} samples), committed ${mib(heap.committed)}, ` +
    `workerd RSS peak ${result.peakMiB.toFixed(0)} MiB, ${Math.round(result.bytesPerEmail)} B/email, duplicates ${result.duplicates}, missing ${result.missing}, ` +
    `leavers mailed before or while leaving ${result.mailedAfterLeaving} of ${result.left}, status ${result.status.status} (sent ${result.status.sent}, failed ${result.status.failed}, skipped ${result.status.skipped}), fake ${JSON.stringify(result.fake)}, ` +
    `${coresWords(result)}, ` +
    `invocations ${result.invocations}, most KV ops in one invocation ${result.mostKvOps.count} (${result.mostKvOps.invocation}), most subrequests ${result.mostSubrequests.count} (${result.mostSubrequests.invocation}), ` +
    `most connections ${result.mostConnections.count}, limits crossed ${result.violationCount}${result.violations.length ? `: ${result.violations[0].message}` : ""}` +
    (result.provider ? `, ${JSON.stringify({ ...result.provider, status: undefined })}` : "")
  );
}

export const SPEED_HEADER = `| date | cores | readers N | rate/s | email | latency | consumers at once | faults | runs | wall s (median) | floor s | wall ÷ floor | calls / 1k readers | KV ops / 1k readers | most KV ops in one invocation | most subrequests in one invocation | limits crossed | workerd CPU µs / reader (runs without the heap watcher) | isolate peak MiB: live (heap + buffers after a full collection) / in use (garbage included), a run of its own | duplicates | missing | chart |`;
const SPEED_INTRO =
  "### The send at real speed, from the sixth stop: CPU from runs without the heap watcher, memory from a run of its own";

/**
 * The median of the runs on the terminal, and (when `record`) its row in BENCHMARKS.md. `memory`: the
 * run with the heap watcher, whose memory the row reports (and whose duplicates and missing count).
 */
export function recordRuns(results, options, record, memory = null) {
  const pick = (key) => median(results.map((r) => r[key]));
  const worst = (pick) => Math.max(...results.map(pick));
  const medianRun = [...results].sort((a, b) => a.wallSeconds - b.wallSeconds)[
    Math.floor(results.length / 2)
  ];
  const row = {
    wall: pick("wallSeconds"),
    floor: medianRun.floorSeconds,
    ratio: pick("ratio"),
    calls: pick("callsPer1000"),
    kv: pick("kvOpsPer1000"),
    cpu: pick("cpuMicrosPerReader"),
    heap: memory?.heapPeakMiB ?? 0,
    inUse: memory?.inUsePeakMiB ?? 0,
    duplicates: Math.max(
      memory?.duplicates ?? 0,
      worst((r) => r.duplicates),
    ),
    // The worst run: a limit crossed once is crossed.
    mostKvOps: worst((r) => r.mostKvOps.count),
    mostSubrequests: worst((r) => r.mostSubrequests.count),
    violations: worst((r) => r.violationCount),
    missing: Math.max(
      memory?.missing ?? 0,
      worst((r) => r.missing),
    ),
  };
  console.log(
    `\nmedian of ${options.runs}: wall ${row.wall.toFixed(2)} s, wall ÷ floor ${row.ratio.toFixed(3)}, calls/1k ${row.calls.toFixed(1)}, KV ops/1k ${row.kv.toFixed(2)}, CPU ${row.cpu.toFixed(0)} µs/reader, isolate peak ${row.heap.toFixed(1)} MiB live, ${row.inUse.toFixed(1)} MiB in use, duplicates ${row.duplicates}, missing ${row.missing}, ` +
      `most KV ops in one invocation ${row.mostKvOps}, most subrequests ${row.mostSubrequests}, limits crossed ${row.violations}`,
  );
  if (!record) return;
  if (results[0].provider) {
    const section =
      "## Resend's answers (`npm run bench -- --faults quota|field-errors|in-progress|suppressed|every`)";
    addTableRows(
      "BENCHMARKS.md",
      { headerStart: PROVIDER_HEADER, header: PROVIDER_HEADER, intro: section },
      [providerRow(results, options, row)],
    );
    console.log("appended to BENCHMARKS.md");
    return;
  }
  mkdirSync("bench/charts", { recursive: true });
  const chartName = `bench/charts/${medianRun.date}-${options.readers}r-${options.rate}ps-${options.preset}-${Date.now().toString(36)}.svg`;
  writeFileSync(chartName, renderChart(medianRun));
  const email = `${options.maxima ? "field maxima" : `${options.articles} stories`} (${(medianRun.bytesPerEmail / 1000).toFixed(0)} KB)`;
  addTableRows(
    "BENCHMARKS.md",
    { headerStart: SPEED_HEADER, header: SPEED_HEADER, intro: SPEED_INTRO },
    [
      `| ${medianRun.date} | ${medianRun.cores} | ${options.readers} | ${options.rate} | ${email} | ${latencyWords(medianRun)} | ${medianRun.consumers} | ${options.preset} | ${options.runs} | ${row.wall.toFixed(2)} | ${row.floor.toFixed(2)} | ${row.ratio.toFixed(3)} | ${row.calls.toFixed(1)} | ${row.kv.toFixed(2)} | ${row.mostKvOps} | ${row.mostSubrequests} | ${row.violations} | ${row.cpu.toFixed(0)} | ${row.heap.toFixed(1)} / ${row.inUse.toFixed(1)} | ${row.duplicates} | ${row.missing} | [svg](${chartName}) |`,
    ],
  );
  console.log(`appended to BENCHMARKS.md; chart ${chartName}`);
}
