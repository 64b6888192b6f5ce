// Walks an XML document as element events, through htmlparser2's Tokenizer in XML mode (a streaming
// state machine: linear time, no tree, no DTD and no external entity ever fetched). Names resolve
// to namespace URIs, `xml:base` is in scope at every level, character data is decoded once, and each
// element's raw content stays reachable by index. Lenient the way feed readers are: a stray end tag
// is skipped, an end tag that skips inner ones closes them, a document that stops early closes what
// is open. Each such fault is recorded with where it is, for the editor's warning or error.
import { decodeHTMLStrict } from "entities";
import { Tokenizer } from "htmlparser2";
import { FeedError, positionOf } from "./feed-error";

/** Deeper than any real feed; a deeper document is refused before its stack can eat the memory. */
export const MAX_XML_DEPTH = 1000;
const MAX_PROBLEMS = 20;

export type XmlElement = {
  /** The name as written (`a10:link`), its local part and its namespace URI ("" for none). */
  name: string;
  local: string;
  ns: string;
  /** Attributes by the name as written, values decoded. */
  attrs: Record<string, string>;
  /** The base URL in scope for this element's content and attributes. */
  base: string;
  depth: number;
  /** Index in the text where the element's content starts. */
  contentStart: number;
  parent: XmlElement | null;
};

export type XmlEvents = {
  open(element: XmlElement): void;
  text(text: string): void;
  /** `contentEnd` is where the content stops; `cutOff` when the document ended with it open. */
  close(element: XmlElement, contentEnd: number, cutOff: boolean): void;
};

export type XmlProblem = { message: string; index: number };
export type XmlWalk = {
  root: XmlElement | null;
  problems: XmlProblem[];
  /** Whether the document ended with elements open; `innermost` names the deepest of them. */
  cutOff: boolean;
  innermost: string;
};

// Prefixes feeds use without declaring them (webfeed's Atom-Media.xml, many podcast feeds).
const KNOWN_PREFIXES: Record<string, string> = {
  xml: "http://www.w3.org/XML/1998/namespace",
  atom: "http://www.w3.org/2005/Atom",
  a10: "http://www.w3.org/2005/Atom",
  atom10: "http://www.w3.org/2005/Atom",
  dc: "http://purl.org/dc/elements/1.1/",
  dcterms: "http://purl.org/dc/terms/",
  content: "http://purl.org/rss/1.0/modules/content/",
  media: "http://search.yahoo.com/mrss/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  itunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
};

const NAME_START = /^[A-Za-z_:\u00C0-\uFFFF]/;

const decode = (raw: string) => (raw.includes("&") ? decodeHTMLStrict(raw) : raw);

function resolve(reference: string, base: string): string {
  try {
    return new URL(reference.trim(), base).href;
  } catch {
    return base;
  }
}

type Scope = Record<string, string>;
const NO_PREFIXES: Scope = Object.freeze(Object.create(null) as Scope);
type Open = { element: XmlElement; scope: Scope };

