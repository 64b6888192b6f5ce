// The Resend adapter: the only module that imports `resend`. Replies become SendResult data.
import { Resend } from "resend";
import { z } from "zod";
import type { Mailer, OutgoingEmail, RejectedEmail, SendResult } from "./mailer";

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

// `/emails` answers `{ id }`; `/emails/batch` answers `{ data: [{ id }] }` and, with permissive
// validation, `errors: [{ index, message }]` for the emails it refused (index into the batch sent).
const Accepted = z.union([
  z.object({
    data: z.array(z.object({ id: z.string() })),
    errors: z.array(z.object({ index: z.number().int(), message: z.string() })).optional(),
  }),
  z.object({ id: z.string() }),
]);

/**
 * 429 and 5xx (and no answer at all) are worth retrying; any other 4xx is not (413: split the
 * batch). `emails` are the ones sent, so a refused index can name its address.
 */
export function toSendResult(reply: ResendReply, emails: OutgoingEmail[] = []): SendResult {
  if (!reply.error) {
    // Accepted either way: a reply we cannot read must not make the caller send again.
    const parsed = Accepted.safeParse(reply.data);
    if (!parsed.success) return { ok: true, ids: [], rejected: [] };
    if ("id" in parsed.data) return { ok: true, ids: [parsed.data.id], rejected: [] };
    const rejected: RejectedEmail[] = (parsed.data.errors ?? []).map((entry) => ({
      index: entry.index,
      to: emails[entry.index]?.to ?? "",
      message: entry.message,
    }));
    return { ok: true, ids: parsed.data.data.map((entry) => entry.id), rejected };
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
      return toSendResult(await resend.emails.send(toResend(email), { idempotencyKey }), [email]);
    },
    async sendBatch(emails, idempotencyKey) {
      // Permissive: one invalid address is refused alone instead of failing the other 99.
      const reply = await resend.batch.send(emails.map(toResend), {
        idempotencyKey,
        batchValidation: "permissive",
      });
      return toSendResult(reply, emails);
    },
  };
}
