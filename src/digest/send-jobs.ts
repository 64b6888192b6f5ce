// The queue consumer: each job (a chunk of <= 100 readers) becomes one provider batch call with an
// idempotency key derived from the digest, the chunk and its recipients, paced to the provider's rate.
import type { Mailer } from "../mail/mailer";
import type { TokenSigner } from "../subscribers/reader-token";
import type { SubscriberStore } from "../subscribers/subscriber-store";
import { renderDigestEmailParts, type DigestEmailParts } from "../../templates/digest-email";
import { SendJob, type Digest } from "./digest-schema";
import type { DigestStore } from "./digest-store";
import type { Pacer } from "./pacer";
import { idempotencyKey, personaliseChunk } from "./personalise-chunk";

// Workers allow 6 simultaneous outgoing connections per invocation.
const MAX_IN_FLIGHT = 6;
// 2, 4, 8, 16, 32, 60, 60, 60 s: eight retries span about four minutes before the dead-letter queue.
const MAX_BACKOFF_SECONDS = 60;

/**
 * Per-isolate memory of the digests being sent: the record (never changed once compiled), its email
 * rendered once, and the chunks already recorded. Loading them once per isolate instead of once per batch keeps the send
 * near one KV operation per 1,000 readers; a batch with a retried message reloads the chunks, since
 * another isolate may have recorded them.
 */
type DigestMemory = { digest: Digest; parts: DigestEmailParts; recorded: Set<number> };
const memory = new Map<string, DigestMemory>();
const MAX_REMEMBERED_DIGESTS = 8;

// Readers who leave while an invocation runs (one can last minutes at a low rate) are seen within
// this long: one KV list call each time, a few per 100,000 readers.
const DEPARTURES_REFRESH_MS = 3000;

/** Who left since the digest was compiled, re-read at most every DEPARTURES_REFRESH_MS. */
function departureView(deps: SendDeps, since: Date) {
  let loaded: { at: number; set: Promise<Set<string>> } | null = null;
  return () => {
    const now = deps.now();
    if (!loaded || now.getTime() - loaded.at > DEPARTURES_REFRESH_MS) {
      loaded = { at: now.getTime(), set: deps.readers.departuresSince(since, now) };
    }
    return loaded.set;
  };
}

async function remember(
  deps: SendDeps,
  digestId: string,
  reload: boolean,
): Promise<DigestMemory | null> {
  const { digests } = deps;
  let known = memory.get(digestId);
  if (!known) {
    const digest = await digests.get(digestId);
    if (!digest) return null;
    const parts = renderDigestEmailParts(digest, deps.site);
    known = { digest, parts, recorded: await digests.recordedChunks(digestId) };
    if (memory.size >= MAX_REMEMBERED_DIGESTS) memory.delete(memory.keys().next().value!);
    memory.set(digestId, known);
  } else if (reload) {
    for (const chunk of await digests.recordedChunks(digestId)) known.recorded.add(chunk);
  }
  return known;
}

export type SendSite = {
  siteTitle: string;
  siteUrl: string;
  mailFrom: string;
  postalAddress: string;
};

export type SendDeps = {
  digests: DigestStore;
  readers: SubscriberStore;
  mailer: Mailer;
  signer: TokenSigner;
  pacer: Pacer;
  deadLetters: Queue<SendJob>;
  site: SendSite;
  now: () => Date;
};

type Outcome =
  | { kind: "done"; sent: number; skipped: number }
  | { kind: "retry"; delaySeconds: number }
  | { kind: "dead" };

/**
 * Who a chunk goes to. The set must not change between a delivered attempt and its retry, or the key
 * changes and the others are mailed twice. So the first attempt drops readers who left since the
 * digest was compiled and pins the set if that changed it; a retry reuses a pinned set unless the
 * provider had answered an error (then nothing was delivered and the set may be filtered again).
 */
async function recipientsFor(
  deps: SendDeps,
  job: SendJob,
  departed: Set<string>,
  attempts: number,
) {
  const pin = attempts > 1 ? await deps.digests.pin(job.digestId, job.chunk) : null;
  if (pin && !pin.definitive) return pin.recipients;
  const source = pin ? pin.recipients : job.recipients;
  const recipients = source.filter((email) => !departed.has(email));
  if (recipients.length !== job.recipients.length) {
    await deps.digests.putPin(job.digestId, job.chunk, { recipients, definitive: false });
  }
  return recipients;
}

/** Shared by one invocation's jobs: once the provider says 429, no further call starts. */
type RateLimitSignal = { retryAfterSeconds: number };

