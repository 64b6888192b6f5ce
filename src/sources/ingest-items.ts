// Feed items become articles through the editors' canonical-URL upsert, with the skip rules.
import type { ArticleInput } from "../articles/article-schema";
import type { FeedItem } from "./parse-feed";

const DAY_MS = 86_400_000;
/** Items older than this are old news; the digest would never show them. */
export const MAX_ITEM_AGE_MS = 7 * DAY_MS;
/** Items dated further ahead than this carry a broken clock, not news. */
export const MAX_ITEM_FUTURE_MS = DAY_MS;
/**
 * Items taken from one fetch, newest first. Each new item costs one ArticleUrl call (a subrequest);
 * with FEED_SOURCES_PER_STEP sources a step this keeps one invocation far below 1,000 subrequests.
 */
export const MAX_ITEMS_PER_FETCH = 100;

export type SourceFields = { id: string; name: string; topics: string[] };

/** The article input for an item, or null when the skip rules drop it. */
export function articleFromItem(
  item: FeedItem,
  source: SourceFields,
  now: Date,
): ArticleInput | null {
  const publishedMs = item.publishedAt ? Date.parse(item.publishedAt) : now.getTime();
  if (publishedMs < now.getTime() - MAX_ITEM_AGE_MS) return null;
  if (publishedMs > now.getTime() + MAX_ITEM_FUTURE_MS) return null;
  return {
    url: item.url,
    title: item.title,
    summary: item.summary || undefined,
    source: source.name,
    topics: source.topics,
    publishedAt: new Date(publishedMs).toISOString(),
  };
}

export const feedEditor = (sourceId: string) => `feed:${sourceId}`;
