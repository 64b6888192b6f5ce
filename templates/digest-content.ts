// The digest email's stories, HTML and text: the top story set apart, then sections by topic label,
// headlines in the brand colour, sources and dates in words, escaped text and http(s)-only links.
import type { DigestItem, DigestSection } from "../src/digest/digest-schema";
import { BRAND, EMAIL_STYLE } from "./email-layout";
import { html, safeHref, type SafeHtml } from "./html";
import { shortDayInWords } from "./plain-dates";

// Short on purpose: these repeat for every story of every reader's email. Classes are the dark
// styles' hooks (email-layout.ts): m muted, l link, r rule, k the top story's panel.
const SECTION_STYLE =
  "margin:28px 0 4px;padding-bottom:4px;border-bottom:1px solid #e4e4e0;color:#5b5b5b;font-size:12px;letter-spacing:.1em;text-transform:uppercase;";
const TITLE_STYLE = "margin:18px 0 4px;font-size:18px;line-height:1.35;";
const TOP_TITLE_STYLE = "margin:6px 0 4px;font-size:22px;line-height:1.3;";
// The brand colour and no underline: a headline is plainly a link without a heavy rule under it.
const HEADLINE_LINK = `color:${BRAND};text-decoration:none;`;
const TOP_PANEL =
  "margin:20px 0 8px;padding:16px 18px;border:1px solid #dfe6f3;border-radius:8px;background:#f3f6fc;";

/**
 * A story's markup, made once per item object: a run slot renders dozens of readers' selections from
 * one pool, whose items are the same objects in every selection (an item is never changed after it
 * is read).
 */
function perItem<T>(make: (item: DigestItem) => T): (item: DigestItem) => T {
  const made = new WeakMap<DigestItem, T>();
  return (item) => {
    let value = made.get(item);
    if (value === undefined) made.set(item, (value = make(item)));
    return value;
  };
}

export const sectionName = (topic: string | null) =>
  topic === null ? "More stories" : topic.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase());

/** Other sources named in an "Also" line; the rest are counted: "Also: A, B (+3)". */
const ALSO_NAMED = 2;

const sourceCount = (item: DigestItem) =>
  item.sources && item.sources > 1 ? ` · ${item.sources} sources` : "";

/** How many of the story's other sources the "Also" line does not name. */
const alsoMore = (item: DigestItem) =>
  Math.max(0, (item.sources ?? 1) - 1 - Math.min(ALSO_NAMED, item.also?.length ?? 0));

/** A story's "Also" line as data, for the email and the web page alike; null for a single source. */
export function alsoOf(
  item: DigestItem,
): { named: { source: string; url: string }[]; more: number } | null {
  const named = (item.also ?? []).slice(0, ALSO_NAMED);
  return named.length === 0 ? null : { named, more: alsoMore(item) };
}

function alsoHtml(item: DigestItem) {
  const also = alsoOf(item);
  if (!also) return "";
  const links = also.named.map((other, i) => {
    const href = safeHref(other.url);
    const sep = i > 0 ? ", " : "";
    return href
      ? html`${sep}<a href='${href}' class='l' style='${EMAIL_STYLE.link}'>${other.source}</a>`
      : html`${sep}${other.source}`;
  });
  return html`<p class='m' style='margin:0 0 8px;${EMAIL_STYLE.muted}'>Also: ${links}${also.more > 0 ? ` (+${also.more})` : ""}</p>`;
}

function alsoText(item: DigestItem): string | null {
  const also = alsoOf(item);
  if (!also) return null;
  const more = also.more > 0 ? ` (+${also.more})` : "";
  return `Also: ${also.named.map((other) => other.source).join(", ")}${more}`;
}

/** "Example News · 26 Nov · 3 sources" */
const byline = perItem(
  (item) => `${item.source} · ${shortDayInWords(item.publishedAt)}${sourceCount(item)}`,
);

function headline(item: DigestItem, style = TITLE_STYLE) {
  const href = safeHref(item.url);
  const title = href
    ? html`<a href='${href}' class='l' style='${HEADLINE_LINK}'>${item.title}</a>`
    : html`${item.title}`;
  return html`<h3 style='${style}'>${title}</h3>`;
}

/** One story in full: headline, byline, summary, "Also" line. */
export const storyHtml = perItem(
  (item): SafeHtml =>
    html`${headline(item)}<p class='m' style='margin:0 0 6px;${EMAIL_STYLE.muted}'>${byline(item)}</p>${item.summary ? html`<p style='margin:0 0 8px;'>${item.summary}</p>` : ""}${alsoHtml(item)}`,
);

/** A story shortened to its linked headline and byline, when the full email would be clipped. */
export const storyLinkHtml = perItem((item): SafeHtml => {
  const href = safeHref(item.url);
  const title = href
    ? html`<a href='${href}' class='l' style='${HEADLINE_LINK}'>${item.title}</a>`
    : html`${item.title}`;
  return html`<p style='margin:10px 0 0;'>${title} <span class='m' style='${EMAIL_STYLE.muted}'>${byline(item)}</span></p>`;
});

/** The top story in its own panel, labelled, with a larger headline. */
export function topStoryHtml(item: DigestItem): SafeHtml {
  return html`<div class='k' style='${TOP_PANEL}'><p class='m' style='margin:0;color:#5b5b5b;font-size:12px;font-weight:bold;letter-spacing:.1em;text-transform:uppercase;'>Top story</p>${headline(item, TOP_TITLE_STYLE)}<p class='m' style='margin:0 0 6px;${EMAIL_STYLE.muted}'>${byline(item)}</p>${item.summary ? html`<p style='margin:0 0 4px;'>${item.summary}</p>` : ""}${alsoHtml(item)}</div>`;
}

// One heading object per topic label, so its finished form is made once too (digest-email.ts).
const headings = new Map<string | null, SafeHtml>();
export function sectionHeadingHtml(topic: string | null): SafeHtml {
  let heading = headings.get(topic);
  if (!heading) {
    if (headings.size >= 200) headings.clear();
    heading = html`<h2 class='m r' style='${SECTION_STYLE}'>${sectionName(topic)}</h2>`;
    headings.set(topic, heading);
  }
  return heading;
}

/** One story as plain text: headline, byline, summary, Also line, link; indented under a bullet. */
export function storyText(item: DigestItem, bullet = "* "): string {
  return bullet === "* " ? bulletedText(item) : plainStoryText(item, bullet);
}
const bulletedText = perItem((item) => plainStoryText(item, "* "));

function plainStoryText(item: DigestItem, bullet: string): string {
  const href = safeHref(item.url);
  const pad = " ".repeat(bullet.length);
  const lines = [`${bullet}${item.title}`, `${pad}${byline(item).replaceAll(" · ", ", ")}`];
  if (item.summary) lines.push(`${pad}${item.summary.replace(/\s*\n\s*/g, " ")}`);
  const also = alsoText(item);
  if (also) lines.push(`${pad}${also}`);
  if (href) lines.push(`${pad}${href}`);
  return lines.join("\n");
}

/** A text heading underlined with dashes, as plain-text newsletters do. */
export const textHeading = (name: string) => `${name.toUpperCase()}\n${"-".repeat(name.length)}`;

/** The first headlines, for the preheader and the feed summary. */
export const headlines = (sections: DigestSection[], count: number) =>
  sections.flatMap((section) => section.articles.map((article) => article.title)).slice(0, count);
