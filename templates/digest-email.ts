// The digest email, rendered once per digest and split around the reader's own footer links,
// so personalising a million emails is string concatenation, not a million template renders.
import type { Digest } from "../src/digest/digest-schema";
import { headlines, renderDigestContent, renderDigestText } from "./digest-content";
import { renderNoteHtml, renderNoteText } from "./digest-note";
import { EMAIL_STYLE, renderEmailHtml } from "./email-layout";
import { html, raw } from "./html";

export type DigestEmailParts = {
  subject: string;
  /** HTML before and after the reader's footer links. */
  html: [string, string];
  text: [string, string];
};

const READER_SLOT = "\u0000READER\u0000";

/**
 * Non-ASCII characters as numeric character references. An all-ASCII body is copied byte for byte
 * when it is serialised and encoded once per reader; one non-ASCII character (a `·`) made the send
 * about 40% more expensive in CPU (measured with bench/, see BENCHMARKS.md).
 */
const asciiHtml = (html: string) =>
  html.replace(/[^\u0000-\u007f]/gu, (char) => `&#${char.codePointAt(0)};`);

export function renderDigestEmailParts(
  digest: Pick<Digest, "id" | "subject" | "sections" | "title"> & Partial<Pick<Digest, "note">>,
  site: { siteTitle: string; siteUrl: string; postalAddress: string },
): DigestEmailParts {
  const webUrl = `${site.siteUrl}/digests/${digest.id}`;
  const content = html`<h1 style='${EMAIL_STYLE.heading}'>${digest.title}</h1>
<p style='margin:0 0 8px;${EMAIL_STYLE.muted}'><a href='${webUrl}' style='${EMAIL_STYLE.link}'>Read this digest on the web</a></p>
${renderNoteHtml(digest.note, EMAIL_STYLE.link)}${renderDigestContent(digest.sections)}`;
  const fullHtml = renderEmailHtml({
    title: digest.subject,
    siteTitle: site.siteTitle,
    preheader: headlines(digest.sections, 3).join(" · "),
    content,
    footerLinks: raw(READER_SLOT),
    postalAddress: site.postalAddress,
  });
  // Whitespace collapsed once here, not per reader: fewer bytes and fewer JSON escapes per email.
  const [htmlBefore = "", htmlAfter = ""] = asciiHtml(fullHtml.replace(/\s+/g, " ")).split(
    READER_SLOT,
  );
  const text = `${digest.title}\nOn the web: ${webUrl}\n\n${renderNoteText(digest.note)}${renderDigestText(digest.sections)}\n\n--\n${READER_SLOT}\n${site.postalAddress}\n`;
  const [textBefore = "", textAfter = ""] = text.split(READER_SLOT);
  return { subject: digest.subject, html: [htmlBefore, htmlAfter], text: [textBefore, textAfter] };
}
