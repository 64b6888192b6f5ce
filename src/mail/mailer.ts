// The mailer port: the rest of Tidings sends mail through this and reads provider replies as data.

export type EmailTag = { name: string; value: string };

/**
 * Text that many emails share (a digest's body, a footer's fixed words): the same object for all of
 * them, so the Resend adapter escapes and encodes it once per isolate, keyed by the object.
 */
export type SharedText = { readonly text: string };

/** An email's html or text in order: shared pieces, and strings that are this email's own. */
export type TextPieces = readonly (SharedText | string)[];

export type OutgoingEmail = {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** Tag values may only hold ASCII letters, digits, `_` and `-` (a Resend rule). */
  tags?: EmailTag[];
  /**
   * How `html` and `text` are made, when most of them is shared (emailWithPieces makes both from
   * the same pieces): the Resend adapter then serialises only each email's own strings.
   */
  pieces?: { html: TextPieces; text: TextPieces };
};

/** The pieces joined (V8 concatenates without copying until the string is read). */
export function joinPieces(pieces: TextPieces): string {
  let out = "";
  for (const piece of pieces) out += typeof piece === "string" ? piece : piece.text;
  return out;
}

/**
 * An email whose html and text are its pieces joined, made when read: a chunk in flight holds its
 * pieces, not 100 joined bodies (the Resend adapter never reads them; the outbox and tests do).
 */
export function emailWithPieces(
  email: Omit<OutgoingEmail, "html" | "text" | "pieces">,
  html: TextPieces,
  text: TextPieces,
): OutgoingEmail {
  return {
    ...email,
    get html() {
      return joinPieces(html);
    },
    get text() {
      return joinPieces(text);
    },
    pieces: { html, text },
  };
}

/**
 * One email of an accepted batch that the provider refused on its own. `address`: the refusal is
 * about the recipient's address (the reader is then `invalid`); otherwise it is about another field
 * (a tag, a header, a missing field: our email's fault, and the reader stays as they were).
 */
export type RejectedEmail = { index: number; to: string; message: string; address: boolean };

/** What Resend's `ratelimit-*` headers said on an answer (they come on every answer). */
export type RateHeaders = { limit: number | null; remaining: number; resetSeconds: number };

/**
 * Why a call sent nothing, as the provider meant it:
 * - `rate_limited`: too many calls a second; wait `retryAfterSeconds` and call again;
 * - `quota`: the account's daily or monthly email quota is spent; no call helps until it resets;
 * - `in_progress`: a request with this idempotency key is still running; call again later with the
 *   same key (it says nothing about whether the first one will be accepted);
 * - `key_used`: this key was used with another payload: an earlier call with it was accepted;
 * - `too_large`: split the batch; `unavailable`: 5xx or no answer; `refused`: any other 4xx.
 */
export type FailureReason =
  "rate_limited" | "quota" | "in_progress" | "key_used" | "too_large" | "unavailable" | "refused";

export type QuotaKind = "daily" | "monthly";

/**
 * `ok`: the call was accepted; `ids` are the accepted emails' ids, in order, and `rejected` the
 * emails refused alone (absent or empty: none). Not `ok`: nothing was sent, for `reason`;
 * `retryable` says whether the same call may succeed later. `status` is null when no answer came.
 */
export type SendResult =
  | { ok: true; ids: string[]; rejected?: RejectedEmail[]; rate?: RateHeaders }
  | {
      ok: false;
      reason: FailureReason;
      retryable: boolean;
      retryAfterSeconds?: number;
      status: number | null;
      /** Resend's error name (`rate_limit_exceeded`, `daily_quota_exceeded`, ...), when it gave one. */
      name?: string;
      message: string;
      /** `quota`: which one, and (once the limiter recorded it) when calls may start again. */
      quota?: { kind: QuotaKind; untilMs?: number };
      rate?: RateHeaders;
    };

export interface Mailer {
  readonly kind: "resend" | "outbox";
  /** One email. The same idempotency key never delivers twice. */
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SendResult>;
  /**
   * Up to MAX_BATCH_EMAILS emails in one provider call. An email the provider refuses alone (its
   * address or another field) is listed in `rejected`; anything else is all or nothing.
   */
  sendBatch(emails: OutgoingEmail[], idempotencyKey: string): Promise<SendResult>;
}

// Resend's batch endpoint takes at most 100 emails a call.
export const MAX_BATCH_EMAILS = 100;
