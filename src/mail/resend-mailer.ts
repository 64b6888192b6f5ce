// The Resend adapter: the only module that sends through `resend` (one email through the SDK; a
// batch by the direct call in resend-batch.ts, the SDK's request without its serialisation). Replies
// become SendResult data, each answer read as Resend documents it (api-reference/errors,
// api-reference/rate-limit).
import { Resend } from "resend";
import { z } from "zod";
import { postBatch, type ResendReply } from "./resend-batch";
import type {
  Mailer,
  OutgoingEmail,
  QuotaKind,
  RateHeaders,
  RejectedEmail,
  SendResult,
} from "./mailer";

// When Resend answers 429 without a usable retry-after, wait this long before trying again.
const DEFAULT_RETRY_AFTER_SECONDS = 1;

const QUOTAS: Record<string, QuotaKind> = {
  daily_quota_exceeded: "daily",
  monthly_quota_exceeded: "monthly",
};

function retryAfterSeconds(headers: Record<string, string> | null): number | undefined {
  const raw = headers?.["retry-after"];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** `ratelimit-remaining` and `ratelimit-reset` (seconds), when both are numbers. */
export function rateHeaders(headers: Record<string, string> | null): RateHeaders | undefined {
  const remaining = Number(headers?.["ratelimit-remaining"] ?? Number.NaN);
  const resetSeconds = Number(headers?.["ratelimit-reset"] ?? Number.NaN);
  if (!Number.isFinite(remaining) || !Number.isFinite(resetSeconds) || remaining < 0)
    return undefined;
  const limit = Number(headers?.["ratelimit-limit"] ?? Number.NaN);
  return { limit: Number.isFinite(limit) ? limit : null, remaining, resetSeconds };
}

/**
 * A per-email error is about the recipient's address when it names the `to` field as invalid
 * ("Invalid `to` field. The email address needs to follow ..."). Anything else (a tag, a header, a
 * missing field, even "The `to` field is missing.", which is our email's fault) is not: when unsure,
 * the reader is not suppressed.
 */
export const isAddressError = (message: string) =>
  /`to`/.test(message) && /invalid|email address/i.test(message) && !/missing/i.test(message);

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
 * Reads an answer as what it means (see FailureReason). `emails` are the ones sent, so a refused
 * index can name its address.
 */
export function toSendResult(reply: ResendReply, emails: OutgoingEmail[] = []): SendResult {
  const rate = rateHeaders(reply.headers);
  const withRate = rate ? { rate } : {};
  if (!reply.error) {
    // Accepted either way: a reply we cannot read must not make the caller send again.
    const parsed = Accepted.safeParse(reply.data);
    if (!parsed.success) return { ok: true, ids: [], rejected: [], ...withRate };
    if ("id" in parsed.data) return { ok: true, ids: [parsed.data.id], rejected: [], ...withRate };
    const rejected: RejectedEmail[] = (parsed.data.errors ?? []).map((entry) => ({
      index: entry.index,
      to: emails[entry.index]?.to ?? "",
      message: entry.message,
      address: isAddressError(entry.message),
    }));
    return { ok: true, ids: parsed.data.data.map((entry) => entry.id), rejected, ...withRate };
  }
  const status = reply.error.statusCode ?? null;
  const name = reply.error.name;
  const base = {
    ok: false as const,
    status,
    message: reply.error.message ?? "Resend refused the request.",
    ...(name ? { name } : {}),
    ...withRate,
  };
  const quota = name ? QUOTAS[name] : undefined;
  if (status === 429 && quota) {
    const after = retryAfterSeconds(reply.headers);
    return {
      ...base,
      reason: "quota",
      retryable: false,
      quota: { kind: quota },
      ...(after === undefined ? {} : { retryAfterSeconds: after }),
    };
  }
  if (status === 429)
    return {
      ...base,
      reason: "rate_limited",
      retryable: true,
      retryAfterSeconds: retryAfterSeconds(reply.headers) ?? DEFAULT_RETRY_AFTER_SECONDS,
    };
  // 409 without a name we know is read as still in progress: retried under the same key, it is
  // never counted sent on a guess.
  if (status === 409)
    return name === "invalid_idempotent_request"
      ? { ...base, reason: "key_used", retryable: false }
      : { ...base, reason: "in_progress", retryable: true };
  if (status === 413) return { ...base, reason: "too_large", retryable: false };
  if (status === null || status >= 500) {
    const after = retryAfterSeconds(reply.headers);
    return {
      ...base,
      reason: "unavailable",
      retryable: true,
      ...(after === undefined ? {} : { retryAfterSeconds: after }),
    };
  }
  return { ...base, reason: "refused", retryable: false };
}

// Resend takes idempotency keys of 1 to 256 characters (400 invalid_idempotency_key otherwise).
const MAX_IDEMPOTENCY_KEY_CHARS = 256;

/**
 * The key as Resend takes it: a longer one (a confirmation's key names the address, which may be
 * 254 characters) becomes its SHA-256, the same for the same key, so a retry is still recognised.
 */
export async function resendIdempotencyKey(key: string): Promise<string> {
  if (key.length <= MAX_IDEMPOTENCY_KEY_CHARS) return key;
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hex = Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  return `sha256:${hex}`;
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
    async send(email, key) {
      const idempotencyKey = await resendIdempotencyKey(key);
      return toSendResult(await resend.emails.send(toResend(email), { idempotencyKey }), [email]);
    },
    async sendBatch(emails, key) {
      const call = { baseUrl: resend.baseUrl, apiKey: options.apiKey, userAgent: resend.userAgent };
      return toSendResult(await postBatch(call, emails, await resendIdempotencyKey(key)), emails);
    },
  };
}
