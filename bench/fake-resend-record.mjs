// What the fake Resend remembers, kept cheap enough for a million-reader bench at 10,000 emails a
// second: per-recipient counts, emails per second, bytes, the last few emails whole (for tests that
// read them), the idempotency keys of 24 hours (as compact answers), and the contract breaches.
import { sizeOf, wholeEmail } from "./fake-resend-body.mjs";

/**
 * What the fake counts, reset per scenario (`fake.reset()`). `callsAfterQuota`: the most calls that
 * arrived in one quota stop after its first quota answer (while the day's quota stayed spent).
 */
// prettier-ignore
export const COUNTERS = [
  "requests", "accepted", "replayed", "rateLimited", "injected500", "injected429", "forced",
  "dropped", "conflicts", "inProgress", "unauthorized", "invalid", "rejectedEmails", "fieldRefused",
  "tooLarge", "outage", "quotaRefused", "callsAfterQuota", "violations", "events",
];

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
// A contract breach is a bug to fix, not a statistic: a few examples say which.
const MAX_VIOLATIONS_KEPT = 50;

export function createRecord({ keepEmails = 0 } = {}) {
  const startedAt = performance.now();
  const perReader = new Map();
  const perSecond = [];
  const lastEmails = [];
  const violations = [];
  let emails = 0;
  let bytes = 0;
  let nextId = 0;
  const trace = process.env.BENCH_TRACE_DUPLICATES ? new Map() : null;
  return {
    /** With BENCH_TRACE_DUPLICATES: the deliveries of readers delivered more than once. */
    duplicateTrace: () =>
      trace ? [...trace].filter(([, seen]) => seen.length > 1).slice(0, 20) : [],
    /** Records accepted emails; answers their ids (`fake_<n>`, consecutive). */
    deliver(list, key) {
      const second = Math.floor((performance.now() - startedAt) / 1000);
      const first = nextId + 1;
      for (const email of list) {
        nextId++;
        const size = sizeOf(email);
        for (const to of [email.to, email.cc, email.bcc].flat()) {
          if (typeof to !== "string") continue;
          perReader.set(to, (perReader.get(to) ?? 0) + 1);
          // BENCH_TRACE_DUPLICATES=1 (a debugging aid): each delivery's key and chunk tag, by reader.
          if (trace) {
            const seen = trace.get(to) ?? [];
            seen.push(`${key} ${email.tags?.find((t) => t.name === "chunk")?.value} ${second}s`);
            trace.set(to, seen);
          }
          perSecond[second] = (perSecond[second] ?? 0) + 1;
          emails++;
          bytes += size;
        }
        if (keepEmails > 0) {
          lastEmails.push(email);
          if (lastEmails.length > keepEmails) lastEmails.shift();
        }
      }
      return { first, count: list.length };
    },
    violate(found, request) {
      for (const violation of found) {
        if (violations.length < MAX_VIOLATIONS_KEPT) violations.push(`${request}: ${violation}`);
      }
      return found.length;
    },
    perReader: () => perReader,
    perSecond: () => Array.from(perSecond, (n) => n ?? 0),
    totals: () => ({ emails, bytes, bytesPerEmail: emails ? bytes / emails : 0 }),
    lastEmails: () => lastEmails.map(wholeEmail),
    violations: () => [...violations],
    /** Forgets what was delivered (ids keep counting, as keys stay; breaches stay too). */
    reset() {
      perReader.clear();
      perSecond.length = 0;
      lastEmails.length = 0;
      emails = 0;
      bytes = 0;
    },
  };
}

/** An accepted answer kept compactly: the first id, how many, and permissive mode's errors. */
export const answerOf = ({ first, count }, batch, errors) =>
  batch
    ? {
        data: Array.from({ length: count }, (_, i) => ({ id: `fake_${first + i}` })),
        ...(errors ? { errors } : {}),
      }
    : { id: `fake_${first}` };

/**
 * Idempotency keys as Resend keeps them: 24 hours, only for requests that sent something; a key is
 * `pending` while its first request is still being answered (a second one meanwhile is 409
 * `concurrent_idempotent_requests`).
 */
export function createKeys() {
  const keys = new Map();
  return {
    get(key, nowMs = Date.now()) {
      const entry = keys.get(key);
      if (entry && nowMs - entry.at >= IDEMPOTENCY_TTL_MS) {
        keys.delete(key);
        return undefined;
      }
      return entry;
    },
    begin: (key, bodyHash) => keys.set(key, { pending: true, at: Date.now(), bodyHash }),
    accept: (key, bodyHash, answer) =>
      keys.set(key, { pending: false, at: Date.now(), bodyHash, answer }),
    /** The first request failed: nothing was sent, so the key is free again. */
    release: (key) => keys.delete(key),
  };
}

/** A webhook event as Resend sends it for one accepted email (`type` and the `data` it adds). */
export function emailEvent(type, email, id, extra) {
  const at = new Date().toISOString();
  return {
    type,
    created_at: at,
    data: {
      email_id: id,
      created_at: at,
      from: email.from,
      to: [email.to].flat(),
      subject: email.subject,
      tags: Object.fromEntries((email.tags ?? []).map((tag) => [tag.name, tag.value])),
      ...extra,
    },
  };
}

/** `data.suppressed` of an `email.suppressed` event (resend.yaml, WebhookEventSuppressed). */
export const suppressionOf = (complaint) => ({
  type: "OnAccountSuppressionList",
  reason: complaint ? "previous_complaint" : "previous_bounce",
  diagnosticCode: [],
  message: "Resend did not send to this address: it is on the account's suppression list.",
});

/** Webhook events on their way to `onEvent` (the harness posts them, signed, to the Worker). */
export function createEventSink() {
  const pending = new Set();
  return {
    emit(onEvent, event, count) {
      if (!onEvent) return;
      count();
      const sent = Promise.resolve(onEvent(event)).catch(() => {});
      pending.add(sent);
      sent.finally(() => pending.delete(sent));
    },
    /** Every event emitted so far has been handled. */
    settled: () => Promise.all([...pending]),
  };
}
