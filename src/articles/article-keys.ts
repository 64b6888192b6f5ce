// Every ARTICLES key is built here. See docs/storage.md.
//
// An article lives at `v1:article:<UTC day>:<inverted ms>:<id>`: a day's articles are one key prefix,
// and within it KV's byte order is newest first, so "articles added between two instants" costs one
// list call per 1,000 articles per day touched plus bulk gets, never a scan of the whole store.

const ARTICLE = "v1:article:";
const BY_URL = "v1:article-url:";
const MAX_MS = 9_999_999_999_999;

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const articleKeys = {
  all: ARTICLE,
  day: (day: string) => `${ARTICLE}${day}:`,
  article: (id: string, createdAtMs: number) =>
    `${ARTICLE}${dayOf(createdAtMs)}:${String(MAX_MS - createdAtMs).padStart(13, "0")}:${id}`,
  byUrl: (urlHash: string) => `${BY_URL}${urlHash}`,

  /** The creation instant and day read back from an article key. */
  parse(key: string): { day: string; createdAtMs: number } {
    const [day = "", inverted = "0"] = key.slice(ARTICLE.length).split(":");
    return { day, createdAtMs: MAX_MS - Number(inverted) };
  },
};

/**
 * Metadata on each article key, so a topic filter needs no read of the article, and `v` (its
 * `updatedAt`; absent on keys written before) says whether a copy already read is still the article.
 */
export type ArticleKeyMetadata = { topics: string[]; v?: string };
