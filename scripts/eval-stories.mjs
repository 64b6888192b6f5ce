// npm run eval:stories: scores the story grouping (src/stories/) on labelled real headlines with
// B-cubed precision, recall and F1, times it, and appends rows to BENCHMARKS.md. Posts nothing.
// `--splits` also scores it on parts of the data (each category alone, each half in time, shuffled
// order) and picks thresholds with one category held out, to show how the method generalises.
//
// The CSV's TIMESTAMP is not passed to the grouping as a publication time: it is when the
// aggregator crawled the story, and each story's rows were crawled in one burst (every story of
// dev.csv spans at most 71 seconds and contiguous IDs), so time would read the labels, not the news.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { addTableRows } from "../bench/benchmarks-table.mjs";
import { bcubed, readItems, shuffled } from "./story-eval-data.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const numbers = (text) => text.split(",").filter(Boolean).map(Number);
const dataPath = option("data", join(root, "..", "shared", "data", "news-stories", "dev.csv"));
const record = !args.includes("--no-record");

// The same code the Worker runs, bundled from TypeScript for Node.
const outDir = mkdtempSync(join(tmpdir(), "eval-stories-"));
await build({
  entryPoints: [
    join(root, "src/stories/group-stories.ts"),
    join(root, "src/articles/canonical-url.ts"),
  ],
  outdir: outDir,
  bundle: true,
  format: "esm",
  platform: "neutral",
  outExtension: { ".js": ".mjs" },
  logLevel: "error",
});
const { groupStories, DEFAULT_STORY_MERGE_THRESHOLD, DEFAULT_STORY_CENTROID_THRESHOLD } =
  await import(pathToFileURL(join(outDir, "stories", "group-stories.mjs")).href);
const { canonicalUrl } = await import(
  pathToFileURL(join(outDir, "articles", "canonical-url.mjs")).href
);
const configured = DEFAULT_STORY_MERGE_THRESHOLD;
const thresholds = numbers(option("thresholds", String(configured)));
const centroids = numbers(option("centroid", String(DEFAULT_STORY_CENTROID_THRESHOLD)));

const { items, rows } = readItems(dataPath, canonicalUrl);
// Title and URL only: what the product groups by (see the TIMESTAMP note above).
const asInput = (item) => ({ title: item.title, url: item.url });
const score = (list, threshold, centroid) =>
  bcubed(
    groupStories(list.map(asInput), threshold, centroid),
    list.map((item) => item.story),
  );
const fixed = (x) => x.toFixed(3);
const date = new Date().toISOString().slice(0, 16).replace("T", " ");
const file = dataPath.split("/").slice(-2).join("/");

const results = [];
for (const threshold of thresholds)
  for (const centroid of centroids) {
    const input = items.map(asInput);
    groupStories(input, threshold, centroid); // warm-up: the JIT, not the method, is what a first run times
    const runs = 5;
    const start = process.hrtime.bigint();
    let predicted = [];
    for (let run = 0; run < runs; run++) predicted = groupStories(input, threshold, centroid);
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
    const s = bcubed(
      predicted,
      items.map((item) => item.story),
    );
    const stories = new Set(predicted).size;
    const msPer1000 = (ms / items.length) * 1000;
    results.push({ threshold, centroid, ...s, stories, msPer1000 });
    console.log(
      `threshold ${threshold.toFixed(2)}  centroid ${centroid.toFixed(2)}  precision ${fixed(s.precision)}  recall ${fixed(s.recall)}  F1 ${fixed(s.f1)}  stories ${stories}  ${msPer1000.toFixed(1)} ms per 1,000 headlines`,
    );
  }
console.log(
  `${items.length} headlines (${rows} rows), ${new Set(items.map((i) => i.story)).size} labelled stories`,
);

const splitLines = args.includes("--splits")
  ? (await import("./eval-story-splits.mjs")).splits({
      items,
      score,
      shuffled,
      configured: [configured, DEFAULT_STORY_CENTROID_THRESHOLD],
    })
  : [];

if (record) {
  const isConfigured = (r) =>
    r.threshold === configured && r.centroid === DEFAULT_STORY_CENTROID_THRESHOLD;
  const lines = results.map(
    (r) =>
      `| ${date} | ${file} | ${items.length} | ${r.threshold.toFixed(2)} | ${r.centroid ? r.centroid.toFixed(2) : "none"}${isConfigured(r) ? " (configured)" : ""} | ${fixed(r.precision)} | ${fixed(r.recall)} | ${fixed(r.f1)} | ${r.stories} | ${r.msPer1000.toFixed(1)} |`,
  );
  const header =
    "| when (UTC) | data | headlines | threshold | centroid merge | precision | recall | F1 | stories | ms per 1,000 |";
  addTableRows(
    join(root, "BENCHMARKS.md"),
    { headerStart: header, header, intro: "# Story grouping in two stages (issue 18)" },
    lines,
  );
  if (splitLines.length) {
    const splitHeader = "| when (UTC) | data | split | method | precision | recall | F1 |";
    addTableRows(
      join(root, "BENCHMARKS.md"),
      {
        headerStart: splitHeader,
        header: splitHeader,
        intro: "## How it generalises (`npm run eval:stories -- --splits`)",
      },
      splitLines.map((line) => `| ${date} | ${file} | ${line} |`),
    );
  }
  console.log("Appended to BENCHMARKS.md");
}
