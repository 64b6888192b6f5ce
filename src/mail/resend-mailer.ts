// The Resend adapter: the only module that imports `resend`. Replies become SendResult data.
import { Resend } from "resend";
import type { Mailer, OutgoingEmail, SendResult } from "./mailer";

type ResendReply = {
  data: unknown;
  error: { message?: string; statusCode?: number | null; name?: string } | null;
  headers: Record<string, string> | null;
};

// When Resend answers 429 without a usable retry-after, wait this long before trying again.
const DEFAULT_RETRY_AFTER_SECONDS = 1;

function retryAfterSeconds(headers: Record<string, string> | null): number | undefined {
  const raw = headers?.["retry-after"];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** 429 and 5xx (and no answer at all) are worth retrying; any other 4xx is not. */
export function toSendResult(reply: ResendReply): SendResult {
  if (!reply.error) {
    const data = reply.data as { id?: string; data?: { id: string }[] } | null;
    const ids = data?.data ? data.data.map((entry) => entry.id) : data?.id ? [data.id] : [];
    return { ok: true, ids };
  }
  const status = reply.error.statusCode ?? null;
  const message = reply.error.message ?? "Resend refused the request.";
  if (status === 429) {
    return {
      ok: false,
      retryable: true,
      retryAfterSeconds: retryAfterSeconds(reply.headers) ?? DEFAULT_RETRY_AFTER_SECONDS,
      status,
      message,
    };
  }
  if (status === null || status >= 500) {
    return {
      ok: false,
      retryable: true,
      retryAfterSeconds: retryAfterSeconds(reply.headers),
      status,
      message,
    };
  }
  return { ok: false, retryable: false, status, message };
}

const toResend = (email: OutgoingEmail) => ({
  from: email.from,
  to: [email.to],
  subject: email.subject,
  html: email.html,
  text: email.text,
  headers: email.headers,
  tags: email.tags,
});

export function createResendMailer(options: { apiKey: string; baseUrl?: string }): Mailer {
  const resend = new Resend(
    options.apiKey,
    options.baseUrl ? { baseUrl: options.baseUrl } : undefined,
  );
  return {
    kind: "resend",
    async send(email, idempotencyKey) {
      return toSendResult(await resend.emails.send(toResend(email), { idempotencyKey }));
    },
    async sendBatch(emails, idempotencyKey) {
      return toSendResult(await resend.batch.send(emails.map(toResend), { idempotencyKey }));
    },
  };
}
