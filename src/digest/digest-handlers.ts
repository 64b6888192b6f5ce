// The cron and queue entry points, and the wiring from the Worker's env to the digest's parts.
import { createArticleStore } from "../articles/article-store";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { createMailer } from "../mail/create-mailer";
import { createTokenSigner } from "../subscribers/reader-token";
import { createSubscriberStore } from "../subscribers/subscriber-store";
import { createDigestEvents } from "./digest-events";
import { createDigestStore } from "./digest-store";
import { sharedPacer } from "./pacer";
import { digestIdFor, runDigest, type RunDeps } from "./run-digest";
import { handleDeadLetters } from "./dead-letters";
import { handleSendBatch, type SendDeps } from "./send-jobs";

const DEAD_LETTER_QUEUE_NAME = "tidings-send-dead";
// A fan-out whose last checkpoint is older than this has died; the resume cron carries it on.
const STALLED_FAN_OUT_MS = 5 * 60 * 1000;

export function runDeps(env: AppEnv, now: () => Date = () => new Date()): RunDeps {
  const config = readConfig(env);
  const digests = createDigestStore(env.DIGESTS);
  return {
    articles: createArticleStore(env.ARTICLES),
    digests,
    fanOut: {
      digests,
      readers: createSubscriberStore(env.SUBSCRIBERS),
      queue: env.SEND_QUEUE,
      now,
    },
    siteTitle: config.DIGEST_TITLE,
    maxArticles: config.DIGEST_MAX_ARTICLES,
    minArticles: config.DIGEST_MIN_ARTICLES,
    events: createDigestEvents(env.DIGESTS),
    complaintBrakeRate: config.COMPLAINT_BRAKE_RATE,
    now,
  };
}

export function sendDeps(env: AppEnv, now: () => Date = () => new Date()): SendDeps {
  const config = readConfig(env);
  return {
    digests: createDigestStore(env.DIGESTS),
    readers: createSubscriberStore(env.SUBSCRIBERS),
    mailer: createMailer(config, env),
    signer: createTokenSigner(requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET")),
    pacer: sharedPacer(config.RESEND_RATE_PER_SECOND),
    deadLetters: env.DEAD_LETTER_QUEUE,
    site: {
      siteTitle: config.DIGEST_TITLE,
      siteUrl: config.SITE_URL,
      mailFrom: config.MAIL_FROM,
      postalAddress: config.MAIL_POSTAL_ADDRESS,
    },
    now,
  };
}

/**
 * The daily cron compiles and sends the day's digest. Any other cron in wrangler.toml (the resume
 * cron) only carries on a fan-out that stalled, so a Worker that died half-way finishes the send.
 */
export async function scheduled(
  controller: ScheduledController,
  env: AppEnv,
  _ctx?: ExecutionContext,
): Promise<void> {
  const cutoff = new Date(controller.scheduledTime);
  const id = digestIdFor(cutoff);
  const deps = runDeps(env);
  if (controller.cron === readConfig(env).DIGEST_CRON) {
    await runDigest(deps, { id, cutoff });
    return;
  }
  const digest = await deps.digests.get(id);
  if (!digest || digest.status !== "compiled") return;
  const last = (await deps.digests.checkpoints(id)).at(-1);
  if (last?.done) return;
  if (last && Date.now() - Date.parse(last.at) < STALLED_FAN_OUT_MS) return;
  console.log(JSON.stringify({ level: "info", event: "digest.resume", id }));
  await runDigest(deps, { id, cutoff: new Date(digest.cutoff) });
}

export async function queue(
  batch: MessageBatch<unknown>,
  env: AppEnv,
  _ctx?: ExecutionContext,
): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE_NAME) {
    await handleDeadLetters(batch, createDigestStore(env.DIGESTS), () => new Date());
    return;
  }
  await handleSendBatch(batch, sendDeps(env));
}
