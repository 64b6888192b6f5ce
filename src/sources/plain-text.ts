// Feed titles and descriptions as plain text: markup dropped, entities decoded, whitespace collapsed.
import { decodeHTML } from "entities";

// Elements whose content is never text a reader should see.
const HIDDEN =
  /<(script|style|noscript|template|iframe|object|svg|math)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const BLOCK_BREAK = /<\/?(p|div|br|li|ul|ol|h[1-6]|blockquote|tr|table|section|article)\b[^>]*>/gi;
const TAG = /<\/?[a-zA-Z!][^>]*>?/g;
// C0/C1 controls the article schema refuses.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * Plain text of an HTML fragment, at most `maxChars` characters (cut at a word, with "…").
 * Decoding runs twice because feeds often escape their HTML once more than they should
 * (`&amp;lt;p&amp;gt;`); tags revealed by the first decoding are removed by the second pass.
 */
export function plainText(fragment: string, maxChars: number): string {
  let text = fragment;
  for (let pass = 0; pass < 2; pass++) {
    text = decodeHTML(
      text
        .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
        .replace(HIDDEN, " ")
        .replace(BLOCK_BREAK, " ")
        .replace(TAG, ""),
    );
  }
  // Whatever angle brackets remain are text, but never a tag-like run a template could mistake.
  text = text.replace(TAG, "").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > maxChars * 0.6 ? cut.slice(0, space) : cut}…`;
}
