// The stories of a window of time: every article created in it, grouped and ranked.
import type { Article } from "../articles/article-schema";
import type { ArticleStore } from "../articles/article-store";
import { rankStories, type Story } from "./rank-stories";

/**
 * Articles one grouping reads: 50 bulk KV reads and a few list calls, far inside one invocation's
 * 1,000 KV operations, and grouped within the CPU budget (measured: see BENCHMARKS.md).
 */
export const MAX_WINDOW_ARTICLES = 5000;
const PAGE = 1000;

/** Every article created in [fromMs, toMs] (inclusive), newest first, at most MAX_WINDOW_ARTICLES. */
export async function windowArticles(
  store: ArticleStore,
  fromMs: number,
  toMs: number,
): Promise<{ articles: Article[]; truncated: boolean }> {
  const articles: Article[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ fromMs, toMs, limit: PAGE, cursor });
    articles.push(...page.articles);
    cursor = page.cursor;
  } while (cursor && articles.length < MAX_WINDOW_ARTICLES);
  return { articles: articles.slice(0, MAX_WINDOW_ARTICLES), truncated: cursor !== null };
}

export async function windowStories(
  store: ArticleStore,
  fromMs: number,
  toMs: number,
  threshold: number,
): Promise<{ stories: Story[]; truncated: boolean }> {
  const { articles, truncated } = await windowArticles(store, fromMs, toMs);
  return { stories: rankStories(articles, threshold), truncated };
}
