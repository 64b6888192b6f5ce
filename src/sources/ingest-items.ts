// Feed items become articles through the editors' canonical-URL upsert, with the skip rules: too
// old, too far ahead, no link; a title-less item takes its summary's first sentence; an undated item
// takes the time it was first seen, only where that cannot make old news today's.
import type { ArticleInput } from "../articles/article-schema";
import { clip, collapse } from "./feed-text";
import type { FeedItem } from "./read-feed";

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
/** A title made from a summary: at most this many characters, as feed readers show them. */
export const DERIVED_TITLE_MAX_CHARS = 120;
const TITLE_MAX_CHARS = 300;

export type SourceFields = { id: string; name: string; topics: string[] };

/**
 * A title for an item that has none (link blogs, micro-posts): its summary's first sentence, at
 * most DERIVED_TITLE_MAX_CHARS characters and ending at a word.
 */
export function titleFromSummary(summary: string | null): string | null {
  const text = collapse(summary ?? "");
  if (!text) return null;
  // The first ".", "!", "?" or "…" followed by a space and a capital, digit or quote, or the end.
  const end = /[.!?…](?=\s+[\p{Lu}\p{N}"'“‘(]|$)/u.exec(text.slice(0, 1000));
  const sentence = end ? text.slice(0, end.index + (end[0] === "." ? 0 : 1)) : text;
  if (sentence.length <= DERIVED_TITLE_MAX_CHARS) return sentence;
  return clip(sentence.replace(/[\s,;:]+$/, ""), DERIVED_TITLE_MAX_CHARS);
}

/**
 * Whether undated items may be dated by when they were first seen. Only if the feed's dated items
 * are recent (an archive of old posts stays old), or, in a feed with no dates at all, once the source
 * has been read before: its first fetch sees a backlog, not news.
 */
export function undatedItemsAreNews(items: FeedItem[], now: Date, readBefore: boolean): boolean {
  const dated = items.flatMap((item) => (item.publishedAt ? [Date.parse(item.publishedAt)] : []));
  if (dated.length === 0) return readBefore;
  return Math.max(...dated) >= now.getTime() - MAX_ITEM_AGE_MS;
}

/**
 * The article input for an item, or null when the skip rules drop it. `firstSeenMs` is when this
 * source first saw the item (its date if it has none); null when undated items are not news here.
 */
export function articleFromItem(
  item: FeedItem,
  source: SourceFields,
  now: Date,
  firstSeenMs: number | null,
): ArticleInput | null {
  const title = item.title ?? titleFromSummary(item.summary);
  if (!item.url || !title) return null;
  const publishedMs = item.publishedAt ? Date.parse(item.publishedAt) : firstSeenMs;
  if (publishedMs === null) return null;
  if (publishedMs < now.getTime() - MAX_ITEM_AGE_MS) return null;
  if (publishedMs > now.getTime() + MAX_ITEM_FUTURE_MS) return null;
  return {
    url: item.url,
    title: clip(title, TITLE_MAX_CHARS),
    summary: item.summary || undefined,
    source: source.name,
    topics: source.topics,
    publishedAt: new Date(publishedMs).toISOString(),
  };
}

export const feedEditor = (sourceId: string) => `feed:${sourceId}`;
