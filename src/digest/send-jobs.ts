// The queue consumer: each job names one chunk of an edition. The edition's owner says who the chunk
// goes to and under which idempotency key; this module renders, makes the provider call, and tells
// the owner what happened. Rate limits are waited out by the paced mailer inside the invocation.
import type { ConnectionGate } from "../mail/connection-gate";
import type { Mailer } from "../mail/mailer";
import type { TokenSigner } from "../subscribers/reader-token";
import { renderDigestEmailParts, type DigestEmailParts } from "../../templates/digest-email";
import { SendJob, type Digest } from "./digest-schema";
import type { Claim, Settlement } from "./edition-send";
import { deliverChunk } from "./deliver-chunk";
import { personaliseChunk, type PartsFor } from "./personalise-chunk";
import { isSlotId } from "./digest-schema";
import { slotPartsFor, withKnownItems, type ChoiceRules } from "./render-selection";
import { defaultPreferences } from "../subscribers/preferences";

// Chunks in flight at once. Their calls share the invocation's connection gate (Workers allow 6
// simultaneous connections), so while some chunks render or wait for a provider slot, others call.
const MAX_CHUNKS_IN_FLIGHT = 12;
// Past this, an invocation starts no new chunk and hands the rest back as fresh messages (no queue
// attempt spent), so waiting out rate limits never runs into the 15-minute wall-time limit.
const INVOCATION_BUDGET_MS = 5 * 60 * 1000;
// Workers allow 1,000 subrequests an invocation; past this estimate no new chunk starts and the rest
// are handed back. A chunk costs a claim and a settlement with its owner, plus the mailer's calls:
// a limiter booking and a provider call (one 429 retry allowed for), or one KV put per email in the
// local outbox.
const INVOCATION_SUBREQUESTS = 900;
const chunkCost = (mailer: Mailer, emails: number) =>
  2 + (mailer.kind === "outbox" ? emails + 2 : 4);

/** What the consumer needs of an edition's owner (EditionSend's RPC methods). */
export type EditionOwner = {
  digest(): Promise<Digest | null>;
  claim(chunk: number): Promise<Claim>;
  settle(chunk: number, outcome: Settlement): Promise<void>;
};

export type SendSite = {
  siteTitle: string;
  siteUrl: string;
  mailFrom: string;
  postalAddress: string;
};

export type SendDeps = {
  edition: (digestId: string) => EditionOwner;
  mailer: Mailer;
  signer: TokenSigner;
  /** The provider refused this address as invalid: the reader's ledger suppresses it. */
  markInvalid: (email: string) => Promise<void>;
  /** The invocation's connection gate; the mailer takes its permits through the same gate. */
  gate: ConnectionGate;
  /** Fresh messages for jobs handed back (a new message spends no retry). */
  queue: Queue<SendJob>;
  site: SendSite;
  retry: { baseSeconds: number; maxSeconds: number };
  /** The site's topics and the article cap, for run slots' selections. */
  choice: ChoiceRules;
  now: () => Date;
};

// Per isolate: each digest's record and its email, rendered once (the record never changes once
// an owner adopted it). The promise is kept, so the chunks in flight together ask the owner once.
type Rendered = { digest: Digest; parts: DigestEmailParts | null };
const rendered = new Map<string, Promise<Rendered | null>>();
const MAX_REMEMBERED_DIGESTS = 8;

function renderedDigest(deps: SendDeps, digestId: string): Promise<Rendered | null> {
  const known = rendered.get(digestId);
  if (known) return known;
  const entry = deps
    .edition(digestId)
    .digest()
    .then((digest) => {
      if (!digest) {
        // An unknown digest (or a failed read) is asked again by the next chunk.
        rendered.delete(digestId);
        return null;
      }
      // A run slot's pool is not an email: its selections are rendered as readers need them, from
      // the items earlier slots rendered where their stories are the same.
      if (isSlotId(digest.id)) return { digest: withKnownItems(digest), parts: null };
      return { digest, parts: renderDigestEmailParts(digest, deps.site) };
    });
  entry.catch(() => rendered.delete(digestId));
  if (rendered.size >= MAX_REMEMBERED_DIGESTS) rendered.delete(rendered.keys().next().value!);
  rendered.set(digestId, entry);
  return entry;
}

// A recipient whose choice is not recorded gets the defaults (made once: checking a zone is not free).
const FALLBACK_CHOICE = defaultPreferences("UTC");

/** 2, 4, 8, ... seconds, capped: with the defaults twenty attempts outlast an hour's outage. */
export const backoffSeconds = (attempts: number, retry: SendDeps["retry"]) =>
  Math.ceil(Math.min(retry.maxSeconds, retry.baseSeconds * 2 ** Math.max(0, attempts - 1)));

type Job = { message: Message<unknown>; job: SendJob };

