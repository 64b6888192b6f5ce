// The labelled headlines of ../shared/data/news-stories/ for scripts/eval-stories.mjs: reading the
// CSV, one item per canonical URL, and B-cubed scores.
import { readFileSync } from "node:fs";

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

/**
 * The file's articles in file order: { title, url, story, category, seenMs }. Rows sharing a
 * canonical URL are one article, with the first row's story (the data's README).
 */
export function readItems(path, canonicalUrl) {
  const [header, ...rows] = parseCsv(readFileSync(path, "utf8"));
  const col = (name) => header.indexOf(name);
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
    items.push({
      title: row[col("TITLE")],
      url,
      story: row[col("STORY")],
      category: row[col("CATEGORY")] ?? "",
      // Not passed to the grouping: see eval-stories.mjs.
      seenMs: Number(row[col("TIMESTAMP")]),
    });
  }
  return { items, rows: rows.length };
}

/** B-cubed precision, recall and F1 of `predicted` story numbers against `truth`, averaged over items. */
export function bcubed(predicted, truth) {
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

/** The same items in a reproducible random order (a small linear congruential generator). */
export function shuffled(items, seed) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
