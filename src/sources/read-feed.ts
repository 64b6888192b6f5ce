// A fetched feed body as items: decoded by its declared encoding, then read as JSON Feed, or as RSS,
// RSS 1.0 or Atom. The feed cron and `npm run feeds:parse` both call readFeed, so what the tool
// prints is what the cron ingests (before the ingestion rules: age, missing links, missing titles).
import { Parser } from "htmlparser2";
import { decodeFeed } from "./feed-encoding";
import { FeedError } from "./feed-error";
import type { RawItem } from "./feed-item";
import { absoluteHttpUrl } from "./feed-links";
import { readJsonFeed } from "./read-json-feed";
import { htmlPage, readXmlFeed } from "./read-xml-feed";

export type FeedItem = RawItem;

export type ParsedFeed = {
  format: "rss" | "rdf" | "atom" | "json";
  title: string | null;
  items: FeedItem[];
  /** The encoding the body was read in (a WHATWG name, or utf-32be/le). */
  encoding: string;
  /** What was wrong but did not stop the reading (an XML error, a cut-off document). */
  warnings: string[];
};

/** What the HTTP response said besides its body: its final address (after redirects), its type. */
export type FeedResponse = { url: string; contentType: string | null };

const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<!doctype\s+html[\s>]/i;

/** Where an HTML page says its feed is (`<link rel="alternate" type="application/rss+xml">`). */
function feedLinkOf(html: string, base: string): string | null {
  let found: string | null = null;
  const parser = new Parser({
    onopentag(name, attrs) {
      if (found || name !== "link") return;
      const rel = (attrs.rel ?? "").toLowerCase().split(/\s+/);
      if (!rel.includes("alternate") || !/(rss|atom|feed)\+(xml|json)/i.test(attrs.type ?? ""))
        return;
      found = absoluteHttpUrl(attrs.href ?? "", base);
    },
  });
  parser.write(html.slice(0, 256 * 1024));
  parser.end();
  return found;
}

/** Reads a feed from the bytes of an HTTP response; throws FeedError when it is not a feed. */
export function readFeed(bytes: Uint8Array, response: FeedResponse): ParsedFeed {
  const decoded = decodeFeed(bytes, response.contentType);
  const text = decoded.text.replace(/^\uFEFF/, "");
  if (!text.trim()) throw new FeedError("Not a feed: the body is empty.");
  const read = (() => {
    if (/^\s*[[{]/.test(text)) return { ...readJsonFeed(text, response.url), warnings: [] };
    try {
      if (HTML_START.test(text)) throw htmlPage();
      return readXmlFeed(text, response.url);
    } catch (error) {
      if (!(error instanceof FeedError) || !error.message.includes("HTML page")) throw error;
      const link = feedLinkOf(text, response.url);
      throw link ? htmlPage(` The page names its feed: ${link}`) : error;
    }
  })();
  return { ...read, encoding: decoded.encoding, warnings: [...decoded.warnings, ...read.warnings] };
}
