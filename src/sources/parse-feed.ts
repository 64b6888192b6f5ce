// Any of RSS 2.0, RSS 1.0 (RDF), Atom 1.0 and JSON Feed 1.1 as one list of items, through feedsmith.
//
// feedsmith (MIT, actively maintained) parses all four formats and OPML in plain JavaScript on
// fast-xml-parser: no DOM, no Node built-ins, no network of its own, so it runs in workerd as is.
// rss-parser needs Node's http and xml2js; @rowanmanning/feed-parser has no JSON Feed;
// @extractus/feed-extractor fetches by itself (we must own the fetch to apply our caps).
import { parseFeed as parseAnyFeed } from "feedsmith";
import { z } from "zod";
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

// feedsmith's output, read through Zod: only the fields we use, each optional, anything else ignored.
// A value the XML parser may have read as a number ("2026") is text all the same.
const Text = z
  .union([
    z.string(),
    z.number().transform(String),
    z.object({ value: z.union([z.string(), z.number().transform(String)]).optional() }),
  ])
  .optional();
const Dates = z.array(z.string()).optional();
const AtomFeed = z.object({
  title: Text,
  entries: z
    .array(
      z.object({
        title: Text,
        summary: Text,
        content: Text,
        published: Text,
        updated: Text,
        links: z
          .array(z.object({ href: z.string().optional(), rel: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
});
const JsonFeed = z.object({
  title: Text,
  items: z
    .array(
      z.object({
        url: Text,
        external_url: Text,
        title: Text,
        summary: Text,
        content_html: Text,
        content_text: Text,
        date_published: Text,
        date_modified: Text,
      }),
    )
    .optional(),
});
const RssFeed = z.object({
  title: Text,
  items: z
    .array(
      z.object({
        title: Text,
        link: Text,
        guid: z
          .object({ value: z.string().optional(), isPermaLink: z.boolean().optional() })
          .optional(),
        description: Text,
        content: z.object({ encoded: Text }).optional(),
        pubDate: Text,
        dc: z.object({ dates: Dates, date: Text }).optional(),
      }),
    )
    .optional(),
});

const text = (value: z.infer<typeof Text>): string =>
  typeof value === "string" ? value : (value?.value ?? "");

function isoOf(...candidates: (string | undefined)[]): string | null {
  for (const candidate of candidates) {
    const raw = (candidate ?? "").trim();
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

type Raw = { url: string; title: string; summary: string; dates: (string | undefined)[] };

function rawItems(format: string, feed: unknown): { title: string; items: Raw[] } {
  if (format === "atom") {
    const atom = AtomFeed.parse(feed);
    return {
      title: text(atom.title),
      items: (atom.entries ?? []).map((entry) => {
        const links = entry.links ?? [];
        const link = links.find((l) => !l.rel || l.rel === "alternate") ?? links[0];
        return {
          url: link?.href ?? "",
          title: text(entry.title),
          summary: text(entry.summary) || text(entry.content),
          dates: [text(entry.published), text(entry.updated)],
        };
      }),
    };
  }
  if (format === "json") {
    const json = JsonFeed.parse(feed);
    return {
      title: text(json.title),
      items: (json.items ?? []).map((item) => ({
        url: text(item.url) || text(item.external_url),
        title: text(item.title),
        summary: text(item.summary) || text(item.content_html) || text(item.content_text),
        dates: [text(item.date_published), text(item.date_modified)],
      })),
    };
  }
  const rss = RssFeed.parse(feed);
  return {
    title: text(rss.title),
    items: (rss.items ?? []).map((item) => ({
      url: text(item.link) || (item.guid?.isPermaLink !== false ? (item.guid?.value ?? "") : ""),
      title: text(item.title),
      summary: text(item.description) || text(item.content?.encoded),
      dates: [text(item.pubDate), ...(item.dc?.dates ?? []), text(item.dc?.date)],
    })),
  };
}

/** Parses a feed body; throws a message a person can act on when it is not a feed we read. */
export function parseFeed(body: string, feedUrl: string): ParsedFeed {
  let parsed: { format: string; feed: unknown };
  try {
    parsed = parseAnyFeed(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Not an RSS, Atom or JSON feed (${reason}).`);
  }
  const format = parsed.format;
  if (format !== "rss" && format !== "atom" && format !== "rdf" && format !== "json") {
    throw new Error(`Unsupported feed format: ${format}.`);
  }
  let raw: { title: string; items: Raw[] };
  try {
    raw = rawItems(format, parsed.feed ?? {});
  } catch {
    throw new Error("The feed's items are not in a shape Tidings reads.");
  }
  const items: FeedItem[] = [];
  for (const item of raw.items) {
    const url = item.url ? absolute(item.url, feedUrl) : null;
    const title = plainText(item.title, TITLE_MAX_CHARS);
    if (!url || !title) continue;
    items.push({
      url,
      title,
      summary: plainText(item.summary, SUMMARY_MAX_CHARS),
      publishedAt: isoOf(...item.dates),
    });
  }
  return { format, title: plainText(raw.title, 100), items };
}
