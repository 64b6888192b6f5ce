// One fetch of one source: conditional GET, parse, and each new item upserted as an article.
import { createArticleStore } from "../articles/article-store";
import { fetchFeed } from "./fetch-feed";
import { FeedError } from "./feed-error";
import {
  articleFromItem,
  feedEditor,
  MAX_ITEMS_PER_FETCH,
  undatedItemsAreNews,
} from "./ingest-items";
import { type ParsedFeed, readFeed } from "./read-feed";
import type { FetchReport, Source } from "./source-schema";
import { canonicalUrl } from "../articles/canonical-url";
import { ArticleInput } from "../articles/article-schema";

export type RunOptions = {
  etag: string | null;
  lastModified: string | null;
  allowPrivate: boolean;
  userAgent: string;
  seen: (url: string) => boolean;
  markSeen: (url: string) => void;
  /** When this source first saw an undated item at `url` (recorded now if never). */
  firstSeen: (url: string) => number;
  now: Date;
};

export async function runSourceFetch(
  env: Env,
  source: Source,
  options: RunOptions,
): Promise<{
  report: FetchReport;
  validators: { etag: string | null; lastModified: string | null } | null;
}> {
  const blank = { items: 0, created: 0, skipped: 0, warning: null };
  const outcome = await fetchFeed(source.url, options);
  if (outcome.kind === "not_modified") {
    return {
      report: { status: "not_modified", httpStatus: 304, error: null, ...blank },
      validators: null,
    };
  }
  if (outcome.kind === "error") {
    return {
      report: { status: "failed", httpStatus: outcome.status, error: outcome.error, ...blank },
      validators: null,
    };
  }
  let feed: ParsedFeed;
  try {
    feed = readFeed(outcome.bytes, { url: outcome.url, contentType: outcome.contentType });
  } catch (error) {
    // A FeedError says why in an editor's words; anything else is a fault of ours, said as such.
    const message =
      error instanceof FeedError
        ? error.message
        : `The feed could not be read (${error instanceof Error ? error.message : String(error)}).`;
    return {
      report: { status: "failed", httpStatus: outcome.status, error: message, ...blank },
      validators: null,
    };
  }
  const store = createArticleStore(env.ARTICLES, env.ARTICLE_URLS);
  const newestFirst = [...feed.items].sort((a, b) =>
    (b.publishedAt ?? "").localeCompare(a.publishedAt ?? ""),
  );
  let created = 0;
  let skipped = 0;
  let unstored = false;
  const undatedAreNews = undatedItemsAreNews(feed.items, options.now, source.lastFetchAt !== null);
  for (const item of newestFirst.slice(0, MAX_ITEMS_PER_FETCH)) {
    if (!item.url) {
      skipped++;
      continue;
    }
    const url = canonicalUrl(item.url);
    if (options.seen(url)) continue;
    const firstSeenMs = !item.publishedAt && undatedAreNews ? options.firstSeen(url) : null;
    const input = articleFromItem(item, source, options.now, firstSeenMs);
    // An item the article rules refuse (say, a URL over 2,048 characters) is skipped, not fatal.
    if (!input || !ArticleInput.safeParse(input).success) {
      skipped++;
      // An undated item passed over now is never taken later with a later date.
      if (!item.publishedAt) options.markSeen(url);
      continue;
    }
    try {
      const result = await store.upsert(input, feedEditor(source.id), options.now);
      if (result.created) created++;
      options.markSeen(url);
    } catch {
      // Storage failed (not the item): the others go on, and the feed is read in full next time.
      skipped++;
      unstored = true;
    }
  }
  skipped += Math.max(0, feed.items.length - MAX_ITEMS_PER_FETCH);
  return {
    report: {
      status: "fetched",
      httpStatus: outcome.status,
      error: null,
      warning: feed.warnings[0] ?? null,
      items: feed.items.length,
      created,
      skipped,
    },
    // The validators stay as they were, so the next fetch is not answered 304 and an item that was
    // not stored is offered again (the items already seen cost nothing).
    validators: unstored ? null : { etag: outcome.etag, lastModified: outcome.lastModified },
  };
}
