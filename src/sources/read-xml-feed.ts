// RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom (1.0 and 0.3) items from one walk over the XML: each item's
// direct children give its title, links, dates and summary, by namespace URI (so `atom:link`,
// `a10:link` and undeclared prefixes all count) and with the `xml:base` in scope where each appears.
import { parseFeedDate } from "./feed-dates";
import { FeedError, positionOf } from "./feed-error";
import { alternateLink, type LinkCandidate, rssLink } from "./feed-links";
import { type Captured, clip, plainTextOf, type TextKind } from "./feed-text";
import { atomTextKind, NS, type RawItem, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS } from "./feed-item";
import { describeProblem, walkXml, type XmlElement } from "./xml-walker";

export type XmlFeed = {
  format: "rss" | "rdf" | "atom";
  title: string | null;
  items: RawItem[];
  warnings: string[];
};

const RSS_NAMESPACES = new Set([
  "",
  NS.rss10,
  "http://my.netscape.com/rdf/simple/0.9/",
  "http://channel.netscape.com/rdf/simple/0.9/",
  "http://backend.userland.com/rss2",
  "http://backend.userland.com/rss",
  "http://blogs.law.harvard.edu/tech/rss",
]);
const ATOM_NAMESPACES = new Set<string>([NS.atom, NS.atom03]);
// The children of an item that are read (in any namespace: which one is checked when reading).
const FIELDS = new Set(
  `title link guid description encoded summary content pubDate date issued created modified updated
  published`.split(/\s+/),
);

type Field = { element: XmlElement; texts: string[]; hasElements: boolean };
type Draft = {
  element: XmlElement;
  values: Map<string, { element: XmlElement; value: Captured }>;
  links: LinkCandidate[];
};

function formatOf(root: XmlElement, text: string): XmlFeed["format"] {
  const local = root.local.toLowerCase();
  if (local === "rss" || local === "channel") return "rss";
  if (local === "rdf") return "rdf";
  if (local === "feed") return "atom";
  if (local === "html" || local === "head" || local === "body" || root.ns === NS.xhtml) {
    throw htmlPage();
  }
  throw new FeedError(
    `Not a feed: the document's root element is <${root.name.slice(0, 40)}> ` +
      `(${positionOf(text, root.contentStart)}), where a feed has <rss>, <feed> or <rdf:RDF>.`,
  );
}

/** The error for an HTML page where a feed was expected. */
export const htmlPage = (feedHint = "") =>
  new FeedError(`This address serves an HTML page, not a feed.${feedHint}`);

/** Reads an XML feed's items; throws FeedError when the document is not one. */
export function readXmlFeed(text: string, baseUrl: string): XmlFeed {
  let format: XmlFeed["format"] | null = null;
  let rootNs = "";
  let feedTitle: string | null = null;
  let field: Field | null = null;
  let draft: Draft | null = null;
  const items: RawItem[] = [];

  const isAtom = (el: XmlElement) =>
    ATOM_NAMESPACES.has(el.ns) || (el.ns === "" && format === "atom");
  // RSS elements carry no namespace, RSS 1.0's or 0.9's, or whatever default the root declares.
  const isRss = (el: XmlElement) =>
    format !== "atom" && (RSS_NAMESPACES.has(el.ns) || el.ns === rootNs);
  const isItem = (el: XmlElement) =>
    el.local === (format === "atom" ? "entry" : "item") &&
    (format === "atom" ? isAtom(el) : isRss(el));
  const isFeedLevel = (el: XmlElement) =>
    el.depth <= 1 && (el.local === "channel" || el.depth === 0);

  const walk = walkXml(text, baseUrl, {
    open(el) {
      if (format === null) {
        format = formatOf(el, text);
        rootNs = el.ns;
      }
      if (field) {
        field.hasElements = true;
        return;
      }
      if (!draft) {
        if (isItem(el)) draft = { element: el, values: new Map(), links: [] };
        else if (el.local === "title" && el.parent && isFeedLevel(el.parent)) {
          field = { element: el, texts: [], hasElements: false };
        }
        return;
      }
      // Direct children are the item's fields; Media RSS titles may sit deeper (media:group).
      if (el.parent === draft.element ? !FIELDS.has(el.local) : !isMediaText(el)) return;
      field = { element: el, texts: [], hasElements: false };
    },
    text(value) {
      field?.texts.push(value);
    },
    close(el, contentEnd, cutOff) {
      if (field?.element === el) {
        const value = {
          text: field.texts.join(""),
          raw: text.slice(el.contentStart, contentEnd),
          hasElements: field.hasElements,
        };
        field = null;
        if (!draft) {
          feedTitle ??=
            plainTextOf(value, format === "atom" ? atomTextKind(el.attrs).kind : "auto", 200) ||
            null;
        } else if (el.parent !== draft.element) {
          // A nested media:title counts only where the item has none of its own (the first one).
          const key = `nested ${el.ns} ${el.local}`;
          if (!draft.values.has(key)) draft.values.set(key, { element: el, value });
        } else {
          // Of an element given twice, the last counts, as in feedparser.
          draft.values.set(`${el.ns} ${el.local}`, { element: el, value });
          if (el.local === "link" && (isAtom(el) || (isRss(el) && el.attrs.href !== undefined))) {
            // Atom 0.3 era feeds put the address in the element's text when there is no href.
            const { href = value.text, rel = "", type = "" } = el.attrs;
            draft.links.push({ href, rel, type, base: el.base });
          }
        }
        return;
      }
      if (draft?.element === el) {
        // An item the document stops inside is not read: its last field may be cut in half.
        if (!cutOff) items.push(format === "atom" ? atomItem(draft) : rssItem(draft));
        draft = null;
      }
    },
  });
  if (!walk.root || format === null) {
    const start = text.trim().slice(0, 40).replace(/\s+/g, " ");
    throw new FeedError(`Not a feed: the body is neither XML nor JSON (it begins "${start}").`);
  }
  const errors = walk.problems.filter((problem) => problem.index < text.length);
  const warnings = errors
    .slice(0, 3)
    .map((problem) => `XML error at ${describeProblem(text, problem)}.`);
  if (walk.cutOff) {
    const where = `${positionOf(text, text.length)}, inside <${walk.innermost}>`;
    if (items.length === 0) {
      throw new FeedError(
        `The feed stops at ${where}, before its first item is complete: it looks cut off.`,
      );
    }
    warnings.unshift(
      `The feed stops at ${where}, as if cut off: the ${items.length === 1 ? "item" : `${items.length} items`} before it ${items.length === 1 ? "was" : "were"} read.`,
    );
  }
  return { format, title: feedTitle, items, warnings };
}

/** The item's first child element named `local` in one of `namespaces`. */
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

function rssItem(draft: Draft): RawItem {
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

function atomItem(draft: Draft): RawItem {
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
const isMediaText = (el: XmlElement) =>
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
