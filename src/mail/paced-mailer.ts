// The paced mailer: every provider call books a slot from the shared ProviderLimiter first, and a 429
// is waited out inside the invocation (same idempotency key) instead of spending a queue attempt.
import { ungated, type ConnectionGate } from "./connection-gate";
import type { Mailer, SendResult } from "./mailer";

/** What the paced mailer needs of the limiter; the ProviderLimiter stub is one. */
export type ProviderSlots = {
  /** The epoch ms the call may start; booked only if not after `latestMs`. */
  reserve(ratePerSecond: number, latestMs?: number): Promise<number>;
  pauseUntil(untilMs: number): Promise<number>;
};

export type PacedMailerOptions = {
  limiter: ProviderSlots;
  ratePerSecond: number;
  /** SEND_RATE_LIMIT_WAIT_SECONDS: the most one call waits for slots before it hands back a 429. */
  maxWaitSeconds: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The invocation's connection gate: each call to the limiter or the provider takes a permit, the
   * wait for a slot does not. */
  gate?: ConnectionGate;
};

// A 429 without a usable retry-after still pauses every caller this long.
const DEFAULT_RETRY_AFTER_SECONDS = 1;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createPacedMailer(inner: Mailer, options: PacedMailerOptions): Mailer {
  const { limiter, ratePerSecond, maxWaitSeconds } = options;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const gate = options.gate ?? ungated;

  /**
   * 5xx and network errors come back at once for the caller to back off: looping on them here
   * would hide an outage inside one invocation. Only 429s, which say when to come back, are waited.
   */
  async function paced(call: () => Promise<SendResult>): Promise<SendResult> {
    const deadlineMs = clock() + maxWaitSeconds * 1000;
    let limited: SendResult | undefined;
    for (;;) {
      let startAtMs: number;
      try {
        startAtMs = await gate(() => limiter.reserve(ratePerSecond, deadlineMs));
      } catch (error) {
        // Without a slot, calling anyway could start a 429 storm for every isolate: hand it back.
        return {
          ok: false,
          retryable: true,
          status: null,
          message: `The provider limiter did not answer: ${String(error)}`,
        };
      }
      // Not booked: waiting for it would pass SEND_RATE_LIMIT_WAIT_SECONDS.
      if (startAtMs > deadlineMs) {
        const retryAfterSeconds = Math.max(1, Math.ceil((startAtMs - clock()) / 1000));
        return limited && !limited.ok
          ? { ...limited, retryAfterSeconds }
          : {
              ok: false,
              retryable: true,
              retryAfterSeconds,
              status: 429,
              message: `No provider slot within ${maxWaitSeconds} s: the limiter is paused or full.`,
            };
      }
      const waitMs = startAtMs - clock();
      if (waitMs > 0) await sleep(waitMs);
      const result = await gate(call);
      if (result.ok || result.status !== 429) return result;
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
