// The paced mailer: every provider call books a slot from the shared ProviderLimiter first, and a 429
// is waited out inside the invocation (same idempotency key) instead of spending a queue attempt. A
// quota answer stops every caller through the limiter at once; while the quota is spent no call is
// made at all, transactional mail included.
import { ungated, type ConnectionGate } from "./connection-gate";
import type { Mailer, QuotaKind, SendResult } from "./mailer";
import type { QuotaStop } from "./quota-stop";
import { quotaInWords } from "./quota-stop";
import type { LastAnswer } from "./provider-limiter";

/** What the paced mailer needs of the limiter; the ProviderLimiter stub is one. */
export type ProviderSlots = {
  /** The epoch ms the call may start; booked only if not after `latestMs`, and not while `quota`. */
  reserve(
    ratePerSecond: number,
    latestMs?: number,
    last?: LastAnswer,
  ): Promise<{ atMs: number; quota: QuotaStop | null }>;
  pauseUntil(untilMs: number): Promise<number>;
  quotaSpent(
    kind: QuotaKind,
    daySeconds: number,
    retryAfterSeconds?: number,
    acceptedAtMs?: number | null,
  ): Promise<QuotaStop>;
};

export type PacedMailerOptions = {
  limiter: ProviderSlots;
  ratePerSecond: number;
  /** SEND_RATE_LIMIT_WAIT_SECONDS: the most one call waits for slots before it hands back a 429. */
  maxWaitSeconds: number;
  /** RESEND_QUOTA_DAY_SECONDS: the provider's quota day (a UTC day). */
  quotaDaySeconds: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The invocation's connection gate: each call to the limiter or the provider takes a permit, the
   * wait for a slot does not. */
  gate?: ConnectionGate;
};

// A 429 without a usable retry-after still pauses every caller this long.
const DEFAULT_RETRY_AFTER_SECONDS = 1;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The answer for a call not made because the quota is spent. */
const quotaStopped = (stop: QuotaStop): SendResult => ({
  ok: false,
  reason: "quota",
  retryable: false,
  status: 429,
  name: `${stop.kind}_quota_exceeded`,
  message: quotaInWords(stop),
  quota: { kind: stop.kind, untilMs: stop.untilMs },
});

export function createPacedMailer(inner: Mailer, options: PacedMailerOptions): Mailer {
  const { limiter, ratePerSecond, maxWaitSeconds } = options;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const gate = options.gate ?? ungated;
  // This mailer's last answer (its rate headers), handed over with its next booking, and when it
  // last had a call accepted (after a quota stop: proof the quota did reset).
  let observed: LastAnswer | undefined;
  let acceptedAtMs: number | null = null;

  // The rate headers are dated from the call's start, not its answer: the provider counts a call
  // when it arrives, and a batch's answer comes seconds later (its upload, then the sending). Dated
  // from the answer, "none left for 1 s" would hold every caller for a second after each answer
  // even though that second had passed before the answer came (issue 19, at 3 s calls).
  function observe(result: SendResult, startedAtMs: number): void {
    const rate = result.rate;
    if (result.ok) acceptedAtMs = clock();
    observed = {
      atMs: startedAtMs,
      acceptedAtMs,
      ...(rate ? { rate: { remaining: rate.remaining, resetSeconds: rate.resetSeconds } } : {}),
    };
  }

  /** The quota answer recorded with the limiter: every caller stops until it resets. */
  async function quotaSpent(result: SendResult & { ok: false }): Promise<SendResult> {
    const kind = result.quota?.kind ?? "daily";
    try {
      const stop = await gate(() =>
        limiter.quotaSpent(kind, options.quotaDaySeconds, result.retryAfterSeconds, acceptedAtMs),
      );
      return { ...result, quota: { kind: stop.kind, untilMs: stop.untilMs } };
    } catch {
      return result;
    }
  }

  /**
   * 5xx and network errors come back at once for the caller to back off: looping on them here
   * would hide an outage inside one invocation. Only 429s for the rate, which say when to come back,
   * are waited.
   */
  async function paced(call: () => Promise<SendResult>): Promise<SendResult> {
    const deadlineMs = clock() + maxWaitSeconds * 1000;
    let limited: SendResult | undefined;
    for (;;) {
      let booking: { atMs: number; quota: QuotaStop | null };
      try {
        const last = observed;
        observed = undefined;
        booking = await gate(() => limiter.reserve(ratePerSecond, deadlineMs, last));
      } catch (error) {
        // Without a slot, calling anyway could start a 429 storm for every isolate: hand it back.
        return {
          ok: false,
          reason: "unavailable",
          retryable: true,
          status: null,
          message: `The provider limiter did not answer: ${String(error)}`,
        };
      }
      if (booking.quota) return quotaStopped(booking.quota);
      const startAtMs = booking.atMs;
      // Not booked: waiting for it would pass SEND_RATE_LIMIT_WAIT_SECONDS.
      if (startAtMs > deadlineMs) {
        const retryAfterSeconds = Math.max(1, Math.ceil((startAtMs - clock()) / 1000));
        return limited && !limited.ok
          ? { ...limited, retryAfterSeconds }
          : {
              ok: false,
              reason: "rate_limited",
              retryable: true,
              retryAfterSeconds,
              status: 429,
              message: `No provider slot within ${maxWaitSeconds} s: the limiter is paused or full.`,
            };
      }
      const waitMs = startAtMs - clock();
      if (waitMs > 0) await sleep(waitMs);
      let startedAtMs = clock();
      // Timed once a connection is free: the call starts then, not while it waits for the gate.
      const result = await gate(() => {
        startedAtMs = clock();
        return call();
      });
      observe(result, startedAtMs);
      if (result.ok) return result;
      if (result.reason === "quota") return quotaSpent(result);
      if (result.reason !== "rate_limited") return result;
      const retryAfterMs = (result.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) * 1000;
      const resumeAtMs = clock() + retryAfterMs;
      console.log(
        JSON.stringify({
          level: "warn",
          event: "provider.rate_limited",
          retryAfterSeconds: retryAfterMs / 1000,
          givingUp: resumeAtMs > deadlineMs,
        }),
      );
      try {
        // Every caller waits, not only this one: the provider's limit is per team.
        await gate(() => limiter.pauseUntil(resumeAtMs));
      } catch {
        return result;
      }
      if (resumeAtMs > deadlineMs) return result;
      limited = result;
    }
  }

  return {
    kind: inner.kind,
    send: (email, idempotencyKey) => paced(() => inner.send(email, idempotencyKey)),
    sendBatch: (emails, idempotencyKey) => paced(() => inner.sendBatch(emails, idempotencyKey)),
  };
}
