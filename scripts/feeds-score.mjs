// npm run feeds:score: scores `npm run -s feeds:parse` on the real-feed corpus (../shared/data/feeds/dev)
// by the README's rules (scripts/feed-scoring.mjs): titles, links, dates, U+FFFD titles, and each
// file's time. Files run a batch at a time, each batch after a tiny warm-up feed, files over 512 KB on
// their own; a file's time is from the line before its own. Options: --data DIR, --runs N (per-file
// time is the median over runs), --verbose (every disagreeing item), --record (a row in BENCHMARKS.md).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addTableRows } from "../bench/benchmarks-table.mjs";
import { hostileFeed } from "../test/sources/feed-server.mjs";
import { feedCorpusDir } from "./feed-corpus-dir.mjs";
import { DEFAULT_BASE, TARGETS, missedTargets, scoreFile, totalScore } from "./feed-scoring.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const dataDir = option("data", feedCorpusDir(root));
const runs = Number(option("runs", "3"));
const verbose = args.includes("--verbose");
const record = args.includes("--record");
const BATCH_FILES = 25;
const LARGE_BYTES = 512 * 1024;

if (!existsSync(join(dataDir, "expected.jsonl"))) {
  console.error(`No corpus at ${dataDir} (expected.jsonl missing).`);
  process.exit(2);
}
const expected = readFileSync(join(dataDir, "expected.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));
const baseOf = (file) => {
  const sidecar = join(dataDir, `${file}.url`);
  return existsSync(sidecar) ? readFileSync(sidecar, "utf8").trim() || DEFAULT_BASE : DEFAULT_BASE;
};

const warmDir = mkdtempSync(join(tmpdir(), "feeds-score-"));
const warmUp = join(warmDir, "warm-up.xml");
writeFileSync(
  warmUp,
  '<?xml version="1.0"?><rss version="2.0"><channel><title>w</title><item><title>Warm-up</title><link>https://feed.example/w</link></item></channel></rss>',
);

const small = expected.filter((e) => statSync(join(dataDir, e.file)).size <= LARGE_BYTES);
const large = expected.filter((e) => statSync(join(dataDir, e.file)).size > LARGE_BYTES);
const batches = [];
for (let i = 0; i < small.length; i += BATCH_FILES) batches.push(small.slice(i, i + BATCH_FILES));
for (const one of large) batches.push([one]);

/** Runs the tool on one batch: each file's answer (or null) and milliseconds since the line before. */
function runBatch(batch, dir = dataDir) {
  const paths = [warmUp, ...batch.map((e) => join(dir, e.file))];
  const limitMs = 20_000 + 3_000 * paths.length;
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", "feeds:parse", "--", ...paths], {
      cwd: root,
      env: { ...process.env, TZ: "UTC" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const answers = new Map();
    let pending = "";
    let last = null;
    child.stdout.on("data", (chunk) => {
      const now = performance.now();
      pending += chunk.toString("utf8");
      let at;
      while ((at = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 1);
        let answer;
        try {
          answer = JSON.parse(line);
        } catch {
          continue;
        }
        const ms = last === null ? null : now - last;
        last = now;
        answers.set(answer.file, { answer, ms });
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(
        batch.map((e) => {
          // A crash or a timeout loses the files after it: a file without a line fails.
          return answers.get(join(dir, e.file)) ?? { answer: null, ms: null };
        }),
      );
    });
  });
}

const timings = new Map(expected.map((e) => [e.file, []]));
let answers = new Map();
for (let run = 0; run < runs; run++) {
  for (const batch of batches) {
    const results = await runBatch(batch);
    batch.forEach((e, i) => {
      const result = results[i];
      if (run === 0) answers.set(e.file, result.answer);
      timings.get(e.file).push(result.ms ?? Infinity);
    });
  }
}
// The 2 MB hostile feed the cron test ingests (test/sources/feed-server.mjs), timed the same way.
writeFileSync(join(warmDir, "hostile-2mb.xml"), hostileFeed("https://feed.example"));
const hostileMs = [];
let hostileItems = 0;
for (let run = 0; run < runs; run++) {
  const [result] = await runBatch([{ file: "hostile-2mb.xml" }], warmDir);
  hostileMs.push(result.ms ?? Infinity);
  hostileItems = result.answer?.items?.length ?? 0;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fileMs = new Map([...timings].map(([file, values]) => [file, median(values)]));

const results = [];
for (const e of expected) {
  const answer = answers.get(e.file);
  const score = scoreFile(e, answer, baseOf(e.file));
  results.push(score);
  const refused = answer && !answer.ok ? ` refused: ${answer.error}` : answer ? "" : " no answer";
  const flag =
    e.ok === false
      ? answer?.ok === false
        ? " (not a feed: refused, as expected)"
        : " (not a feed, but the tool read it)"
      : "";
  if (score.misses.length || refused || flag || verbose) {
    console.log(
      `${e.file}: ${score.read}/${score.items} read, titles ${score.titles}, links ${score.links}, dates ${score.dates}, ${fileMs.get(e.file).toFixed(1)} ms${refused}${flag}`,
    );
    for (const miss of verbose ? score.misses : score.misses.slice(0, 3))
      console.log(`  ${JSON.stringify(miss)}`);
    if (!verbose && score.misses.length > 3)
      console.log(`  … ${score.misses.length - 3} more (--verbose)`);
  }
}

const total = totalScore(results);
const times = [...fileMs.values()];
const maxMs = Math.max(...times);
const slowest = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, 3);
const pct = (share) => `${(share * 100).toFixed(2)} %`;
const missed = missedTargets(total, maxMs);
console.log("");
console.log(`${total.files} files, ${total.items} expected items (${dataDir})`);
console.log(`titles agree      ${pct(total.titles)}  (target >= ${pct(TARGETS.titles)})`);
console.log(`links agree       ${pct(total.links)}  (target >= ${pct(TARGETS.links)})`);
console.log(`dates agree       ${pct(total.dates)}  (target >= ${pct(TARGETS.dates)})`);
console.log(`items read        ${pct(total.read)}  (title and link)`);
console.log(
  `U+FFFD titles     ${total.replacementTitles}  (target 0, files with a WHATWG-supported declared encoding)`,
);
console.log(
  `time per file     median ${median(times).toFixed(1)} ms, slowest ${slowest.map(([f, ms]) => `${f} ${ms.toFixed(1)} ms`).join(", ")} (median of ${runs} runs; target < ${TARGETS.maxFileMs} ms)`,
);
console.log(
  `2 MB hostile feed ${median(hostileMs).toFixed(1)} ms (${hostileItems} items; median of ${runs} runs; the cron test ingests it)`,
);
console.log(missed.length ? `NOT MET: ${missed.join(", ")}` : "All targets met.");

if (record) {
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const header =
    "| when (UTC) | files | items | titles | links | dates | read | U+FFFD titles | median file | slowest file | 2 MB hostile feed | met? |";
  const row = `| ${date} | ${total.files} | ${total.items} | ${pct(total.titles)} | ${pct(total.links)} | ${pct(total.dates)} | ${pct(total.read)} | ${total.replacementTitles} | ${median(times).toFixed(1)} ms | ${maxMs.toFixed(0)} ms (${slowest[0][0]}) | ${median(hostileMs).toFixed(0)} ms | ${missed.length ? `no: ${missed.join(", ")}` : "yes"} |`;
  addTableRows(
    join(root, "BENCHMARKS.md"),
    { headerStart: header, header, intro: "# Feed parsing" },
    [row],
  );
  console.log("Appended to BENCHMARKS.md");
}
process.exit(missed.length ? 1 : 0);
