// The digest's body, shared by the email and the web page: sections of escaped, http(s)-only links.
import type { DigestItem, DigestSection } from "../src/digest/digest-schema";
import { EMAIL_STYLE } from "./email-layout";
import { html, safeHref } from "./html";

// Short on purpose: these repeat for every article of every reader's email.
const SECTION_STYLE =
  "margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #e4e4e0;color:#5b5b5b;font-size:13px;letter-spacing:.08em;text-transform:uppercase;";
const TITLE_STYLE = "margin:16px 0 4px;font-size:18px;line-height:1.35;";

export const sectionName = (topic: string | null) =>
  topic === null ? "More stories" : topic.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase());

const day = (iso: string) => iso.slice(0, 10);

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
  const named = (item.also ?? []).slice(0, ALSO_NAMED);
  if (named.length === 0) return "";
  const links = named.map((other, i) => {
    const href = safeHref(other.url);
    const sep = i > 0 ? ", " : "";
    return href ? html`${sep}<a href='${href}'>${other.source}</a>` : html`${sep}${other.source}`;
  });
  const more = alsoMore(item);
  return html`<p style='margin:0 0 8px;${EMAIL_STYLE.muted}'>Also: ${links}${more > 0 ? ` (+${more})` : ""}</p>`;
}

function alsoText(item: DigestItem): string | null {
  const named = (item.also ?? []).slice(0, ALSO_NAMED);
  if (named.length === 0) return null;
  const more = alsoMore(item);
  return `  Also: ${named.map((other) => other.source).join(", ")}${more > 0 ? ` (+${more})` : ""}`;
}

export function renderDigestContent(sections: DigestSection[]) {
  return html`${sections.map(
    (section) => html`<h2 style='${SECTION_STYLE}'>${sectionName(section.topic)}</h2>
${section.articles.map((article) => {
  const href = safeHref(article.url);
  const title = href
    ? html`<a href='${href}' style='color:#1a1a1a;'>${article.title}</a>`
    : html`${article.title}`;
  return html`<h3 style='${TITLE_STYLE}'>${title}</h3>
<p style='margin:0 0 4px;${EMAIL_STYLE.muted}'>${article.source} · ${day(article.publishedAt)}${sourceCount(article)}</p>
${article.summary ? html`<p style='margin:0 0 8px;'>${article.summary}</p>` : ""}${alsoHtml(article)}`;
})}`,
  )}`;
}

export function renderDigestText(sections: DigestSection[]): string {
  return sections
    .map((section) => {
      const items = section.articles.map((article) => {
        const href = safeHref(article.url);
        const lines = [
          `* ${article.title}`,
          `  ${article.source}, ${day(article.publishedAt)}${sourceCount(article).replace(" · ", ", ")}`,
        ];
        if (article.summary) lines.push(`  ${article.summary.replace(/\s*\n\s*/g, " ")}`);
        const also = alsoText(article);
        if (also) lines.push(also);
        if (href) lines.push(`  ${href}`);
        return lines.join("\n");
      });
      const name = sectionName(section.topic).toUpperCase();
      return `${name}\n${"-".repeat(name.length)}\n\n${items.join("\n\n")}`;
    })
    .join("\n\n");
}

/** The first headlines, for the preheader and the feed summary. */
export const headlines = (sections: DigestSection[], count: number) =>
  sections.flatMap((section) => section.articles.map((article) => article.title)).slice(0, count);
