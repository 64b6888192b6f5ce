// Any of RSS 2.0, RSS 1.0 (RDF), Atom 1.0 and JSON Feed 1.1 as one list of items, through feedsmith.
//
// feedsmith (MIT, actively maintained) parses all four formats and OPML in plain JavaScript on
// fast-xml-parser: no DOM, no Node built-ins, no network of its own, so it runs in workerd as is.
// rss-parser needs Node's http and xml2js; @rowanmanning/feed-parser has no JSON Feed;
// @extractus/feed-extractor fetches by itself (we must own the fetch to apply our caps).
import { parseFeed as parseAnyFeed } from "feedsmith";
import { plainText } from "./plain-text";

export type FeedItem = {
  url: string;
  title: string;
  summary: string;
  /** ISO instant, or null when the item carries no readable date. */
  publishedAt: string | null;
};

export type ParsedFeed = {
  format: "rss" | "atom" | "rdf" | "json";
  title: string;
  items: FeedItem[];
};

export const SUMMARY_MAX_CHARS = 2000;
export const TITLE_MAX_CHARS = 300;

const text = (value: unknown): string => {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "value" in value) return text(value.value);
  return "";
};

function isoOf(...candidates: unknown[]): string | null {
  for (const candidate of candidates) {
    const raw = text(candidate).trim();
    if (!raw) continue;
    const ms = Date.parse(raw);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return null;
}

/** Absolute http(s) URL of an item's link, resolved against the feed's address. */
function absolute(link: string, base: string): string | null {
  try {
    const url = new URL(link.trim(), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

type Raw = { url: string; title: string; summary: string; dates: unknown[] };

function rawItems(format: string, feed: Record<string, any>): Raw[] {
  if (format === "atom") {
    return (feed.entries ?? []).map((entry: Record<string, any>) => {
      const links: Record<string, any>[] = entry.links ?? [];
      const link = links.find((l) => !l.rel || l.rel === "alternate") ?? links[0];
      return {
        url: text(link?.href),
        title: text(entry.title),
        summary: text(entry.summary) || text(entry.content),
        dates: [entry.published, entry.updated],
      };
    });
  }
  if (format === "json") {
    return (feed.items ?? []).map((item: Record<string, any>) => ({
      url: text(item.url) || text(item.external_url),
      title: text(item.title),
      summary: text(item.summary) || text(item.content_html) || text(item.content_text),
      dates: [item.date_published, item.date_modified],
    }));
  }
  return (feed.items ?? []).map((item: Record<string, any>) => ({
    url: text(item.link) || (item.guid?.isPermaLink !== false ? text(item.guid) : ""),
    title: text(item.title),
    summary: text(item.description) || text(item.content?.encoded),
    dates: [item.pubDate, ...(item.dc?.dates ?? []), item.dc?.date],
  }));
}

/** Parses a feed body; throws a message a person can act on when it is not a feed we read. */
export function parseFeed(body: string, feedUrl: string): ParsedFeed {
  let parsed: { format: string; feed: unknown };
  try {
    parsed = parseAnyFeed(body) as { format: string; feed: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Not an RSS, Atom or JSON feed (${reason}).`);
  }
  const format = parsed.format;
  if (format !== "rss" && format !== "atom" && format !== "rdf" && format !== "json") {
    throw new Error(`Unsupported feed format: ${format}.`);
  }
  const feed = (parsed.feed ?? {}) as Record<string, any>;
  const items: FeedItem[] = [];
  for (const raw of rawItems(format, feed)) {
    const url = raw.url ? absolute(raw.url, feedUrl) : null;
    const title = plainText(raw.title, TITLE_MAX_CHARS);
    if (!url || !title) continue;
    items.push({
      url,
      title,
      summary: plainText(raw.summary, SUMMARY_MAX_CHARS),
      publishedAt: isoOf(...raw.dates),
    });
  }
  return { format, title: plainText(text(feed.title), 100), items };
}