async function sendOne(deps: SendDeps, { message, job }: Job): Promise<"done" | "handback"> {
  const owner = deps.edition(job.digestId);
  const known = await renderedDigest(deps, job.digestId);
  if (!known) {
    console.error(
      JSON.stringify({ level: "error", event: "send.unknown_digest", id: job.digestId }),
    );
    message.ack();
    return "done";
  }
  const claim = await owner.claim(job.chunk);
  if (claim.kind !== "send") {
    message.ack();
    return "done";
  }
  const shared = known.parts;
  const partsFor: PartsFor = shared
    ? () => ({ parts: shared })
    : slotPartsFor(known.digest, claim.choices, FALLBACK_CHOICE, deps.choice, deps.site);
  const emails = await personaliseChunk(
    partsFor,
    deps.site,
    deps.signer,
    deps.now(),
    job,
    claim.recipients,
  );
  const result = await deliverChunk(deps.mailer, emails, claim.key);
  switch (result.kind) {
    case "sent":
      await owner.settle(job.chunk, {
        kind: "sent",
        invalid: result.invalid,
        ...(result.failed.length > 0 ? { failed: result.failed } : {}),
      });
      for (const email of result.invalid) await deps.markInvalid(email);
      message.ack();
      return "done";
    case "refused":
      // A 4xx other than 429: retrying cannot help, and nothing was delivered.
      await owner.settle(job.chunk, { kind: "failed", undelivered: true, reason: result.message });
      logRefused(job, result.status);
      message.ack();
      return "done";
    case "quota":
      // The limiter stops every caller; the owner holds the chunk and pauses the whole send.
      await owner.settle(job.chunk, {
        kind: "quota",
        undelivered: result.answered,
        stop: result.stop,
      });
      message.ack();
      return "done";
    case "in_progress":
      // Another request with this key is still running: the set and key stay, and the chunk is
      // counted sent only once a later call under the same key is accepted.
      message.retry({ delaySeconds: backoffSeconds(message.attempts, deps.retry) });
      return "done";
  }
  // An error answer proves nothing went out: the next claim may drop readers who left meanwhile.
  // A dropped connection proves nothing, so the set and key stay as recorded.
  if (result.answered) await owner.settle(job.chunk, { kind: "undelivered" });
  if (result.rateLimited) return "handback";
  message.retry({ delaySeconds: backoffSeconds(message.attempts, deps.retry) });
  return "done";
}

function logRefused(job: SendJob, status: number | null): void {
  console.error(
    JSON.stringify({
      level: "error",
      event: "send.refused",
      id: job.digestId,
      chunk: job.chunk,
      status,
    }),
  );
}

/** The owner's and the ledgers' calls, each through the invocation's connection gate. */
function gatedDeps(deps: SendDeps): SendDeps {
  const { gate } = deps;
  return {
    ...deps,
    edition: (id) => {
      const owner = deps.edition(id);
      return {
        digest: () => gate(() => owner.digest()),
        claim: (chunk) => gate(() => owner.claim(chunk)),
        settle: (chunk, outcome) => gate(() => owner.settle(chunk, outcome)),
      };
    },
    markInvalid: (email) => gate(() => deps.markInvalid(email)),
  };
}

/** Consumer for the send queue: at most MAX_CHUNKS_IN_FLIGHT chunks at once, within a wall-time budget. */
export async function handleSendBatch(
  batch: MessageBatch<unknown>,
  ungatedDeps: SendDeps,
): Promise<void> {
  const deps = gatedDeps(ungatedDeps);
  const startedAt = Date.now();
  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const message of batch.messages) {
    const parsed = SendJob.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", event: "send.bad_job", id: message.id }));
      message.ack();
      continue;
    }
    // A duplicate delivery in this batch: the owner would answer it as settled anyway.
    const name = `${parsed.data.digestId}/${parsed.data.chunk}`;
    if (seen.has(name)) {
      message.ack();
      continue;
    }
    seen.add(name);
    jobs.push({ message, job: parsed.data });
  }

  const handBack: (Job & { delaySeconds: number })[] = [];
  const inFlight = new Set<Promise<void>>();
  // Chunks hold at most 100 readers; the estimate takes the largest.
  let subrequests = 1;
  for (const item of jobs) {
    const cost = chunkCost(deps.mailer, 100);
    if (
      Date.now() - startedAt > INVOCATION_BUDGET_MS ||
      subrequests + cost > INVOCATION_SUBREQUESTS
    ) {
      handBack.push({ ...item, delaySeconds: 0 });
      continue;
    }
    subrequests += cost;
    const run = sendOne(deps, item).then((outcome) => {
      if (outcome === "handback") handBack.push({ ...item, delaySeconds: deps.retry.baseSeconds });
    });
    inFlight.add(run);
    const settle = () => inFlight.delete(run);
    run.then(settle, settle);
    if (inFlight.size >= MAX_CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  if (handBack.length > 0) {
    // Fresh messages keep their chunk (and the owner its set and key); the originals are acked.
    await deps.queue.sendBatch(
      handBack.map(({ job, delaySeconds }) => ({
        body: { digestId: job.digestId, chunk: job.chunk },
        contentType: "json" as const,
        // Handed back for the budget alone: at once; after a 429: after the base backoff.
        delaySeconds,
      })),
    );
    for (const { message } of handBack) message.ack();
  }
}
