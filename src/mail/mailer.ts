// The mailer port: the rest of Tidings sends mail through this and reads provider replies as data.

export type EmailTag = { name: string; value: string };

export type OutgoingEmail = {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** Tag values may only hold ASCII letters, digits, `_` and `-` (a Resend rule). */
  tags?: EmailTag[];
};

/** One email of an accepted batch that the provider refused on its own (an invalid address). */
export type RejectedEmail = { index: number; to: string; message: string };

/**
 * `ok`: the call was accepted; `ids` are the accepted emails' ids, in order, and `rejected` the
 * emails refused alone (absent or empty: none). Not `ok`: nothing was sent. `status` 429 and 5xx,
 * or `null` (no answer), are `retryable`; 413 means the batch was too large: split it and send
 * the halves; any other 4xx will fail again as it is.
 */
export type SendResult =
  | { ok: true; ids: string[]; rejected?: RejectedEmail[] }
  | {
      ok: false;
      retryable: boolean;
      retryAfterSeconds?: number;
      status: number | null;
      message: string;
    };

export interface Mailer {
  readonly kind: "resend" | "outbox";
  /** One email. The same idempotency key never delivers twice. */
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SendResult>;
  /**
   * Up to MAX_BATCH_EMAILS emails in one provider call. An invalid address fails alone (listed in
   * `rejected`); anything else is all or nothing.
   */
  sendBatch(emails: OutgoingEmail[], idempotencyKey: string): Promise<SendResult>;
}

// Resend's batch endpoint takes at most 100 emails a call.
export const MAX_BATCH_EMAILS = 100;
