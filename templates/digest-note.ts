// The editor's note in the email and on the desk: plain-text paragraphs, http(s) links made clickable,
// everything else escaped. Deliberately plain: the email's look is the email layout's job.
import { noteParagraphs } from "../src/digest/digest-note";
import { html, safeHref, type SafeHtml } from "./html";

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

function linked(paragraph: string, linkStyle: string, linkClass: string): SafeHtml[] {
  const pieces: SafeHtml[] = [];
  let last = 0;
  for (const match of paragraph.matchAll(URL_IN_TEXT)) {
    const href = safeHref(match[0]);
    pieces.push(html`${paragraph.slice(last, match.index)}`);
    pieces.push(
      href
        ? html`<a href='${href}'${linkClass ? html` class='${linkClass}'` : ""} style='${linkStyle}'>${match[0]}</a>`
        : html`${match[0]}`,
    );
    last = match.index + match[0].length;
  }
  pieces.push(html`${paragraph.slice(last)}`);
  return pieces;
}

/** `linkClass`: the email's dark-mode hook for links (see email-layout.ts). */
export function renderNoteHtml(
  note: string | null | undefined,
  linkStyle = "",
  linkClass = "",
): SafeHtml {
  if (!note) return html``;
  return html`${noteParagraphs(note).map(
    (paragraph) => html`<p style='margin:0 0 12px;'>${linked(paragraph, linkStyle, linkClass)}</p>`,
  )}`;
}

export const renderNoteText = (note: string | null | undefined) =>
  note ? `${noteParagraphs(note).join("\n\n")}\n\n` : "";
