// The digest email, rendered once per digest (or per selection) and split around the reader's own
// footer links, so personalising a million emails is string concatenation, not a million renders.
// It is kept under Gmail's clipping size: later stories shorten to headlines when they would not fit.
import type { Digest, DigestItem } from "../src/digest/digest-schema";
import {
  headlines,
  sectionHeadingHtml,
  sectionName,
  storyHtml,
  storyLinkHtml,
  storyText,
  textHeading,
  topStoryHtml,
} from "./digest-content";
import { renderNoteHtml, renderNoteText } from "./digest-note";
import { BRAND, EMAIL_STYLE, renderEmailHtml } from "./email-layout";
import { html, raw, type SafeHtml } from "./html";
import { readingMinutes, storiesInWords } from "./masthead";

export type DigestEmailParts = {
  subject: string;
  /** HTML before and after the reader's footer links. */
  html: [string, string];
  text: [string, string];
};

export type DigestForEmail = Pick<Digest, "id" | "subject" | "sections" | "title"> &
  Partial<Pick<Digest, "note" | "issueNumber">>;

/** Gmail clips a message's HTML above 102 KB, hiding the footer: ours stays under this, footer in. */
export const MAX_EMAIL_HTML_BYTES = 100_000;
// A reader's footer (three signed links and what they chose) is added per reader, after the budget.
const FOOTER_RESERVE_BYTES = 2_500;
const NOTICE_RESERVE_BYTES = 600;

const READER_SLOT = "\u0000READER\u0000";
const STORIES_SLOT = "\u0000STORIES\u0000";

/**
 * Non-ASCII characters as numeric character references. An all-ASCII body is copied byte for byte
 * when it is serialised and encoded once per reader; one non-ASCII character (a `·`) made the send
 * about 40% more expensive in CPU (measured with bench/, see BENCHMARKS.md).
 */
const asciiHtml = (html: string) =>
  html.replace(/[^\u0000-\u007f]/gu, (char) => `&#${char.codePointAt(0)};`);
// Whitespace collapsed once here, not per reader: fewer bytes and fewer JSON escapes per email.
const finish = (markup: string) => asciiHtml(markup.replace(/\s+/g, " "));

/** "Thursday 26 November 2026" from "Tidings for Thursday 26 November 2026"; the week's title alike. */
function dateline(title: string, siteTitle: string): string {
  const line = title.replace(new RegExp(`^${siteTitle.replace(/\W/g, "\\$&")}(:| for) `), "");
  return line.charAt(0).toUpperCase() + line.slice(1);
}

// A piece as sent, made once per piece object: a story's pieces are made once per item
// (digest-content.ts), so a run slot's selections finish each story once.
const finished = new WeakMap<SafeHtml, string>();
function finishedPiece(piece: SafeHtml): string {
  let value = finished.get(piece);
  if (value === undefined) finished.set(piece, (value = finish(piece.value)));
  return value;
}

/** A piece's bytes as sent: after `finish`, every character is one ASCII byte. */
const bytes = (piece: SafeHtml) => finishedPiece(piece).length;

type Laid = { html: SafeHtml[]; shortened: number; omitted: number };

/**
 * The stories after the top one, in order, within `budget` bytes. A story is in full only if every
 * story after it still fits as a linked headline; then headlines; then, if even those would not
 * fit, the rest are counted and left to the web page. Never back to full once shortened, so the
 * email reads in order.
 */
function layStories(sections: Digest["sections"], budget: number): Laid {
  const pieces = sections.flatMap((section) =>
    section.articles.map((item, i) => {
      const heading = i === 0 ? sectionHeadingHtml(section.topic) : null;
      const head = heading ? bytes(heading) : 0;
      const full = storyHtml(item);
      const link = storyLinkHtml(item);
      return { heading, full, link, fullBytes: head + bytes(full), linkBytes: head + bytes(link) };
    }),
  );
  // linksAfter[i]: the bytes of every story after i as a headline.
  const linksAfter = pieces.map(() => 0);
  for (let i = pieces.length - 2; i >= 0; i--)
    linksAfter[i] = linksAfter[i + 1]! + pieces[i + 1]!.linkBytes;
  const out: SafeHtml[] = [];
  let used = 0;
  let mode: "full" | "link" | "none" = "full";
  let shortened = 0;
  let omitted = 0;
  pieces.forEach((piece, i) => {
    if (mode === "full" && used + piece.fullBytes + linksAfter[i]! > budget) mode = "link";
    if (mode === "link" && used + piece.linkBytes > budget) mode = "none";
    if (mode === "none") {
      omitted++;
      return;
    }
    if (piece.heading) out.push(piece.heading);
    out.push(mode === "full" ? piece.full : piece.link);
    used += mode === "full" ? piece.fullBytes : piece.linkBytes;
    if (mode === "link") shortened++;
  });
  return { html: out, shortened, omitted };
}

