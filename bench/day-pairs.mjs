// `npm run bench -- --day --pairs N`: the personal day's CPU against the edition's, as a ratio
// measured in one run. Each pair is a day (bench/day.mjs) and then the edition row's send
// (bench/run.mjs: the same readers, rate and latency, 30 articles), both without the heap watcher.
// The machine's speed drifts by 10-20% from minute to minute (other tenants of the host), so a day
// and an edition measured apart say little: a pair runs them back to back, and the row reports
// the pairs' median ratio with every pair beside it.
import { cpus } from "node:os";
import { addTableRows } from "./benchmarks-table.mjs";
import { benchDay } from "./day.mjs";
import { benchRun } from "./run.mjs";

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const PAIRS_HEADER = `| date | cores | readers N | selections K | zones Z | rate/s | latency ms | pairs | day CPU µs / reader (median) | edition CPU µs / reader (median) | day ÷ edition (median of the pairs) | each pair's ratio | duplicates | missing |`;

/** N alternated pairs, printed and (without --no-record) recorded as one row. */
export async function pairsMain(values) {
  const pairs = Number(values.pairs);
  const shared = {
    readers: Number(values.readers),
    rate: Number(values.rate),
    ...(values["latency-ms"] === undefined ? {} : { latencyMs: Number(values["latency-ms"]) }),
    ...(values["latency-ms-per-mb"] === undefined
      ? {}
      : { latencyMsPerMB: Number(values["latency-ms-per-mb"]) }),
    ...(values.consumers ? { consumers: Number(values.consumers) } : {}),
  };
  const dayOptions = {
    ...shared,
    selections: Number(values.selections),
    zones: Number(values.zones),
  };
  console.log(
    `Tidings personal day against the edition, ${pairs} pairs: ${JSON.stringify(dayOptions)}`,
  );
  const rows = [];
  for (let i = 0; i < pairs; i++) {
    const day = await benchDay(dayOptions);
    const edition = await benchRun({ ...shared, articles: 30, seed: i + 1 });
    const pair = {
      day: day.cpuMicrosPerReader,
      edition: edition.cpuMicrosPerReader,
      ratio: day.cpuMicrosPerReader / edition.cpuMicrosPerReader,
      duplicates: day.duplicates + edition.duplicates,
      missing: day.missing + edition.missing,
    };
    rows.push(pair);
    console.log(
      `pair ${i + 1}/${pairs}: day ${pair.day.toFixed(1)} µs/reader, edition ${pair.edition.toFixed(1)}, ratio ${pair.ratio.toFixed(3)}, duplicates ${pair.duplicates}, missing ${pair.missing}`,
    );
    // What else moved with the CPU: each side's wall, invocations, provider calls and kernel time.
    console.log(
      `  day: wall ${day.wallSeconds.toFixed(1)} s, invocations ${day.invocations}, calls ${day.fake.requests}, kernel ${day.kernelMicrosPerReader.toFixed(1)} µs/reader; edition: wall ${edition.wallSeconds.toFixed(1)} s, invocations ${edition.invocations}, calls ${edition.fake.requests}, kernel ${(((edition.coreTime.workerdSeconds - edition.coreTime.workerdUserSeconds) / edition.readers) * 1e6).toFixed(1)} µs/reader`,
    );
  }
  const summary = {
    day: median(rows.map((r) => r.day)),
    edition: median(rows.map((r) => r.edition)),
    ratio: median(rows.map((r) => r.ratio)),
    duplicates: rows.reduce((sum, r) => sum + r.duplicates, 0),
    missing: rows.reduce((sum, r) => sum + r.missing, 0),
  };
  console.log(
    `median of ${pairs} pairs: day ${summary.day.toFixed(1)} µs/reader, edition ${summary.edition.toFixed(1)}, day ÷ edition ${summary.ratio.toFixed(3)}`,
  );
  if (values["no-record"]) return;
  const latency = shared.latencyMs ?? "default";
  addTableRows(
    "BENCHMARKS.md",
    {
      headerStart: PAIRS_HEADER,
      header: PAIRS_HEADER,
      intro:
        "### The personal day against the edition, in alternated pairs measured in one run (`npm run bench -- --day --pairs N`)",
    },
    [
      `| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} | ${dayOptions.readers} | ${dayOptions.selections} | ${dayOptions.zones} | ${dayOptions.rate} | ${latency} | ${pairs} | ${summary.day.toFixed(1)} | ${summary.edition.toFixed(1)} | ${summary.ratio.toFixed(3)} | ${rows.map((r) => r.ratio.toFixed(2)).join(", ")} | ${summary.duplicates} | ${summary.missing} |`,
    ],
  );
  console.log("appended to BENCHMARKS.md");
}