async function sendJob(
  deps: SendDeps,
  digest: Digest,
  parts: DigestEmailParts,
  job: SendJob,
  attempts: number,
  departed: () => Promise<Set<string>>,
  limited: RateLimitSignal,
): Promise<Outcome> {
  const recipients = await recipientsFor(deps, job, await departed(), attempts);
  const skipped = job.recipients.length - recipients.length;
  if (recipients.length === 0) return { kind: "done", sent: 0, skipped };
  const emails = await personaliseChunk(parts, deps.site, deps.signer, deps.now(), job, recipients);
  await deps.pacer.slot();
  if (limited.retryAfterSeconds > 0)
    return { kind: "retry", delaySeconds: limited.retryAfterSeconds };
  const result = await deps.mailer.sendBatch(
    emails,
    await idempotencyKey(digest.id, job.chunk, recipients),
  );
  // 409: the key was already used for this chunk, so the provider has already accepted it.
  if (result.ok || result.status === 409) return { kind: "done", sent: recipients.length, skipped };
  if (!result.retryable) return { kind: "dead" };
  // A dropped connection may have been delivered: pin the set so the retry repeats the same key.
  // An error answer was not delivered: the retry may filter again.
  await deps.digests.putPin(job.digestId, job.chunk, {
    recipients,
    definitive: result.status !== null,
  });
  const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** attempts);
  if (result.status === 429) {
    const wait = Math.ceil(result.retryAfterSeconds ?? 1);
    deps.pacer.pause(wait);
    limited.retryAfterSeconds = Math.max(limited.retryAfterSeconds, wait);
    return { kind: "retry", delaySeconds: wait };
  }
  return {
    kind: "retry",
    delaySeconds: Math.ceil(Math.max(backoff, result.retryAfterSeconds ?? 0)),
  };
}

/** Consumer for the send queue. Progress is one record per digest per invocation, written before acks. */
export async function handleSendBatch(batch: MessageBatch<unknown>, deps: SendDeps): Promise<void> {
  const byDigest = new Map<string, { message: Message<unknown>; job: SendJob }[]>();
  for (const message of batch.messages) {
    const parsed = SendJob.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", event: "send.bad_job", id: message.id }));
      message.ack();
      continue;
    }
    byDigest.set(parsed.data.digestId, [
      ...(byDigest.get(parsed.data.digestId) ?? []),
      { message, job: parsed.data },
    ]);
  }

  for (const [digestId, items] of byDigest) {
    const known = await remember(
      deps,
      digestId,
      items.some(({ message }) => message.attempts > 1),
    );
    if (!known) {
      console.error(JSON.stringify({ level: "error", event: "send.unknown_digest", digestId }));
      items.forEach(({ message }) => message.ack());
      continue;
    }
    const { digest, parts, recorded } = known;
    const departed = departureView(deps, new Date(digest.createdAt));
    const done: { message: Message<unknown>; chunk: number; sent: number; skipped: number }[] = [];
    const seen = new Set<number>();
    const limited: RateLimitSignal = { retryAfterSeconds: 0 };
    const inFlight = new Set<Promise<void>>();

    for (const { message, job } of items) {
      // Already recorded, or a duplicate delivery in this batch: at-least-once delivery, counted once.
      if (recorded.has(job.chunk) || seen.has(job.chunk)) {
        message.ack();
        continue;
      }
      seen.add(job.chunk);
      // After a 429, nothing more starts in this invocation: the rest wait out the retry-after.
      if (limited.retryAfterSeconds > 0) {
        message.retry({ delaySeconds: limited.retryAfterSeconds });
        continue;
      }
      const run = sendJob(deps, digest, parts, job, message.attempts, departed, limited).then(
        async (outcome) => {
          if (outcome.kind === "done")
            done.push({ message, chunk: job.chunk, sent: outcome.sent, skipped: outcome.skipped });
          else if (outcome.kind === "retry") {
            message.retry({ delaySeconds: outcome.delaySeconds });
          } else {
            // Not worth retrying (a 4xx): straight to the dead-letter queue, where it is counted.
            await deps.deadLetters.send(job, { contentType: "json" });
            message.ack();
          }
        },
      );
      inFlight.add(run);
      const settle = () => inFlight.delete(run);
      run.then(settle, settle);
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);

    await deps.digests.addProgress(
      digestId,
      done.map((entry) => entry.chunk),
      {
        sent: done.reduce((sum, entry) => sum + entry.sent, 0),
        skipped: done.reduce((sum, entry) => sum + entry.skipped, 0),
        failed: 0,
      },
      deps.now(),
    );
    for (const { message, chunk } of done) {
      recorded.add(chunk);
      message.ack();
    }
  }
}
