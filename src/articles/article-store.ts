// The ARTICLES namespace: create, re-post (upsert by canonical URL), edit, delete and list articles.
import { ApiError } from "../errors";
import { articleIdTime, newArticleId } from "./article-id";
import { articleKeys, type ArticleKeyMetadata } from "./article-keys";
import { listArticleKeys, type ArticleListQuery } from "./list-article-keys";
import { Article, type ArticleInput, type ArticlePatch } from "./article-schema";
import { canonicalUrl, sourceOf } from "./canonical-url";

export type ArticleStore = ReturnType<typeof createArticleStore>;

// KV bulk get takes at most 100 keys per call.
const MAX_BULK_GET_KEYS = 100;

async function sha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function createArticleStore(kv: KVNamespace) {
  const keyOf = (article: Article) =>
    articleKeys.article(article.id, Date.parse(article.createdAt));
  const urlKeyOf = async (url: string) => articleKeys.byUrl(await sha256Hex(url));

  async function write(article: Article): Promise<void> {
    const metadata: ArticleKeyMetadata = { topics: article.topics };
    await kv.put(keyOf(article), JSON.stringify(article), { metadata });
  }

  async function get(id: string): Promise<Article | null> {
    const createdAtMs = articleIdTime(id);
    if (createdAtMs === null) return null;
    const raw = await kv.get(articleKeys.article(id, createdAtMs), "json");
    return raw === null ? null : Article.parse(raw);
  }

  async function getMany(keys: string[]): Promise<Article[]> {
    const articles: Article[] = [];
    for (let i = 0; i < keys.length; i += MAX_BULK_GET_KEYS) {
      const chunk = keys.slice(i, i + MAX_BULK_GET_KEYS);
      const values = await kv.get<unknown>(chunk, "json");
      for (const key of chunk) {
        const raw = values.get(key);
        if (raw != null) articles.push(Article.parse(raw));
      }
    }
    return articles;
  }

  /** The article that holds `url` (canonical), if any. */
  async function findByUrl(url: string): Promise<Article | null> {
    const id = await kv.get(await urlKeyOf(url));
    return id ? get(id) : null;
  }

  return {
    get,

    /** Creates the article, or updates the one with the same canonical URL (`created: false`). */
    async upsert(
      input: ArticleInput,
      editor: string,
      now: Date,
    ): Promise<{ article: Article; created: boolean }> {
      const url = canonicalUrl(input.url);
      const existing = await findByUrl(url);
      const stamp = now.toISOString();
      if (existing) {
        const article: Article = {
          ...existing,
          url,
          title: input.title,
          summary: input.summary ?? existing.summary,
          source: input.source || existing.source,
          topics: input.topics ?? existing.topics,
          publishedAt: input.publishedAt
            ? new Date(input.publishedAt).toISOString()
            : existing.publishedAt,
          updatedAt: stamp,
          editor,
        };
        await write(article);
        return { article, created: false };
      }
      const article: Article = {
        id: newArticleId(now.getTime()),
        url,
        title: input.title,
        summary: input.summary || null,
        source: input.source || sourceOf(url),
        topics: input.topics ?? [],
        publishedAt: input.publishedAt ? new Date(input.publishedAt).toISOString() : stamp,
        createdAt: stamp,
        updatedAt: stamp,
        editor,
      };
      // Index first: a crash between the two writes leaves an index to nothing, which the next
      // post of the same URL repairs, rather than an article that a re-post would duplicate.
      await kv.put(await urlKeyOf(url), article.id);
      await write(article);
      return { article, created: true };
    },

    /** Applies a PATCH. A new URL that another article holds is a conflict. */
    async patch(id: string, patch: ArticlePatch, now: Date): Promise<Article | null> {
      const current = await get(id);
      if (!current) return null;
      const url = patch.url ? canonicalUrl(patch.url) : current.url;
      if (url !== current.url) {
        const holder = await findByUrl(url);
        if (holder && holder.id !== id) {
          throw new ApiError(
            409,
            "conflict",
            `Another article (${holder.id}) already has this url.`,
          );
        }
        await kv.put(await urlKeyOf(url), id);
        await kv.delete(await urlKeyOf(current.url));
      }
      const article: Article = {
        ...current,
        url,
        title: patch.title ?? current.title,
        summary: patch.summary === undefined ? current.summary : patch.summary || null,
        source: patch.source || current.source,
        topics: patch.topics ?? current.topics,
        publishedAt: patch.publishedAt
          ? new Date(patch.publishedAt).toISOString()
          : current.publishedAt,
        updatedAt: now.toISOString(),
      };
      await write(article);
      return article;
    },

    async remove(id: string): Promise<boolean> {
      const article = await get(id);
      if (!article) return false;
      await kv.delete(keyOf(article));
      const urlKey = await urlKeyOf(article.url);
      if ((await kv.get(urlKey)) === id) await kv.delete(urlKey);
      return true;
    },

    /** Articles by `createdAt`, newest first, one page at a time. */
    async list(query: ArticleListQuery): Promise<{ articles: Article[]; cursor: string | null }> {
      const page = await listArticleKeys(kv, query);
      return { articles: await getMany(page.keys), cursor: page.cursor };
    },
  };
}