/** Walks `text`; `baseUrl` is the document's own address. Throws FeedError past MAX_XML_DEPTH. */
export function walkXml(text: string, baseUrl: string, events: XmlEvents): XmlWalk {
  const stack: Open[] = [];
  const problems: XmlProblem[] = [];
  const problem = (message: string, index: number) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ message, index });
  };
  let root: XmlElement | null = null;
  let rootClosed = false;
  let cutOff = false;
  let innermost = "";
  let tagStart = 0;
  let tagName = "";
  let attrName = "";
  let attrValue = "";
  let attrs: Record<string, string> = {};

  const inside = () => stack.length > 0;
  const closeTop = (contentEnd: number, cut: boolean) => {
    const open = stack.pop();
    if (!open) return;
    events.close(open.element, contentEnd, cut);
    if (stack.length === 0) rootClosed = true;
  };

  const openElement = (contentStart: number): Open | null => {
    if (!NAME_START.test(tagName)) {
      problem(
        `"<${tagName.slice(0, 20)}" is not a tag: a "<" in text must be written &lt;`,
        tagStart,
      );
      if (inside()) events.text(text.slice(tagStart, contentStart));
      return null;
    }
    if (rootClosed) {
      problem(`<${tagName}> comes after the root element has closed`, tagStart);
      return null;
    }
    if (stack.length >= MAX_XML_DEPTH) {
      throw new FeedError(
        `The feed nests elements more than ${MAX_XML_DEPTH} levels deep (at ${positionOf(text, tagStart)}): ` +
          "no real feed does, and Tidings reads no deeper.",
      );
    }
    const parent = stack[stack.length - 1] ?? null;
    // A scope inherits its parent's prefixes; an element that declares some gets its own layer.
    let scope = parent?.scope ?? NO_PREFIXES;
    let declares = false;
    for (const [name, value] of Object.entries(attrs)) {
      if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
      if (!declares) scope = Object.create(scope) as Scope;
      declares = true;
      scope[name === "xmlns" ? "" : name.slice(6)] = value;
    }
    const colon = tagName.indexOf(":");
    const prefix = colon > 0 ? tagName.slice(0, colon) : "";
    const parentBase = parent?.element.base ?? baseUrl;
    const xmlBase = attrs["xml:base"];
    const element: XmlElement = {
      name: tagName,
      local: colon > 0 ? tagName.slice(colon + 1) : tagName,
      ns: scope[prefix] ?? KNOWN_PREFIXES[prefix] ?? (prefix ? prefix : ""),
      attrs,
      base: xmlBase === undefined ? parentBase : resolve(xmlBase, parentBase),
      depth: stack.length,
      contentStart,
      parent: parent?.element ?? null,
    };
    const open = { element, scope };
    stack.push(open);
    root ??= element;
    events.open(element);
    return open;
  };

  const tokenizer = new Tokenizer(
    { xmlMode: true, decodeEntities: false },
    {
      onopentagname(start, end) {
        tagStart = start - 1;
        tagName = text.slice(start, end);
        attrs = {};
      },
      onattribname(start, end) {
        attrName = text.slice(start, end);
        attrValue = "";
      },
      onattribdata(start, end) {
        attrValue += text.slice(start, end);
      },
      onattribentity() {},
      onattribend() {
        if (!(attrName in attrs)) attrs[attrName] = decode(attrValue);
      },
      onopentagend(end) {
        openElement(end + 1);
      },
      onselfclosingtag(end) {
        if (openElement(end + 1)) closeTop(end + 1, false);
      },
      onclosetag(start, end) {
        const name = text.slice(start, end);
        let at = stack.length - 1;
        while (at >= 0 && stack[at]?.element.name !== name) at--;
        if (at === -1) {
          if (!rootClosed) problem(`</${name}> closes no open element`, start - 2);
          return;
        }
        if (at !== stack.length - 1) {
          const inner = stack[stack.length - 1]?.element.name ?? "";
          problem(`</${name}> comes before </${inner}>`, start - 2);
        }
        while (stack.length > at) closeTop(start - 2, false);
      },
      ontext(start, end) {
        if (inside()) events.text(decode(text.slice(start, end)));
        else if (!root && text.slice(start, end).trim())
          problem("text before the root element", start);
      },
      ontextentity() {},
      oncdata(start, end, offset) {
        if (inside()) events.text(text.slice(start, end - offset));
      },
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {
        if (stack.length === 0) return;
        cutOff = true;
        innermost = stack[stack.length - 1]?.element.name ?? "";
        while (stack.length > 0) closeTop(text.length, true);
      },
    },
  );
  tokenizer.write(text);
  tokenizer.end();
  return { root, problems, cutOff, innermost };
}

/** A problem as a sentence with its place: "line 3, column 9: </title> closes no open element". */
export const describeProblem = (text: string, problem: XmlProblem) =>
  `${positionOf(text, problem.index)}: ${problem.message}`;
