// The one place routes and the digest reach articles: reads straight from ARTICLES, and every write
// through the ArticleUrl object of the canonical URL it touches (KV has no compare-and-set).
import { ApiError } from "../errors";
import type { Article, ArticleInput, ArticlePatch } from "./article-schema";
import { createArticleRecords } from "./article-records";
import type { ArticleUrl, ChangeResult } from "./article-url";
import { canonicalUrl } from "./canonical-url";
import { listArticleKeys, type ArticleListQuery } from "./list-article-keys";

export type ArticleUrls = DurableObjectNamespace<ArticleUrl>;

/** Reads only: what pages, listings and the digest need. */
export type ArticleStore = {
  get(id: string): Promise<Article | null>;
  /** Articles by `createdAt`, newest first, one page at a time. */
  list(query: ArticleListQuery): Promise<{ articles: Article[]; cursor: string | null }>;
};

/** Reads and the editors' writes. */
export type EditableArticleStore = ArticleStore & {
  /** Creates the article, or updates the one with the same canonical URL (`created: false`). */
  upsert(
    input: ArticleInput,
    editor: string,
    now: Date,
  ): Promise<{ article: Article; created: boolean }>;
  /** Applies a PATCH; null for an unknown id. A new URL that another article holds is a 409. */
  patch(id: string, patch: ArticlePatch, now: Date): Promise<Article | null>;
  /** Deletes the article and frees its URL; false for an unknown id. */
  remove(id: string): Promise<boolean>;
};

// A PATCH or DELETE reads the article's URL, then asks that URL's object; if the article moved in
// between, it reads again. Past this many tries the caller is told to retry.
const MAX_ATTEMPTS = 3;

const busy = () =>
  new ApiError(409, "conflict", "The article is being changed by another request; try again.");

export function createArticleStore(kv: KVNamespace): ArticleStore;
export function createArticleStore(kv: KVNamespace, urls: ArticleUrls): EditableArticleStore;
export function createArticleStore(
  kv: KVNamespace,
  urls?: ArticleUrls,
): ArticleStore | EditableArticleStore {
  const records = createArticleRecords(kv);
  const reads: ArticleStore = {
    get: records.get,
    async list(query) {
      const page = await listArticleKeys(kv, query);
      return { articles: await records.getMany(page.keys, page.versions), cursor: page.cursor };
    },
  };
  if (!urls) return reads;
  const objectOf = (url: string) => urls.get(urls.idFromName(url));

  /** Runs `change` against the object of the article's current URL, again if it moved meanwhile. */
  async function atCurrentUrl(
    id: string,
    change: (current: Article) => Promise<ChangeResult>,
  ): Promise<Article | null> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await records.get(id);
      if (!current) return null;
      const result = await change(current);
      if (result.status === "done") return result.article;
      if (result.status === "missing") return null;
    }
    throw busy();
  }

  return {
    ...reads,

    async upsert(input, editor, now) {
      const url = canonicalUrl(input.url);
      return objectOf(url).upsert(url, { ...input, url }, editor, now.getTime());
    },

    async patch(id, patch, now) {
      return atCurrentUrl(id, async (current) => {
        const url = patch.url ? canonicalUrl(patch.url) : current.url;
        if (url === current.url) {
          return objectOf(url).edit(url, id, { ...patch, url }, now.getTime());
        }
        // The new URL's object claims it and writes the record; only then does the old one let go.
        const moved = await objectOf(url).moveIn(url, id, { ...patch, url }, now.getTime());
        if (moved.status === "conflict") {
          throw new ApiError(
            409,
            "conflict",
            `Another article (${moved.holderId}) already has this url.`,
          );
        }
        if (moved.status === "missing") return moved;
        if (moved.from !== url) await objectOf(moved.from).release(moved.from, id);
        return { status: "done", article: moved.article };
      });
    },

    async remove(id) {
      return (
        (await atCurrentUrl(id, (current) => objectOf(current.url).remove(current.url, id))) !==
        null
      );
    },
  };
}
