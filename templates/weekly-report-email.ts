// The weekly report email to the editors: the week's figures in words and numbers, the desk's three
// charts drawn as table cells (email-chart.ts), the most covered stories and the failing feeds.
import type { SendOverTime, Stats } from "../src/stats/read-stats";
import { EMAIL_STYLE, renderEmailHtml } from "./email-layout";
import { MAX_EMAIL_COLUMNS, renderEmailChart } from "./email-chart";
import {
  bucketMinutes,
  count,
  percent,
  ratesChart,
  readersChart,
  sendChart,
  shortDate,
} from "./figure-charts";
import { html, safeHref, type SafeHtml } from "./html";
import type { RenderedEmail } from "./reader-emails";

export type ReportFacts = {
  /** The reported week's Monday and Sunday (UTC dates). */
  week: string;
  weekEnd: string;
  /** The figures as of the end of the week (its last day is the Sunday). */
  stats: Stats;
  /** The week's largest send, per minute. */
  send: SendOverTime | null;
  stories: { title: string; url: string; source: string; sources: number; articles: number }[];
  failingFeeds: { name: string; url: string; error: string; failures: number }[];
};

type Site = { siteTitle: string; siteUrl: string; postalAddress: string };

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const signed = (value: number) =>
  value > 0 ? `+${count(value)}` : value < 0 ? `−${count(-value)}` : "±0";
const TH = "text-align:left;padding:4px 6px 4px 0;font-size:13px;border-bottom:1px solid #e4e4e0;";
const TD = "padding:4px 6px 4px 0;font-size:13px;border-bottom:1px solid #e4e4e0;";

/** What the week adds up to: readers, growth, sends and the rates against the brake. */
export function weekSummary(facts: ReportFacts) {
  const readerDays = facts.stats.readers.days;
  const week = readerDays.slice(-7);
  const before = readerDays.at(-8)?.confirmed ?? null;
  const now = readerDays.at(-1)?.confirmed ?? null;
  const editions = facts.stats.editions.days.slice(-7);
  const sent = sum(editions.map((day) => day.sent));
  const complained = sum(editions.map((day) => day.complained));
  const hardBounces = sum(editions.map((day) => day.permanentBounces));
  return {
    readers: now,
    growth: now !== null && before !== null ? now - before : null,
    joins: sum(week.map((day) => day.joins)),
    leaves: sum(week.map((day) => day.leaves)),
    sends: sum(editions.map((day) => day.sends)),
    sent,
    failed: sum(editions.map((day) => day.failed)),
    complained,
    hardBounces,
    complaintRate: sent > 0 ? complained / sent : null,
    bounceRate: sent > 0 ? hardBounces / sent : null,
    editions,
  };
}

/** "1 (0.03%)": a count and its rate of the emails sent. */
export const countAndRate = (n: number, rate: number | null) =>
  rate === null ? count(n) : `${count(n)} (${percent(rate)})`;

function numbersTable(summary: ReturnType<typeof weekSummary>): SafeHtml {
  const head = ["Day", "Sent", "Failed", "Complaints", "Hard bounces"];
  return html`<table id="report-days" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:8px 0 0;">
    <caption class="m" style="text-align:left;font-size:13px;color:#5b5b5b;padding:0 0 4px;">Each day's sends</caption>
    <tr>${head.map((cell) => html`<th scope="col" class="r" style="${TH}white-space:nowrap;">${cell}</th>`)}</tr>
    ${summary.editions.map(
      (day) =>
        html`<tr>${[
          shortDate(day.date),
          count(day.sent),
          count(day.failed),
          countAndRate(day.complained, day.complaintRate),
          countAndRate(day.permanentBounces, day.bounceRate),
        ].map((cell) => html`<td class="r" style="${TD}white-space:nowrap;">${cell}</td>`)}</tr>`,
    )}
  </table>`;
}

function storiesList(facts: ReportFacts): SafeHtml {
  if (facts.stories.length === 0)
    return html`<p style="margin:0;">No stories were posted this week.</p>`;
  return html`<ol style="margin:0;padding-left:20px;">
    ${facts.stories.map((story) => {
      const href = safeHref(story.url);
      const title = href
        ? html`<a href="${href}" class="l" style="${EMAIL_STYLE.link}">${story.title}</a>`
        : story.title;
      return html`<li style="margin:0 0 8px;">${title}<br /><span class="m" style="${EMAIL_STYLE.muted}">${story.source} · covered by ${count(story.sources)} ${story.sources === 1 ? "source" : "sources"}</span></li>`;
    })}
  </ol>`;
}

