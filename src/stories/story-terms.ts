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

/** Lower-case words of letters or digits, possessives and plain plurals folded, stopwords dropped. */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const raw of text
    .toLowerCase()
    .normalize("NFKD")
    .split(/[^\p{L}\p{N}']+/u)) {
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

/** How much each field counts: the title carries a story; the slug and summary only help. */
export const FIELD_WEIGHTS = { named: 1.5, title: 1, slug: 0.5, summary: 0.25 } as const;

// A summary's first sentences name the story; the rest wanders.
const SUMMARY_CHARS = 300;

/** Term frequencies of one article, each field weighted, a term counted at its heaviest field. */
export function termsOf(article: { title: string; url?: string; summary?: string | null }) {
  const terms = new Map<string, number>();
  const add = (words: string[], weight: number) => {
    for (const word of words) terms.set(word, Math.max(terms.get(word) ?? 0, weight));
  };
  add(wordsOf(article.title), FIELD_WEIGHTS.title);
  add(namedWordsOf(article.title), FIELD_WEIGHTS.named);
  if (article.url) add(slugWordsOf(article.url), FIELD_WEIGHTS.slug);
  if (article.summary) add(wordsOf(article.summary.slice(0, SUMMARY_CHARS)), FIELD_WEIGHTS.summary);
  return terms;
}
