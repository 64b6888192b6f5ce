// `npm run eval:stories -- --splits`: the story grouping on parts of the labelled headlines, to show
// how it generalises beyond the file it was tuned on (the held-out set is another category, tech):
// each category alone, each half in time, the file in shuffled order (as articles really arrive,
// interleaved), and thresholds picked with one category (or one half) held out.

// The one-stage method before issue 18 (its first pass alone, at its old threshold).
const BEFORE = [0.16, 0];
const GRID_THRESHOLDS = [0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28];
const GRID_CENTROIDS = [0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5];
const SEEDS = [1, 2, 3, 4, 5];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const f1 = (p, r) => (2 * p * r) / (p + r);
const label = ([t, c]) => `${t.toFixed(2)}, ${c ? `centroid ${c.toFixed(2)}` : "one stage"}`;

/** Item-weighted mean of scores over several parts. */
function pooled(scores, parts) {
  let precision = 0;
  let recall = 0;
  let n = 0;
  for (const part of parts) {
    const s = scores.get(part.name);
    precision += s.precision * part.items.length;
    recall += s.recall * part.items.length;
    n += part.items.length;
  }
  return { precision: precision / n, recall: recall / n };
}

/** Prints and returns table cells: "split | method | precision | recall | F1". */
export function splits({ items, score, shuffled, configured }) {
  const lines = [];
  const line = (split, method, s) => {
    const cells = `${split} | ${method} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} | ${f1(s.precision, s.recall).toFixed(3)}`;
    lines.push(cells);
    console.log(cells.replaceAll(" | ", "  "));
  };
  const categories = [...new Set(items.map((item) => item.category))].sort();
  const byTime = [...items].sort((a, b) => a.seenMs - b.seenMs);
  const half = Math.floor(byTime.length / 2);
  const parts = [
    ...categories.map((c) => ({
      name: `category ${c} alone`,
      items: items.filter((i) => i.category === c),
    })),
    { name: "first half in time", items: byTime.slice(0, half) },
    { name: "second half in time", items: byTime.slice(half) },
  ];
  for (const method of [BEFORE, configured]) {
    for (const part of parts) line(part.name, label(method), score(part.items, ...method));
    const runs = SEEDS.map((seed) => score(shuffled(items, seed), ...method));
    const s = {
      precision: median(runs.map((r) => r.precision)),
      recall: median(runs.map((r) => r.recall)),
    };
    line(`all, shuffled (median of ${SEEDS.length})`, label(method), s);
  }
  // Held out one at a time: thresholds picked on the other parts (the most recall whose precision
  // there is at least the one-stage method's), then scored on the part held out.
  const grid = [];
  for (const t of GRID_THRESHOLDS)
    for (const c of GRID_CENTROIDS)
      grid.push({
        method: [t, c],
        scores: new Map(parts.map((p) => [p.name, score(p.items, t, c)])),
      });
  const before = new Map(parts.map((p) => [p.name, score(p.items, ...BEFORE)]));
  const folds = [
    ...categories.map((c) => [
      `category ${c} alone`,
      parts.filter((p) => p.name.startsWith("category") && p.name !== `category ${c} alone`),
    ]),
    ["first half in time", parts.filter((p) => p.name === "second half in time")],
    ["second half in time", parts.filter((p) => p.name === "first half in time")],
  ];
  for (const [test, train] of folds) {
    if (train.length === 0) continue;
    const floor = pooled(before, train).precision;
    let best = null;
    for (const point of grid) {
      const s = pooled(point.scores, train);
      if (s.precision >= floor && (!best || s.recall > best.s.recall)) best = { point, s };
    }
    if (!best) continue;
    const held = parts.find((p) => p.name === test);
    line(
      `${test}, held out`,
      `picked on ${train.map((p) => p.name.replace(" alone", "").replace("category ", "")).join("+")}: ${label(best.point.method)}`,
      best.point.scores.get(held.name),
    );
  }
  return lines;
}
