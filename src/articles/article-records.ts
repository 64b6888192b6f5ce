// The article records in ARTICLES: read, write and delete one article, bulk reads, and the legacy URL index.
import { articleIdTime } from "./article-id";
import { articleKeys, type ArticleKeyMetadata } from "./article-keys";
import { Article } from "./article-schema";

// KV bulk get takes at most 100 keys per call.
const MAX_BULK_GET_KEYS = 100;

// Per isolate: articles already read, by key. A listing names each key's version (its metadata's
// `v`, the article's updatedAt), and a copy of that version is not read again: a cron isolate
// compiling run slot after run slot reads only the articles that are new or changed since.
const known = new Map<string, Article>();
const MAX_KNOWN = 5000;

async function sha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export type ArticleRecords = ReturnType<typeof createArticleRecords>;

export function createArticleRecords(kv: KVNamespace) {
  const keyOf = (article: Article) =>
    articleKeys.article(article.id, Date.parse(article.createdAt));

  return {
    async get(id: string): Promise<Article | null> {
      const createdAtMs = articleIdTime(id);
      if (createdAtMs === null) return null;
      const raw = await kv.get(articleKeys.article(id, createdAtMs), "json");
      return raw === null ? null : Article.parse(raw);
    },

    /** The articles of `keys`, in order; `versions` (from a listing) lets known copies stand. */
    async getMany(keys: string[], versions: (string | undefined)[] = []): Promise<Article[]> {
      const found = new Map<string, Article>();
      const unread: string[] = [];
      keys.forEach((key, i) => {
        const copy = known.get(key);
        if (copy && versions[i] !== undefined && copy.updatedAt === versions[i])
          found.set(key, copy);
        else unread.push(key);
      });
      for (let i = 0; i < unread.length; i += MAX_BULK_GET_KEYS) {
        const chunk = unread.slice(i, i + MAX_BULK_GET_KEYS);
        const values = await kv.get<unknown>(chunk, "json");
        for (const key of chunk) {
          const raw = values.get(key);
          if (raw == null) continue;
          // Shared by every later caller in the isolate: frozen, so none can change another's copy.
          const article = Object.freeze(Article.parse(raw));
          Object.freeze(article.topics);
          found.set(key, article);
          if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
          known.set(key, article);
        }
      }
      return keys.flatMap((key) => found.get(key) ?? []);
    },

    async put(article: Article): Promise<void> {
      const metadata: ArticleKeyMetadata = { topics: article.topics, v: article.updatedAt };
      await kv.put(keyOf(article), JSON.stringify(article), { metadata });
    },

    async delete(article: Article): Promise<void> {
      await kv.delete(keyOf(article));
    },

    /**
     * The id the pre-Durable-Object index named for `url` (canonical), if any. Read only, and only
     * by an ArticleUrl that has never held a row, so old deployments keep their ids; nothing writes it now.
     */
    async legacyHolderId(url: string): Promise<string | null> {
      return kv.get(articleKeys.byUrl(await sha256Hex(url)));
    },
  };
}
