// RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom (1.0 and 0.3) items from one walk over the XML: each item's
// direct children give its title, links, dates and summary, by namespace URI (so `atom:link`,
// `a10:link` and undeclared prefixes all count) and with the `xml:base` in scope where each appears.
import { FeedError, positionOf } from "./feed-error";
import { atomTextKind, NS, type RawItem } from "./feed-item";
import { plainTextOf } from "./feed-text";
import {
  ATOM_NAMESPACES,
  atomItem,
  type Draft,
  isMediaText,
  RSS_NAMESPACES,
  rssItem,
} from "./xml-item";
import { describeProblem, walkXml, type XmlElement } from "./xml-walker";

export type XmlFeed = {
  format: "rss" | "rdf" | "atom";
  title: string | null;
  items: RawItem[];
  warnings: string[];
};

// The children of an item that are read (in any namespace: which one is checked when reading).
const FIELDS = new Set(
  `title link guid description encoded summary content pubDate date issued created modified updated
  published`.split(/\s+/),
);

type Field = { element: XmlElement; texts: string[]; hasElements: boolean };

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
