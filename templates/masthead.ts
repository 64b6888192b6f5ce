// The publication's frame on the web: the masthead (wordmark, issue number, date, stories, reading
// time) and the subscribe box that tops every archive page.
import type { DigestSection } from "../src/digest/digest-schema";
import { html } from "./html";
import { longDayInWords } from "./plain-dates";

// A comfortable skim of headlines and summaries; the figure is a promise, not a measurement.
const READING_WORDS_PER_MINUTE = 230;

/** The archive's own form version, so a reader's consent record says where they signed up. */
export const ARCHIVE_FORM_VERSION = "archive-2026-11";

export const storiesInWords = (count: number) => `${count} ${count === 1 ? "story" : "stories"}`;

// Each article's words, counted once per article object (a run slot's selections share items).
const wordCounts = new WeakMap<DigestSection["articles"][number], number>();
function wordsOf(article: DigestSection["articles"][number]): number {
  let count = wordCounts.get(article);
  if (count === undefined) {
    count = `${article.title} ${article.summary ?? ""}`.split(/\s+/).filter(Boolean).length;
    wordCounts.set(article, count);
  }
  return count;
}

export function readingMinutes(sections: DigestSection[]): number {
  const words = sections
    .flatMap((section) => section.articles)
    .reduce((sum, article) => sum + wordsOf(article), 0);
  return Math.max(1, Math.round(words / READING_WORDS_PER_MINUTE));
}

export function renderIssueMasthead(options: {
  siteTitle: string;
  id: string;
  /** Counting published digests, oldest first; unknown when the page is rendered at compile time. */
  issueNumber?: number;
  storyCount: number;
  minutes: number;
}) {
  const { siteTitle, id, issueNumber, storyCount, minutes } = options;
  return html`<header class="masthead">
    <p class="wordmark"><a href="/">${siteTitle}</a></p>
    <p class="issue-line">
      ${issueNumber ? html`<strong>No. ${issueNumber}</strong> · ` : ""}<time datetime="${id}"
        >${longDayInWords(id)}</time
      >
      · ${storiesInWords(storyCount)} · ${minutes} min read
    </p>
  </header>`;
}

export function renderArchiveMasthead(options: {
  siteTitle: string;
  tagline: string;
  issues: number;
  latestId?: string;
}) {
  const { siteTitle, tagline, issues, latestId } = options;
  return html`<header class="masthead">
    <p class="wordmark"><a href="/">${siteTitle}</a></p>
    <p class="issue-line">${tagline}</p>
    ${
      latestId
        ? html`<p class="issue-line">
          <strong>${issues} ${issues === 1 ? "issue" : "issues"}</strong> · latest
          <time datetime="${latestId}">${longDayInWords(latestId)}</time>
        </p>`
        : ""
    }
  </header>`;
}

/** The sign-up form, small: the same POST /subscribe as the front page, honeypot included. */
export function renderSubscribeBox(siteTitle: string) {
  return html`<form class="subscribe-box" method="post" action="/subscribe">
    <label for="email">Get ${siteTitle} by email, free, every morning</label>
    <input
      id="email"
      name="email"
      type="email"
      required
      autocomplete="email"
      inputmode="email"
      placeholder="you@example.com"
    />
    <button type="submit">Subscribe</button>
    <div class="hp" aria-hidden="true">
      <label for="website">Leave this field empty</label>
      <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
    </div>
    <input type="hidden" name="form" value="${ARCHIVE_FORM_VERSION}" />
    <p class="fine">One email a day; confirm first, leave with one click.</p>
  </form>`;
}
