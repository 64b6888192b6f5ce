// One chunk's provider call, read as what it means for the send: sent (with the addresses the
// provider refused as invalid), refused for good, or to be retried. A 413 splits the chunk.
import type { Mailer, OutgoingEmail } from "../mail/mailer";

export type Delivery =
  | { kind: "sent"; invalid: string[] }
  | { kind: "refused"; status: number | null }
  /** `answered`: the provider answered an error, so nothing was delivered. */
  | { kind: "retry"; answered: boolean; rateLimited: boolean };

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
      invalid: rejected.map((r) => r.to),
    };
  }
  // 409: this key was already used for this chunk, so the provider already accepted it.
  if (result.status === 409) return { kind: "sent", invalid: [] };
  if (result.status === 413 && emails.length > 1) {
    const middle = Math.ceil(emails.length / 2);
    const first = await deliverChunk(mailer, emails.slice(0, middle), `${key}/1`);
    if (first.kind !== "sent") return first;
    const second = await deliverChunk(mailer, emails.slice(middle), `${key}/2`);
    // The first half went out: the set and key must stay as they are for the retry.
    if (second.kind !== "sent")
      return {
        kind: "retry",
        answered: false,
        rateLimited: second.kind === "retry" && second.rateLimited,
      };
    return { kind: "sent", invalid: [...first.invalid, ...second.invalid] };
  }
  if (!result.retryable) return { kind: "refused", status: result.status };
  return {
    kind: "retry",
    answered: result.status !== null,
    rateLimited: result.status === 429,
  };
}
