// One RSS item's or Atom entry's fields, from the child elements the walk captured: which element
// gives the title, link, date and summary, in which order, and how each is read as text.
import { parseFeedDate } from "./feed-dates";
import { atomTextKind, NS, type RawItem, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS } from "./feed-item";
import { alternateLink, type LinkCandidate, rssLink } from "./feed-links";
import { type Captured, clip, plainTextOf, type TextKind } from "./feed-text";
import type { XmlElement } from "./xml-walker";

export const RSS_NAMESPACES = new Set([
  "",
  NS.rss10,
  "http://my.netscape.com/rdf/simple/0.9/",
  "http://channel.netscape.com/rdf/simple/0.9/",
  "http://backend.userland.com/rss2",
  "http://backend.userland.com/rss",
  "http://blogs.law.harvard.edu/tech/rss",
]);
export const ATOM_NAMESPACES = new Set<string>([NS.atom, NS.atom03]);
/** An item being read: its element, its captured children (by `ns local`), its Atom-style links. */
export type Draft = {
  element: XmlElement;
  values: Map<string, { element: XmlElement; value: Captured }>;
  links: LinkCandidate[];
};

/** The item's child element named `local` in the first of `namespaces` that has one. */
function child(draft: Draft, namespaces: Iterable<string>, local: string) {
  for (const ns of namespaces) {
    const entry = draft.values.get(`${ns} ${local}`);
    if (entry) return entry;
  }
  return null;
}

function firstDate(...values: ({ value: Captured } | null)[]): string | null {
  for (const entry of values) {
    const date = entry ? parseFeedDate(entry.value.text) : null;
    if (date) return date;
  }
  return null;
}

function textOf(
  entry: { value: Captured } | null,
  kind: TextKind,
  maxChars: number,
): string | null {
  if (!entry) return null;
  return clip(plainTextOf(entry.value, kind, maxChars), maxChars) || null;
}

export function rssItem(draft: Draft): RawItem {
  const rss = (local: string) => child(draft, [draft.element.ns, ...RSS_NAMESPACES], local);
  const link = rss("link");
  const guid = rss("guid");
  return {
    title:
      textOf(rss("title"), "auto", TITLE_MAX_CHARS) ??
      textOf(child(draft, [NS.dc], "title"), "auto", TITLE_MAX_CHARS) ??
      mediaText(draft, "title", TITLE_MAX_CHARS),
    url: rssLink(
      link ? { text: link.value.text, base: link.element.base } : null,
      guid
        ? {
            text: guid.value.text,
            base: guid.element.base,
            isPermaLink: guid.element.attrs.isPermaLink,
          }
        : null,
      draft.links,
    ),
    publishedAt: firstDate(
      rss("pubDate"),
      child(draft, [NS.dcterms], "issued"),
      child(draft, [NS.atom], "published"),
      child(draft, [NS.dc], "date"),
      child(draft, [NS.dcterms], "modified"),
      child(draft, [NS.atom], "updated"),
      child(draft, [NS.dcterms], "created"),
      child(draft, [NS.dcterms], "date"),
    ),
    summary:
      textOf(rss("description"), "html", SUMMARY_MAX_CHARS) ??
      textOf(child(draft, [NS.content], "encoded"), "html", SUMMARY_MAX_CHARS) ??
      textOf(child(draft, [NS.itunes], "summary"), "text", SUMMARY_MAX_CHARS) ??
      mediaText(draft, "description", SUMMARY_MAX_CHARS),
  };
}

export function atomItem(draft: Draft): RawItem {
  const atom = (local: string) => child(draft, [...ATOM_NAMESPACES, ""], local);
  const atomText = (local: string, maxChars: number) => {
    const entry = atom(local);
    if (!entry) return null;
    const { kind, base64 } = atomTextKind(entry.element.attrs);
    const value = base64 ? { ...entry.value, text: fromBase64(entry.value.text) } : entry.value;
    return textOf({ value }, kind, maxChars);
  };
  return {
    title:
      atomText("title", TITLE_MAX_CHARS) ??
      textOf(child(draft, [NS.dc], "title"), "auto", TITLE_MAX_CHARS) ??
      mediaText(draft, "title", TITLE_MAX_CHARS),
    url: alternateLink(draft.links),
    publishedAt: firstDate(
      atom("published"),
      atom("issued"),
      child(draft, [NS.dcterms], "issued"),
      atom("updated"),
      atom("modified"),
      child(draft, [NS.dc], "date"),
      child(draft, [NS.dcterms], "modified"),
      atom("created"),
      child(draft, [NS.dcterms], "created"),
    ),
    summary:
      atomText("summary", SUMMARY_MAX_CHARS) ??
      atomText("content", SUMMARY_MAX_CHARS) ??
      mediaText(draft, "description", SUMMARY_MAX_CHARS),
  };
}

const MEDIA_NAMESPACES = [NS.media, "http://search.yahoo.com/mrss"];
export const isMediaText = (el: XmlElement) =>
  MEDIA_NAMESPACES.includes(el.ns) && (el.local === "title" || el.local === "description");

/** Media RSS `media:title` or `media:description`: `type="plain"` (the default) or `"html"`. */
function mediaText(draft: Draft, local: string, maxChars: number): string | null {
  const entry =
    child(draft, MEDIA_NAMESPACES, local) ??
    child(
      draft,
      MEDIA_NAMESPACES.map((ns) => `nested ${ns}`),
      local,
    );
  const kind = entry?.element.attrs.type?.trim().toLowerCase() === "html" ? "html" : "text";
  return textOf(entry, kind, maxChars);
}

/** Base64 content (Atom 0.3 `mode="base64"`, Atom 1.0 non-text types) as UTF-8 text, or "". */
function fromBase64(encoded: string): string {
  try {
    const binary = atob(encoded.replace(/\s+/g, ""));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return "";
  }
}
