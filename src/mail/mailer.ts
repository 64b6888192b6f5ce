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

export type SendResult =
  | { ok: true; ids: string[]; rejected?: { index: number; to?: string; message: string }[] }
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
  /** Up to MAX_BATCH_EMAILS emails in one provider call, all or nothing. */
  sendBatch(emails: OutgoingEmail[], idempotencyKey: string): Promise<SendResult>;
}

// Resend's batch endpoint takes at most 100 emails a call.
export const MAX_BATCH_EMAILS = 100;
