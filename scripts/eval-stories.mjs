// npm run eval:stories: scores the story grouping (src/stories/) on labelled real headlines with
// B-cubed precision, recall and F1, times it, and appends a row to BENCHMARKS.md. Posts nothing.
import { mkdtempSync, readFileSync } from "node:fs";
import { addTableRows } from "../bench/benchmarks-table.mjs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const dataPath = option("data", join(root, "..", "shared", "data", "news-stories", "dev.csv"));
const thresholds = option("thresholds", "").split(",").filter(Boolean).map(Number);
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
const { groupStories } = await import(
  pathToFileURL(join(outDir, "stories", "group-stories.mjs")).href
);
const { canonicalUrl } = await import(
  pathToFileURL(join(outDir, "articles", "canonical-url.mjs")).href
);
const wrangler = readFileSync(join(root, "wrangler.toml"), "utf8");
const configured = Number(/STORY_MERGE_THRESHOLD\s*=\s*"([\d.]+)"/.exec(wrangler)?.[1] ?? "0.5");

/** RFC 4180 rows. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") (row.push(field), (field = ""));
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      (row.push(field), rows.push(row), (row = []), (field = ""));
    } else field += char;
  }
  if (field || row.length) (row.push(field), rows.push(row));
  return rows.filter((r) => r.length > 1);
}

const [header, ...rows] = parseCsv(readFileSync(dataPath, "utf8"));
const col = (name) => header.indexOf(name);
// Rows sharing a canonical URL are one article, with the first row's story (the data's README).
const seen = new Set();
const items = [];
for (const row of rows) {
  const url = row[col("URL")].replace(/\\\?/g, "?");
  let key;
  try {
    key = canonicalUrl(url);
  } catch {
    key = url;
  }
  if (seen.has(key)) continue;
  seen.add(key);
  items.push({ title: row[col("TITLE")], url, story: row[col("STORY")] });
}

function bcubed(predicted, truth) {
  const pairCount = new Map();
  const clusterSize = new Map();
  const storySize = new Map();
  predicted.forEach((p, i) => {
    clusterSize.set(p, (clusterSize.get(p) ?? 0) + 1);
    storySize.set(truth[i], (storySize.get(truth[i]) ?? 0) + 1);
    const key = `${p}\u0000${truth[i]}`;
    pairCount.set(key, (pairCount.get(key) ?? 0) + 1);
  });
  let precision = 0;
  let recall = 0;
  predicted.forEach((p, i) => {
    const both = pairCount.get(`${p}\u0000${truth[i]}`);
    precision += both / clusterSize.get(p);
    recall += both / storySize.get(truth[i]);
  });
  precision /= predicted.length;
  recall /= predicted.length;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

const truth = items.map((item) => item.story);
const results = [];
for (const threshold of thresholds.length ? thresholds : [configured]) {
  groupStories(items, threshold); // warm-up: the JIT, not the method, is what a first run times
  const runs = 5;
  const start = process.hrtime.bigint();
  let predicted = [];
  for (let run = 0; run < runs; run++) predicted = groupStories(items, threshold);
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  const score = bcubed(predicted, truth);
  const stories = new Set(predicted).size;
  const msPer1000 = (ms / items.length) * 1000;
  results.push({ threshold, ...score, stories, msPer1000 });
  console.log(
    `threshold ${threshold.toFixed(2)}  precision ${score.precision.toFixed(3)}  recall ${score.recall.toFixed(3)}  F1 ${score.f1.toFixed(3)}  stories ${stories}  ${msPer1000.toFixed(1)} ms per 1,000 headlines`,
  );
}
console.log(
  `${items.length} headlines (${rows.length} rows), ${new Set(truth).size} labelled stories`,
);

if (record) {
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const file = dataPath.split("/").slice(-2).join("/");
  const lines = results.map(
    (r) =>
      `| ${date} | ${file} | ${items.length} | ${r.threshold.toFixed(2)}${r.threshold === configured ? " (configured)" : ""} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)} | ${r.stories} | ${r.msPer1000.toFixed(1)} |`,
  );
  const header =
    "| when (UTC) | data | headlines | threshold | precision | recall | F1 | stories | ms per 1,000 |";
  addTableRows(
    join(root, "BENCHMARKS.md"),
    { headerStart: header, header, intro: "# Story grouping" },
    lines,
  );
  console.log("Appended to BENCHMARKS.md");
}
