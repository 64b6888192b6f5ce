// Feed titles and summaries as the plain text a reader sees: HTML goes through htmlparser2's
// tokenizer (a state machine, linear in the input: no regular expression over markup), entities are
// decoded once, markup is dropped, and a `<` that starts no HTML element stays text with every word
// after it. Whether a value is HTML at all follows the feed's own markings (Atom `type`) or, for RSS
// titles, whether it reads as HTML (a closing tag or an entity, and only HTML tag names).
import { decodeHTMLStrict } from "entities";
import { Tokenizer } from "htmlparser2";
import { BLOCK_ELEMENTS, HIDDEN_ELEMENTS, HTML_ELEMENTS } from "./html-elements";

/** C0 and C1 controls count as whitespace: feeds use them where a space was meant. */
const SPACE_RUN = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/** Every run of whitespace or control characters one space, none at the ends. */
export const collapse = (text: string) => text.replace(SPACE_RUN, " ").trim();

/** At most `maxChars` characters, cut at a word with "…". */
export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > maxChars * 0.6 ? cut.slice(0, space) : cut}…`;
}

const isMarkup = (name: string) =>
  HTML_ELEMENTS.has(name) || name.includes("-") || name.includes(":");

/**
 * The text of an HTML fragment, whitespace collapsed. Reading stops once `maxChars` characters of
 * text are gathered, so a 2 MB description costs no more than its first few kilobytes of text.
 */
export function htmlToText(html: string, maxChars = Number.POSITIVE_INFINITY): string {
  if (!html.includes("<") && !html.includes("&")) return collapse(html);
  const parts: string[] = [];
  let gathered = 0;
  // Hidden elements (script, style...) nest; their text is skipped until the outermost one closes.
  let hiddenName = "";
  let hiddenDepth = 0;
  let tagStart = -1;
  let tagName = "";
  let consumed = 0;
  const push = (text: string) => {
    if (hiddenDepth > 0 || text === "") return;
    parts.push(text);
    gathered += text.length;
    if (gathered > maxChars + 200) tokenizer.pause();
  };
  const openTag = (endIndex: number, selfClosing: boolean) => {
    const name = tagName;
    const source = html.slice(tagStart, endIndex + 1);
    tagStart = -1;
    consumed = endIndex + 1;
    if (!isMarkup(name)) return push(source);
    if (HIDDEN_ELEMENTS.has(name) && !selfClosing) {
      if (hiddenDepth === 0) hiddenName = name;
      if (name === hiddenName) hiddenDepth++;
      return;
    }
    if (BLOCK_ELEMENTS.has(name)) push(" ");
  };
  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      ontext(start, end) {
        push(html.slice(start, end));
        consumed = end;
      },
      ontextentity(codepoint, end) {
        push(String.fromCodePoint(codepoint));
        consumed = end;
      },
      oncdata(start, end, offset) {
        push(html.slice(start, end - offset));
        consumed = end + 1;
      },
      onopentagname(start, end) {
        tagStart = start - 1;
        tagName = html.slice(start, end).toLowerCase();
      },
      onopentagend: (end) => openTag(end, false),
      onselfclosingtag: (end) => openTag(end, true),
      onclosetag(start, end) {
        const name = html.slice(start, end).toLowerCase();
        const close = html.indexOf(">", end);
        consumed = close === -1 ? html.length : close + 1;
        if (!isMarkup(name)) return push(html.slice(start - 2, consumed));
        if (hiddenDepth > 0) {
          if (name === hiddenName) hiddenDepth--;
          return;
        }
        if (BLOCK_ELEMENTS.has(name)) push(" ");
      },
      oncomment(start, end) {
        // `<!-- -->` is a comment; `</ b>` or `<? x >` is a stray `<` the tokenizer took for one.
        const opener = html.lastIndexOf("<", start);
        if (!html.startsWith("<!", opener)) push(html.slice(opener, end + 1));
        consumed = end + 1;
      },
      onend() {
        // A tag left open at the end was a stray `<`: the words after it are text.
        const tail = tagStart >= 0 ? tagStart : consumed;
        if (tail < html.length) push(html.slice(tail));
      },
      onattribname() {},
      onattribdata() {},
      onattribentity() {},
      onattribend() {},
      ondeclaration(_start, end) {
        consumed = end + 1;
      },
      onprocessinginstruction(_start, end) {
        consumed = end + 1;
      },
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return collapse(parts.join(""));
}

const CLOSING_TAG = /<\/([A-Za-z][A-Za-z0-9]*)\s*>/g;
const TAG_NAME = /<\/?([A-Za-z][A-Za-z0-9]*)/g;
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/**
 * Whether text in a field that may hold either (an RSS title) reads as HTML: it has a closing tag
 * or an entity reference, and every tag in it names an HTML element. `Vec<T>`, `x < y` and
 * `A <canvas> game` do not; `<b>Bold</b> claims` and `Caf&eacute;` do.
 */
export function looksLikeHtml(text: string): boolean {
  if (!text.includes("<") && !text.includes("&")) return false;
  const hasClosingTag = [...text.matchAll(CLOSING_TAG)].some((m) =>
    HTML_ELEMENTS.has((m[1] ?? "").toLowerCase()),
  );
  const hasEntity = [...text.matchAll(ENTITY)].some((m) => decodeHTMLStrict(m[0]) !== m[0]);
  if (!hasClosingTag && !hasEntity) return false;
  return [...text.matchAll(TAG_NAME)].every((m) => HTML_ELEMENTS.has((m[1] ?? "").toLowerCase()));
}

/** How a feed marks a value: text, HTML, or (RSS titles) HTML only when it reads as HTML. */
export type TextKind = "text" | "html" | "auto";

/** A captured element: its character data decoded once, its raw content, whether it holds elements. */
export type Captured = { text: string; raw: string; hasElements: boolean };

/** The plain text of a captured value of the given kind, whitespace collapsed. */
export function plainTextOf(value: Captured, kind: TextKind, maxChars?: number): string {
  // Child elements (Atom xhtml, or HTML a feed left unescaped) are markup whatever the kind says.
  if (value.hasElements) return htmlToText(value.raw, maxChars);
  if (kind === "html" || (kind === "auto" && looksLikeHtml(value.text))) {
    return htmlToText(value.text, maxChars);
  }
  return collapse(value.text);
}
