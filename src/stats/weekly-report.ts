// The weekly report to the editors (EDITOR_EMAILS): Monday's DIGEST_CRON run reports the week
// before it, Monday to Sunday: readers and growth, sends and failures, bounces and complaints against
// the brake, the most covered stories and the failing feeds. Sent through the Mailer port (paced by
// the ProviderLimiter like all mail), once per week and editor: DailyFigures records each editor
// sent to, and each email's idempotency key names the week, so a repeated cron sends nothing twice.
import { createArticleStore } from "../articles/article-store";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { createMailer } from "../mail/create-mailer";
import { sourceRegistry } from "../sources/source-registry-client";
import { windowStories } from "../stories/window-stories";
import { hashAddress } from "../subscribers/reader-token";
import { renderWeeklyReportEmail, type ReportFacts } from "../../templates/weekly-report-email";
import type { RenderedEmail } from "../../templates/reader-emails";
import { dailyFigures } from "./daily-figures";
import { DAY_MS, dayOf } from "./figure-tables";
import { readSendOverTime, readStats } from "./read-stats";

const STORIES_SHOWN = 5;
const MONDAY = 1;

/** The Monday that starts the last whole week (Monday to Sunday, UTC) before `now`. */
export function reportedWeek(now: Date): { week: string; startMs: number; endMs: number } {
  const today = Date.parse(dayOf(now.getTime()));
  const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
  const startMs = today - (sinceMonday + 7) * DAY_MS;
  return { week: dayOf(startMs), startMs, endMs: startMs + 7 * DAY_MS - 1 };
}

export async function composeWeeklyReport(
  env: AppEnv,
  now: Date,
): Promise<{ week: string; facts: ReportFacts; email: RenderedEmail }> {
  const config = readConfig(env);
  const { week, startMs, endMs } = reportedWeek(now);
  const stats = await readStats(env, config, new Date(endMs));
  // The week's largest send, drawn over time.
  const largest = await dailyFigures(env).largestSend(week, dayOf(endMs));
  const send = largest ? await readSendOverTime(env, config, largest.id) : null;
  const { stories } = await windowStories(
    createArticleStore(env.ARTICLES),
    startMs,
    endMs,
    config.STORY_MERGE_THRESHOLD,
  );
  const sources = await sourceRegistry(env).list();
  const facts: ReportFacts = {
    week,
    weekEnd: dayOf(endMs),
    stats,
    send,
    stories: stories.slice(0, STORIES_SHOWN).map((story) => ({
      title: story.lead.title,
      url: story.lead.url,
      source: story.lead.source,
      sources: story.sources,
      articles: story.articles.length,
    })),
    failingFeeds: sources
      .filter((source) => source.lastError !== null)
      .map((source) => ({
        name: source.name,
        url: source.url,
        error: source.lastError ?? "",
        failures: source.failures,
      })),
  };
  const email = renderWeeklyReportEmail(facts, {
    siteTitle: config.DIGEST_TITLE,
    siteUrl: config.SITE_URL,
    postalAddress: config.MAIL_POSTAL_ADDRESS,
  });
  return { week, facts, email };
}

/**
 * Sends the week's report to each editor it has not gone to. `first`: this is Monday's DIGEST_CRON
 * run, which makes the week's report due; later runs that Monday only finish one that is due (an
 * editor whose email failed). Answers how many emails went out.
 */
export async function sendWeeklyReport(env: AppEnv, now: Date, first: boolean): Promise<number> {
  const config = readConfig(env);
  if (config.EDITOR_EMAILS.length === 0) return 0;
  const figures = dailyFigures(env);
  const { week } = reportedWeek(now);
  const state = await figures.reportState(week);
  if (!state.due && !first) return 0;
  if (!state.due) await figures.startReport(week);
  const secret = requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET");
  const waiting: { to: string; key: string }[] = [];
  for (const to of config.EDITOR_EMAILS) {
    const key = await hashAddress(secret, to.toLowerCase());
    if (!state.sentTo.includes(key)) waiting.push({ to, key });
  }
  if (waiting.length === 0) return 0;
  const { email } = await composeWeeklyReport(env, now);
  const mailer = createMailer(config, env);
  let sent = 0;
  for (const { to, key } of waiting) {
    const result = await mailer.send(
      {
        to,
        from: config.MAIL_FROM,
        subject: email.subject,
        html: email.html,
        text: email.text,
        tags: [{ name: "kind", value: "weekly-report" }],
      },
      `weekly-report:${week}:${key}`,
    );
    if (!result.ok) {
      console.error(
        JSON.stringify({ level: "error", event: "report.failed", week, message: result.message }),
      );
      continue;
    }
    await figures.markReportSent(week, key);
    sent++;
  }
  console.log(JSON.stringify({ level: "info", event: "report.sent", week, sent }));
  return sent;
}

/** The cron's part: Mondays only (no call at all on other days), never failing the cron's run. */
export async function runWeeklyReport(env: AppEnv, cron: string, scheduledMs: number) {
  const when = new Date(scheduledMs);
  if (when.getUTCDay() !== MONDAY) return;
  try {
    await sendWeeklyReport(env, when, cron === readConfig(env).DIGEST_CRON);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        event: "report.failed",
        message: error instanceof Error ? error.message : String(error),
      }),
    );
  }
}
