// One chunk's provider call, read as what it means for the send: sent (with the addresses the
// provider refused as invalid and the emails it refused for another field), refused for good, to be
// retried, still in progress under its key, or stopped by the spent quota. A 413 splits the chunk.
import type { Mailer, OutgoingEmail, QuotaKind } from "../mail/mailer";
import type { FailedEmail } from "./failed-readers";

export type Delivery =
  | { kind: "sent"; invalid: string[]; failed: FailedEmail[] }
  | { kind: "refused"; status: number | null; message: string }
  /** `answered`: the provider answered an error, so nothing was delivered. */
  | { kind: "retry"; answered: boolean; rateLimited: boolean }
  /** A request with this key is still running: call again later under the same key and set. */
  | { kind: "in_progress" }
  /** The account's quota is spent; `answered` as for `retry`. */
  | { kind: "quota"; answered: boolean; stop: { kind: QuotaKind; untilMs: number } };

// Without a time from the limiter, a spent quota is waited out for at least this long.
const QUOTA_FALLBACK_MS = 60 * 60 * 1000;

/**
 * Sends `emails` under `key`. A 413 proves nothing was delivered: the halves go out under keys
 * derived from this one, so a retry of the whole chunk repeats exactly the same calls.
 */
export async function deliverChunk(
  mailer: Mailer,
  emails: OutgoingEmail[],
  key: string,
): Promise<Delivery> {
  const result = await mailer.sendBatch(emails, key);
  if (result.ok) {
    const rejected = result.rejected ?? [];
    return {
      kind: "sent",
      invalid: rejected.filter((r) => r.address).map((r) => r.to),
      failed: rejected
        .filter((r) => !r.address && r.to !== "")
        .map((r) => ({ email: r.to, reason: `Resend refused this email: ${r.message}` })),
    };
  }
  switch (result.reason) {
    // The key was used with another payload (our emails carry fresh links on a retry): the provider
    // accepted an earlier call with this key. Which of its emails it refused alone is not known.
    case "key_used":
      return { kind: "sent", invalid: [], failed: [] };
    case "in_progress":
      return { kind: "in_progress" };
    case "quota":
      return {
        kind: "quota",
        answered: true,
        stop: {
          kind: result.quota?.kind ?? "daily",
          untilMs: result.quota?.untilMs ?? Date.now() + QUOTA_FALLBACK_MS,
        },
      };
    case "too_large":
      if (emails.length > 1) return deliverHalves(mailer, emails, key);
  }
  if (!result.retryable) return { kind: "refused", status: result.status, message: result.message };
  return {
    kind: "retry",
    answered: result.status !== null,
    rateLimited: result.reason === "rate_limited",
  };
}

async function deliverHalves(mailer: Mailer, emails: OutgoingEmail[], key: string) {
  const middle = Math.ceil(emails.length / 2);
  const first = await deliverChunk(mailer, emails.slice(0, middle), `${key}/1`);
  if (first.kind !== "sent") return first;
  const second = await deliverChunk(mailer, emails.slice(middle), `${key}/2`);
  if (second.kind === "sent")
    return {
      kind: "sent" as const,
      invalid: [...first.invalid, ...second.invalid],
      failed: [...first.failed, ...second.failed],
    };
  // The first half went out: the set and key must stay as they are for the retry.
  if (second.kind === "quota" || second.kind === "in_progress")
    return second.kind === "quota" ? { ...second, answered: false } : second;
  return {
    kind: "retry" as const,
    answered: false,
    rateLimited: second.kind === "retry" && second.rateLimited,
  };
}
