// The scoring rules of ../shared/data/feeds/README.md ("How a parser is scored"), as pure functions:
// shared by `npm run feeds:score` (Node) and the corpus test (workerd), so both judge alike.

export const DEFAULT_BASE = "https://feed.example/feed.xml";

export const TARGETS = {
  titles: 0.99,
  links: 0.995,
  dates: 0.98,
  replacementTitles: 0,
  maxFileMs: 1000,
};

/** Unicode NFC, every run of whitespace or control characters one space, none at the ends. */
export function normalTitle(title) {
  if (title === null || title === undefined) return "";
  return String(title)
    .normalize("NFC")
    .replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ")
    .trim();
}

/** A link made absolute with the WHATWG URL parser; null stays null, an unparsable one stays as is. */
export function normalLink(link, base) {
  if (link === null || link === undefined) return null;
  try {
    return new URL(link, base).href;
  } catch {
    return String(link);
  }
}

function datesAgree(a, b) {
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a ?? null) === null && (b ?? null) === null;
  }
  const diff = Math.abs(Date.parse(a) - Date.parse(b));
  return Number.isFinite(diff) && diff <= 60_000;
}

/** Whether `label` names an encoding of the WHATWG Encoding Standard (TextDecoder accepts it). */
export function whatwgSupported(label) {
  if (!label) return false;
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** Pairs each expected item with one of the tool's: first by absolute link, then by order. */
export function matchItems(expected, actual, base) {
  const pairs = new Array(expected.length).fill(null);
  const used = new Set();
  expected.forEach((item, i) => {
    const link = normalLink(item.url, base);
    if (link === null) return;
    const j = actual.findIndex((other, k) => !used.has(k) && normalLink(other.url, base) === link);
    if (j >= 0) {
      pairs[i] = actual[j];
      used.add(j);
    }
  });
  const rest = actual.filter((_, k) => !used.has(k));
  let next = 0;
  expected.forEach((_, i) => {
    if (pairs[i] === null && next < rest.length) pairs[i] = rest[next++];
  });
  return pairs;
}

/**
 * Scores one file: `expected` is its line of expected.jsonl, `answer` the tool's line (or null when
 * it gave none), `base` the file's base address. Returns counts and the items that disagree.
 */
export function scoreFile(expected, answer, base) {
  const items = expected.items ?? [];
  const result = {
    items: items.length,
    titles: 0,
    links: 0,
    dates: 0,
    read: 0,
    replacementTitles: 0,
    misses: [],
  };
  const actual = answer && answer.ok ? (answer.items ?? []) : [];
  if (answer && whatwgSupported(expected.declaredEncoding)) {
    result.replacementTitles = actual.filter((item) =>
      String(item.title ?? "").includes("\uFFFD"),
    ).length;
  }
  const pairs = matchItems(items, actual, base);
  items.forEach((want, i) => {
    const got = pairs[i];
    const title = got !== null && normalTitle(want.title) === normalTitle(got.title);
    const link = got !== null && normalLink(want.url, base) === normalLink(got.url, base);
    const date = got !== null && datesAgree(want.publishedAt, got.publishedAt);
    result.titles += title ? 1 : 0;
    result.links += link ? 1 : 0;
    result.dates += date ? 1 : 0;
    result.read += title && link ? 1 : 0;
    if (!title || !link || !date) {
      result.misses.push({
        index: i,
        ...(title ? {} : { title: [want.title, got?.title ?? null] }),
        ...(link ? {} : { url: [want.url, got?.url ?? null] }),
        ...(date ? {} : { publishedAt: [want.publishedAt, got?.publishedAt ?? null] }),
      });
    }
  });
  return result;
}

/** Totals over files scored with scoreFile, as shares of all expected items. */
export function totalScore(results) {
  const sum = (key) => results.reduce((total, r) => total + r[key], 0);
  const items = sum("items");
  const share = (n) => (items === 0 ? 1 : n / items);
  return {
    files: results.length,
    items,
    titles: share(sum("titles")),
    links: share(sum("links")),
    dates: share(sum("dates")),
    read: share(sum("read")),
    replacementTitles: sum("replacementTitles"),
  };
}

/** Which targets a total (and the slowest file's milliseconds, when timed) misses. */
export function missedTargets(total, maxFileMs = null) {
  const missed = [];
  if (total.titles < TARGETS.titles) missed.push("titles");
  if (total.links < TARGETS.links) missed.push("links");
  if (total.dates < TARGETS.dates) missed.push("dates");
  if (total.replacementTitles > TARGETS.replacementTitles) missed.push("U+FFFD");
  if (maxFileMs !== null && !(maxFileMs < TARGETS.maxFileMs)) missed.push("time");
  return missed;
}
