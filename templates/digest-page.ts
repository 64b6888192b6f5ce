// GET /digests/:id, the archive list, and the web version stored with each digest. Colours come
// from the page's stylesheet only (no email inline styles), so dark mode stays readable.
import type { DigestIndexMetadata, DigestItem, DigestSection } from "../src/digest/digest-schema";
import { alsoOf, sectionName } from "./digest-content";
import { html, safeHref } from "./html";
import {
  readingMinutes,
  renderArchiveMasthead,
  renderIssueMasthead,
  renderSubscribeBox,
  storiesInWords,
} from "./masthead";
import { renderPage } from "./page-layout";
import { dayInWords, shortDayInWords } from "./plain-dates";

/** "Also: The Verge, Ars Technica (+3)": the story's other outlets, linked. */
function alsoLine(item: DigestItem) {
  const also = alsoOf(item);
  if (!also) return "";
  const links = also.named.map((other, i) => {
    const href = safeHref(other.url);
    const sep = i > 0 ? ", " : "";
    return href ? html`${sep}<a href="${href}">${other.source}</a>` : html`${sep}${other.source}`;
  });
  return html`<p class="also">Also: ${links}${also.more > 0 ? ` (+${also.more})` : ""}</p>`;
}

/** The stories, by section, the first one set apart; also the Atom feed's entry content. */
export function renderDigestStories(sections: DigestSection[]) {
  let first = true;
  return html`${sections.map(
    (section) => html`<section>
      <h2 class="section-label">${sectionName(section.topic)}</h2>
      ${section.articles.map((article) => {
        const href = safeHref(article.url);
        const top = first;
        first = false;
        return html`<div class="story${top ? " top" : ""}">
          <h3>${href ? html`<a href="${href}">${article.title}</a>` : article.title}</h3>
          <p class="meta">
            ${article.source ? html`${article.source} · ` : ""}<time datetime="${article.publishedAt}"
              >${shortDayInWords(article.publishedAt)}</time
            >${article.sources && article.sources > 1 ? html` · ${article.sources} sources` : ""}
          </p>
          ${article.summary ? html`<p>${article.summary}</p>` : ""}${alsoLine(article)}
        </div>`;
      })}
    </section>`,
  )}`;
}

const headlinesOf = (sections: DigestSection[]) =>
  sections.flatMap((section) => section.articles.map((article) => article.title));

const feedLink = (siteTitle: string) =>
  html`<link rel="alternate" type="application/atom+xml" title="${siteTitle}" href="/feed.xml" />`;

export function renderDigestPage(options: {
  siteTitle: string;
  title: string;
  id: string;
  sections: DigestSection[];
  /** Known when served (counted from the archive), not when compiled. */
  issueNumber?: number;
  siteUrl?: string;
}) {
  const { siteTitle, id, sections, issueNumber } = options;
  const headlines = headlinesOf(sections);
  const lead = headlines[0] ?? "no stories";
  const more = headlines.length > 1 ? ` and ${headlines.length - 1} more` : "";
  const number = issueNumber ? `No. ${issueNumber} of ` : "";
  const description = `${number}${siteTitle}, ${dayInWords(id)}: ${lead}${more}.`;
  const body = html`${renderIssueMasthead({
    siteTitle,
    id,
    issueNumber,
    storyCount: headlines.length,
    minutes: readingMinutes(sections),
  })}
    ${renderSubscribeBox(siteTitle)}
    <article>
      <h1>${options.title}</h1>
      ${renderDigestStories(sections)}
    </article>
    <p class="fine">
      <a href="/digests">All issues</a> · <a href="/feed.xml">Atom feed</a> ·
      <a href="/">Sign up</a>
    </p>`;
  return renderPage({
    title: options.title,
    siteTitle,
    body,
    description,
    url: options.siteUrl ? `${options.siteUrl}/digests/${id}` : undefined,
    head: feedLink(siteTitle),
  });
}

/** An archive entry with its issue number and lead story. */
export type ArchiveEntry = DigestIndexMetadata & { issueNumber: number; leadStory: string };

export function renderArchivePage(options: {
  siteTitle: string;
  tagline?: string;
  siteUrl?: string;
  digests: ArchiveEntry[];
  /** All published issues, when more exist than are listed. */
  issueCount?: number;
}) {
  const { siteTitle, digests } = options;
  const tagline = options.tagline ?? "";
  const issues = options.issueCount ?? digests.length;
  const body = html`${renderArchiveMasthead({
    siteTitle,
    tagline,
    issues,
    latestId: digests[0]?.id,
  })}
    ${renderSubscribeBox(siteTitle)}
    <h1>Past issues</h1>
    <p class="fine">Newest first. <a href="/feed.xml">Atom feed</a></p>
    ${digests.length === 0 ? html`<p>No digest has been published yet.</p>` : ""}
    <ul class="plain issues">
      ${digests.map(
        (digest) =>
          html`<li>
            <span class="meta"
              ><strong>No. ${digest.issueNumber}</strong> ·
              <time datetime="${digest.id}">${dayInWords(digest.id)}</time> ·
              ${storiesInWords(digest.articleCount)}</span
            ><br />
            <a class="lead-story" href="/digests/${digest.id}">${digest.leadStory}</a>
          </li>`,
      )}
    </ul>`;
  return renderPage({
    title: "Past issues",
    siteTitle,
    body,
    description: `Every issue of ${siteTitle}, newest first. ${tagline}`.trim(),
    url: options.siteUrl ? `${options.siteUrl}/digests` : undefined,
    head: feedLink(siteTitle),
  });
}
