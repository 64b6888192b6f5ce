// The digest's body, shared by the email and the web page: sections of escaped, http(s)-only links.
import type { DigestSection } from "../src/digest/digest-schema";
import { EMAIL_STYLE } from "./email-layout";
import { html, safeHref } from "./html";

// Short on purpose: these repeat for every article of every reader's email.
const SECTION_STYLE =
  "margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #e4e4e0;color:#5b5b5b;font-size:13px;letter-spacing:.08em;text-transform:uppercase;";
const TITLE_STYLE = "margin:16px 0 4px;font-size:18px;line-height:1.35;";

export const sectionName = (topic: string | null) =>
  topic === null ? "More stories" : topic.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase());

const day = (iso: string) => iso.slice(0, 10);

export function renderDigestContent(sections: DigestSection[]) {
  return html`${sections.map(
    (section) => html`<h2 style='${SECTION_STYLE}'>${sectionName(section.topic)}</h2>
${section.articles.map((article) => {
  const href = safeHref(article.url);
  const title = href
    ? html`<a href='${href}' style='color:#1a1a1a;'>${article.title}</a>`
    : html`${article.title}`;
  return html`<h3 style='${TITLE_STYLE}'>${title}</h3>
<p style='margin:0 0 4px;${EMAIL_STYLE.muted}'>${article.source} · ${day(article.publishedAt)}</p>
${article.summary ? html`<p style='margin:0 0 8px;'>${article.summary}</p>` : ""}`;
})}`,
  )}`;
}

export function renderDigestText(sections: DigestSection[]): string {
  return sections
    .map((section) => {
      const items = section.articles.map((article) => {
        const href = safeHref(article.url);
        const lines = [`* ${article.title}`, `  ${article.source}, ${day(article.publishedAt)}`];
        if (article.summary) lines.push(`  ${article.summary.replace(/\s*\n\s*/g, " ")}`);
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
