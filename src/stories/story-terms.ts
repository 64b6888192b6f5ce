// Turns a headline, its URL slug and its summary into weighted terms for story matching. Pure.

// Words that say nothing about which story a headline reports.
const STOPWORDS = new Set(
  (
    "a an the and or but nor of to in on at by for from with without into onto over under about " +
    "after before as is are was were be been being am it its it's this that these those there here " +
    "he she they we you i his her their our your my me him them us who whom whose what which when " +
    "where why how not no yes so than then too very can could will would shall should may might " +
    "must do does did done has have had having up down out off again more most less least new " +
    "says say said report reports reported just also amid via vs video photos photo watch update " +
    "updated news live today week year day first one two all any some many much other own same " +
    "get gets got make makes made take takes took see sees show shows now still"
  ).split(" "),
);

// URL path words that name the outlet's layout, not the story.
const URL_NOISE = new Set(
  "www com html htm php aspx asp story stories article articles news index post posts id amp rss feed".split(
    " ",
  ),
);

// Joins the parts of a version or an amount ("7.1", "1.8B") while words are split at dots.
const DECIMAL_POINT = /(\d)\.(?=\d)/g;
const JOINED_POINT = "\u2024";

/**
 * Lower-case words of letters or digits, possessives and plain plurals folded, stopwords dropped. A
 * version or an amount stays one word ("iOS 7.1" gives "7.1", "$1.8B" gives "1.8b"): alone, "7" and
 * "1" say nothing, together they name a release.
 */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const piece of text
    .toLowerCase()
    .normalize("NFKD")
    .replace(DECIMAL_POINT, `$1${JOINED_POINT}`)
    .split(/[^\p{L}\p{N}'\u2024]+/u)) {
    const raw = piece.replaceAll(JOINED_POINT, ".");
    let word = raw
      .replace(/^'+|'+$/g, "")
      .replace(/'s$/, "")
      .replace(/'/g, "");
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    // "stocks" and "stock" are one term; "news", "class" and "bus" stay as they are.
    if (word.length > 3 && word.endsWith("s") && !/(ss|us|is)$/.test(word))
      word = word.slice(0, -1);
    words.push(word);
  }
  return words;
}

/** Capitalised words after a headline's first word: names of people, firms and products. */
export function namedWordsOf(title: string): string[] {
  const named = title
    .split(/\s+/)
    .slice(1)
    .filter(
      (word) => /^[\p{Lu}][\p{Ll}\p{Lu}\p{N}'-]*$/u.test(word) && word !== word.toUpperCase(),
    );
  // A Title Case headline capitalises every word: then capitals name nothing.
  const words = title.split(/\s+/).filter((word) => /^\p{L}/u.test(word));
  if (named.length > words.length * 0.6) return [];
  return wordsOf(named.join(" "));
}

/** The words of a URL's last meaningful path segment, when it is a slug of words, not an id. */
export function slugWordsOf(url: string): string[] {
  let path: string;
  try {
    path = new URL(url.replace(/\\\?/g, "?")).pathname;
  } catch {
    return [];
  }
  const segments = path.split("/").filter((segment) => segment.length > 0);
  const slug = [...segments]
    .reverse()
    .find((segment) => (segment.match(/[-_]/g) ?? []).length >= 2);
  if (!slug) return [];
  return wordsOf(slug.replace(/\.[a-z]+$/i, "").replace(/[-_+]/g, " ")).filter(
    (word) => !URL_NOISE.has(word) && !/^\d+$/.test(word) && !/\d.*\d.*\d/.test(word),
  );
}

// Names that a number follows without naming a product: "March 10", "Monday 3".
const CALENDAR_WORDS = new Set(
  (
    "january february march april may june july august september october november december " +
    "jan feb mar apr jun jul aug sep sept oct nov dec " +
    "monday tuesday wednesday thursday friday saturday sunday"
  ).split(" "),
);

/**
 * Products named by one digit, as one term each: "iPhone 6" gives "iphone_6", "Windows 8"
 * "windows_8", "Season 4" "season_4". A capitalised name, then the digit. Alone, a digit is too
 * short to be a word and the name spans many stories ("iPhone"); together they name one. Longer
 * model numbers and versions ("S5", "M8", "7.1") are words of their own.
 */
export function modelNamesOf(title: string): string[] {
  const tokens = title.split(/\s+/).map((token) => token.replace(/[,.:;!?)"'\u2019]+$/u, ""));
  const models: string[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const name = (tokens[i - 1] ?? "").replace(/^[("'\u2018]+/u, "");
    const digit = tokens[i] ?? "";
    if (!/^\d$/.test(digit) || !/^\p{L}[\p{L}\p{N}-]*$/u.test(name) || !/\p{Lu}/u.test(name))
      continue;
    const word = name.toLowerCase();
    if (STOPWORDS.has(word) || CALENDAR_WORDS.has(word)) continue;
    models.push(`${word}_${digit}`);
  }
  return models;
}

/** How much each field counts: the title carries a story; the slug and summary only help. */
export const FIELD_WEIGHTS = { named: 1.5, title: 1, slug: 0.5, summary: 0.25 } as const;

// A summary's first sentences name the story; the rest wanders.
const SUMMARY_CHARS = 300;

// Each run slot of a day compiles its pool from much the same articles: an article's terms are
// found once per isolate (read-only to every caller), keyed by the fields they come from.
const known = new Map<string, ReadonlyMap<string, number>>();
const MAX_KNOWN = 5000;

/** Term frequencies of one article, each field weighted, a term counted at its heaviest field. */
export function termsOf(article: {
  title: string;
  url?: string;
  summary?: string | null;
}): ReadonlyMap<string, number> {
  const summary = article.summary?.slice(0, SUMMARY_CHARS) ?? "";
  const key = `${article.title}\u0000${article.url ?? ""}\u0000${summary}`;
  let terms = known.get(key);
  if (!terms) {
    if (known.size >= MAX_KNOWN) known.clear();
    terms = weighedTerms(article.title, article.url, summary);
    known.set(key, terms);
  }
  return terms;
}

function weighedTerms(title: string, url: string | undefined, summary: string) {
  const terms = new Map<string, number>();
  const add = (words: string[], weight: number) => {
    for (const word of words) terms.set(word, Math.max(terms.get(word) ?? 0, weight));
  };
  add(wordsOf(title), FIELD_WEIGHTS.title);
  add(namedWordsOf(title), FIELD_WEIGHTS.named);
  add(modelNamesOf(title), FIELD_WEIGHTS.title);
  if (url) add(slugWordsOf(url), FIELD_WEIGHTS.slug);
  if (summary) add(wordsOf(summary), FIELD_WEIGHTS.summary);
  return terms;
}
