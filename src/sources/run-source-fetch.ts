// One fetch of one source: conditional GET, parse, and each new item upserted as an article.
import { createArticleStore } from "../articles/article-store";
import { fetchFeed } from "./fetch-feed";
import { articleFromItem, feedEditor, MAX_ITEMS_PER_FETCH } from "./ingest-items";
import { parseFeed } from "./parse-feed";
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
  const blank = { items: 0, created: 0, skipped: 0 };
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
  let feed;
  try {
    feed = parseFeed(outcome.body, source.url);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
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
  for (const item of newestFirst.slice(0, MAX_ITEMS_PER_FETCH)) {
    const url = canonicalUrl(item.url);
    if (options.seen(url)) continue;
    const input = articleFromItem(item, source, options.now);
    // An item the article rules refuse (say, a URL over 2,048 characters) is skipped, not fatal.
    if (!input || !ArticleInput.safeParse(input).success) {
      skipped++;
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
      items: feed.items.length,
      created,
      skipped,
    },
    // The validators stay as they were, so the next fetch is not answered 304 and an item that was
    // not stored is offered again (the items already seen cost nothing).
    validators: unstored ? null : { etag: outcome.etag, lastModified: outcome.lastModified },
  };
}
