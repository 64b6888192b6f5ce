// The cron and queue entry points, and the wiring from the Worker's env to the digest's parts.
import { createArticleStore } from "../articles/article-store";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { createConnectionGate } from "../mail/connection-gate";
import { createMailer } from "../mail/create-mailer";
import { nudgeFeeds } from "../sources/source-registry-client";
import { createTokenSigner } from "../subscribers/reader-token";
import { parseTopics } from "../subscribers/preferences";
import { handleDeadLetters } from "./dead-letters";
import { createNoteStore } from "./digest-note";
import { createDigestStore } from "./digest-store";
import { editionSend } from "./edition-send";
import { digestIdFor, runDigest, type RunDeps } from "./run-digest";
import { runDue } from "./run-due";
import { dueIndex } from "../subscribers/due-index";
import { handleSendBatch, type SendDeps } from "./send-jobs";
import { runWeeklyReport } from "../stats/weekly-report";
import { dailyFigures } from "../stats/daily-figures";

const DEAD_LETTER_QUEUE_NAME = "tidings-send-dead";
// The resume cron nudges the owners of this many recent editions, whatever their date: a held
// digest released after midnight or a past-date run carries on like today's.
const EDITIONS_NUDGED = 7;

export function runDeps(env: AppEnv, now: () => Date = () => new Date()): RunDeps {
  const config = readConfig(env);
  return {
    articles: createArticleStore(env.ARTICLES),
    digests: createDigestStore(env.DIGESTS),
    edition: (id) => editionSend(env, id),
    siteTitle: config.DIGEST_TITLE,
    maxArticles: config.DIGEST_MAX_ARTICLES,
    minArticles: config.DIGEST_MIN_ARTICLES,
    complaintBrakeRate: config.COMPLAINT_BRAKE_RATE,
    slotFigures: (fromId, toId) => dailyFigures(env).slotFigures(fromId, toId),
    notes: createNoteStore(env.DIGESTS),
    storyThreshold: config.STORY_MERGE_THRESHOLD,
    topics: parseTopics(config.TOPICS),
    now,
  };
}

export function sendDeps(env: AppEnv, now: () => Date = () => new Date()): SendDeps {
  const config = readConfig(env);
  // One gate per invocation: the consumer's chunks and their mailer share its 6 connections.
  const gate = createConnectionGate();
  return {
    edition: (id) => editionSend(env, id),
    mailer: createMailer(config, env, gate),
    gate,
    signer: createTokenSigner(requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET")),
    markInvalid: (email) =>
      env.READERS.get(env.READERS.idFromName(email)).markInvalid(now().toISOString()),
    queue: env.SEND_QUEUE,
    site: {
      siteTitle: config.DIGEST_TITLE,
      siteUrl: config.SITE_URL,
      mailFrom: config.MAIL_FROM,
      postalAddress: config.MAIL_POSTAL_ADDRESS,
    },
    retry: {
      baseSeconds: config.SEND_RETRY_BASE_SECONDS,
      maxSeconds: config.SEND_RETRY_MAX_SECONDS,
    },
    choice: { topics: parseTopics(config.TOPICS), maxArticles: config.DIGEST_MAX_ARTICLES },
    now,
  };
}

/**
 * The daily cron compiles the day's digest (and, under `edition` delivery, starts its send to all).
 * Under `edition` delivery the quarter-hour cron nudges the owners of recent editions (each answers
 * at once when its send is done or moving, and re-arms a walk whose alarm gave up: one KV list call,
 * at most EDITIONS_NUDGED object calls). Under `personal` delivery editions are the archive's only,
 * and the quarter-hour cron sends the readers due in its slot (runDue), nudging recent slots instead.
 */
export async function scheduled(
  controller: ScheduledController,
  env: AppEnv,
  _ctx?: ExecutionContext,
): Promise<void> {
  await runCron(controller, env);
  // On Mondays, after the cron's own work: the weekly report to the editors (never fails the run).
  await runWeeklyReport(env, controller.cron, controller.scheduledTime);
}

async function runCron(controller: ScheduledController, env: AppEnv): Promise<void> {
  const deps = runDeps(env);
  const config = readConfig(env);
  // Feeds first, then whatever else this cron does: it may share its expression with another.
  if (controller.cron === config.FEED_CRON)
    await nudgeFeeds(env, new Date(controller.scheduledTime));
  if (controller.cron === config.DIGEST_CRON) {
    const cutoff = new Date(controller.scheduledTime);
    await runDigest(deps, { id: digestIdFor(cutoff), cutoff });
    return;
  }
  if (config.DIGEST_DELIVERY === "personal") {
    await runDue({ ...deps, due: dueIndex(env) }, controller.scheduledTime);
    return;
  }
  const recent = await deps.digests.index(EDITIONS_NUDGED, { published: true });
  for (const entry of recent) {
    if (entry.status === "compiled") await deps.edition(entry.id).start();
  }
}

export async function queue(
  batch: MessageBatch<unknown>,
  env: AppEnv,
  _ctx?: ExecutionContext,
): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE_NAME) {
    const config = readConfig(env);
    await handleDeadLetters(batch, {
      edition: (id) => editionSend(env, id),
      queue: env.DEAD_LETTER_QUEUE,
      retry: {
        baseSeconds: config.SEND_RETRY_BASE_SECONDS,
        maxSeconds: config.SEND_RETRY_MAX_SECONDS,
      },
    });
    return;
  }
  await handleSendBatch(batch, sendDeps(env));
}