function feedsList(facts: ReportFacts): SafeHtml {
  if (facts.failingFeeds.length === 0)
    return html`<p style="margin:0;">Every feed fetched fine.</p>`;
  return html`<ul style="margin:0;padding-left:20px;">
    ${facts.failingFeeds.map(
      (feed) =>
        html`<li style="margin:0 0 8px;"><strong>${feed.name}</strong>: ${feed.error} (${count(feed.failures)} failed ${feed.failures === 1 ? "fetch" : "fetches"} in a row)<br /><span class="m" style="${EMAIL_STYLE.muted}">${feed.url}</span></li>`,
    )}
  </ul>`;
}

export function renderWeeklyReportEmail(facts: ReportFacts, site: Site): RenderedEmail {
  const summary = weekSummary(facts);
  const { complaintBrakeRate, bounceBrakeRate } = facts.stats.editions;
  const span = `${shortDate(facts.week)} to ${shortDate(facts.weekEnd)}`;
  const readers =
    summary.readers === null ? "readers still being counted" : `${count(summary.readers)} readers`;
  const growth = summary.growth === null ? "" : ` (${signed(summary.growth)})`;
  const subject = `${site.siteTitle} weekly report, ${span}: ${readers}${growth}`;
  const figuresUrl = `${site.siteUrl}/desk/figures`;
  const lines = {
    readers: `${readers} on ${shortDate(facts.weekEnd)}${growth}: ${count(summary.joins)} joined and ${count(summary.leaves)} left this week.`,
    sends: `${count(summary.sends)} ${summary.sends === 1 ? "send" : "sends"}: ${count(summary.sent)} emails sent, ${count(summary.failed)} failed.`,
    brake: `Complaints ${percent(summary.complaintRate)} of emails sent (${count(summary.complained)}; the brake holds the next digest at ${percent(complaintBrakeRate)}); hard bounces ${percent(summary.bounceRate)} (${count(summary.hardBounces)}; the brake is at ${percent(bounceBrakeRate)}).`,
  };
  const send = facts.send ? sendChart(bucketMinutes(facts.send, MAX_EMAIL_COLUMNS)) : null;
  const content = html`<h1 style="${EMAIL_STYLE.heading}">The week of ${span}</h1>
    <p style="margin:0 0 6px;"><strong>Readers.</strong> ${lines.readers}</p>
    <p style="margin:0 0 6px;"><strong>Sends.</strong> ${lines.sends}</p>
    <p style="margin:0 0 6px;"><strong>Bounces and complaints.</strong> ${lines.brake}</p>
    ${numbersTable(summary)}
    ${renderEmailChart(readersChart(facts.stats))}
    ${send ? renderEmailChart(send) : ""}
    ${renderEmailChart(ratesChart(facts.stats))}
    <h2 style="margin:24px 0 8px;font-size:18px;">The most covered stories</h2>
    ${storiesList(facts)}
    <h2 style="margin:24px 0 8px;font-size:18px;">Feeds failing</h2>
    ${feedsList(facts)}
    <p style="margin:24px 0 0;"><a href="${figuresUrl}" class="l" style="${EMAIL_STYLE.link}">Every number, day by day, on the desk</a></p>`;
  const text = [
    subject,
    "",
    `Readers. ${lines.readers}`,
    `Sends. ${lines.sends}`,
    `Bounces and complaints. ${lines.brake}`,
    "",
    "The most covered stories:",
    ...facts.stories.map(
      (story, i) => `${i + 1}. ${story.title} (${story.sources} sources) ${story.url}`,
    ),
    "",
    "Feeds failing:",
    ...(facts.failingFeeds.length
      ? facts.failingFeeds.map((feed) => `- ${feed.name}: ${feed.error} (${feed.url})`)
      : ["Every feed fetched fine."]),
    "",
    `Every number, day by day: ${figuresUrl}`,
    "",
    site.postalAddress,
  ].join("\n");
  return {
    subject,
    html: renderEmailHtml({
      title: subject,
      siteTitle: site.siteTitle,
      preheader: `${lines.readers} ${lines.sends}`,
      content,
      footerLinks: html`<p style="margin:0;">You get this report because your address is in EDITOR_EMAILS for ${site.siteTitle}.</p>`,
      postalAddress: site.postalAddress,
    }),
    text,
  };
}
