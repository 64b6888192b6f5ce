// One item as the parser reads it, before any rule of ingestion: every field null when the feed
// leaves it out. Also the namespaces feeds use and how Atom marks a text's kind.
import type { TextKind } from "./feed-text";

export type RawItem = {
  /** Plain text, whitespace collapsed; null when the item has no title. */
  title: string | null;
  /** Absolute http(s) URL of the item's page. */
  url: string | null;
  /** ISO 8601 instant in UTC. */
  publishedAt: string | null;
  /** Plain text, at most SUMMARY_MAX_CHARS. */
  summary: string | null;
};

export const SUMMARY_MAX_CHARS = 2000;
/** Far beyond any real headline; the article schema keeps 300 of them. */
export const TITLE_MAX_CHARS = 2000;

export const NS = {
  atom: "http://www.w3.org/2005/Atom",
  atom03: "http://purl.org/atom/ns#",
  rss10: "http://purl.org/rss/1.0/",
  dc: "http://purl.org/dc/elements/1.1/",
  dcterms: "http://purl.org/dc/terms/",
  content: "http://purl.org/rss/1.0/modules/content/",
  itunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
  media: "http://search.yahoo.com/mrss/",
  xhtml: "http://www.w3.org/1999/xhtml",
} as const;

/**
 * How an Atom text construct or content is to be read (RFC 4287 3.1 and 4.1.3; Atom 0.3's `mode`):
 * `text`, `text/*` and no type are text, `html` and `xhtml` (and XML types) are markup, and any other
 * media type, or `mode="base64"`, is base64 (of text, for what a reader is shown).
 */
export function atomTextKind(attrs: Record<string, string>): { kind: TextKind; base64: boolean } {
  const type = (attrs.type ?? "").trim().toLowerCase() || "text";
  const mode = (attrs.mode ?? "").trim().toLowerCase();
  const html = type.includes("html") || type.endsWith("xml");
  if (mode === "base64") return { kind: html ? "html" : "text", base64: true };
  if (html) return { kind: "html", base64: false };
  return { kind: "text", base64: type !== "text" && !type.startsWith("text/") };
}