function notice(laid: Laid, webUrl: string): SafeHtml {
  if (laid.shortened === 0 && laid.omitted === 0) return html``;
  const { shortened, omitted } = laid;
  const parts = [
    shortened > 0
      ? `${storiesInWords(shortened)} ${shortened === 1 ? "is" : "are"} shown as headlines only`
      : "",
    omitted > 0 ? `${omitted} more ${omitted === 1 ? "is" : "are"} on the web page only` : "",
  ].filter(Boolean);
  return html`<p class='m' style='margin:20px 0 0;${EMAIL_STYLE.muted}'>To keep this email whole in every inbox, ${parts.join(" and ")}. <a href='${webUrl}' class='l' style='${EMAIL_STYLE.link}'>Read the full issue on the web</a>.</p>`;
}

export function renderDigestEmailParts(
  digest: DigestForEmail,
  site: { siteTitle: string; siteUrl: string; postalAddress: string },
): DigestEmailParts {
  const webUrl = `${site.siteUrl}/digests/${digest.id}`;
  const all = digest.sections.flatMap((section) => section.articles);
  const top: DigestItem | undefined = all[0];
  // The top story is the first of the first section (compile puts the best-ranked story there).
  const rest = digest.sections.map((section, i) =>
    i === 0 ? { ...section, articles: section.articles.slice(1) } : section,
  );
  const number = digest.issueNumber ? `No. ${digest.issueNumber} · ` : "";
  const facts = `${number}${storiesInWords(all.length)} · ${readingMinutes(digest.sections)} min read`;
  const inThisIssue = digest.sections
    .filter((section) => section.articles.length > 0)
    .map((section) => `${sectionName(section.topic)} (${section.articles.length})`)
    .join(", ");
  const day = dateline(digest.title, site.siteTitle);

  const masthead = html`<td class='r' style='padding:26px 28px 14px;border-bottom:3px solid ${BRAND};${EMAIL_STYLE.footer}'><p class='l' style='margin:0;color:${BRAND};font-size:22px;font-weight:800;letter-spacing:-.01em;'>${site.siteTitle}</p><p class='m' style='margin:4px 0 0;${EMAIL_STYLE.muted}'>${facts} &middot; <a href='${webUrl}' class='l' style='${EMAIL_STYLE.link}'>Read on the web</a></p></td>`;
  const note = digest.note
    ? html`<div class='r' style='margin:0 0 8px;padding:2px 0 2px 14px;border-left:3px solid #e4e4e0;'><p class='m' style='margin:0 0 6px;${EMAIL_STYLE.muted}font-weight:bold;'>From the editor</p>${renderNoteHtml(digest.note, `${EMAIL_STYLE.link}word-break:break-all;`, "l")}</div>`
    : "";
  const content = html`<h1 style='${EMAIL_STYLE.heading}margin-top:12px;'>${day}</h1>
<p class='m' style='margin:0 0 16px;${EMAIL_STYLE.muted}'><strong>In this issue:</strong> ${inThisIssue || "no stories"}</p>
${note}${top ? topStoryHtml(top) : ""}${raw(STORIES_SLOT)}`;
  const frame = renderEmailHtml({
    title: digest.subject,
    siteTitle: site.siteTitle,
    preheader: headlines(digest.sections, 3).join(" · "),
    content,
    footerLinks: raw(READER_SLOT),
    postalAddress: site.postalAddress,
    masthead,
  });
  const framed = finish(frame);
  const budget = MAX_EMAIL_HTML_BYTES - framed.length - FOOTER_RESERVE_BYTES - NOTICE_RESERVE_BYTES;
  const laid = layStories(rest, budget);
  // Pieces begin and end with a tag, so finishing each is finishing them joined.
  const stories = laid.html.map(finishedPiece).join("") + finish(notice(laid, webUrl).value);
  const [htmlBefore = "", htmlAfter = ""] = framed
    .replace(STORIES_SLOT, stories)
    .split(READER_SLOT);

  const text = [
    `${site.siteTitle.toUpperCase()}${digest.issueNumber ? ` · No. ${digest.issueNumber}` : ""}\n${day}\n${facts.replace(/^No\. \d+ · /, "")}\nRead on the web: ${webUrl}`,
    inThisIssue ? `In this issue: ${inThisIssue}` : "",
    digest.note ? `${textHeading("From the editor")}\n\n${renderNoteText(digest.note).trim()}` : "",
    top ? `${textHeading("Top story")}\n\n${storyText(top, "")}` : "",
    ...rest
      .filter((section) => section.articles.length > 0)
      .map(
        (section) =>
          `${textHeading(sectionName(section.topic))}\n\n${section.articles.map((item) => storyText(item)).join("\n\n")}`,
      ),
  ]
    .filter(Boolean)
    .join("\n\n");
  const full = `${text}\n\n--\n${READER_SLOT}\n${site.postalAddress}\n`;
  const [textBefore = "", textAfter = ""] = full.split(READER_SLOT);
  return { subject: digest.subject, html: [htmlBefore, htmlAfter], text: [textBefore, textAfter] };
}
