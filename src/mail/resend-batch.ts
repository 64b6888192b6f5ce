// Resend's POST /emails/batch, called directly rather than through the SDK's `batch.send`, which
// JSON.stringifies every email: a 30-story digest is 35 KB a reader, the same for every reader of a
// selection, and serialising it again for each of them was most of the send's CPU (issue 19). The
// request is the SDK's (the same headers: Authorization, User-Agent, Content-Type, Idempotency-Key,
// x-batch-validation; the same JSON, field for field) and its answer is read as the SDK reads it, so
// toSendResult sees the SDK's `{ data, error, headers }` either way. Documented at
// https://resend.com/docs/api-reference/emails/send-batch-emails.
import { z } from "zod";
import { batchBody, requestBody } from "./batch-body";
import type { OutgoingEmail } from "./mailer";

/** The SDK's reply: `data` on success, `error` (Resend's body, or the SDK's own) otherwise. */
export type ResendReply = {
  data: unknown;
  error: { message?: string; statusCode?: number | null; name?: string } | null;
  headers: Record<string, string> | null;
};

export type BatchCall = {
  baseUrl: string;
  apiKey: string;
  /** The SDK's own (`resend-node:<version>`): Resend refuses requests without a User-Agent. */
  userAgent: string;
};

// Resend's error body, `{ statusCode, name, message }`, read as loosely as the SDK reads it.
const ErrorBody = z.object({
  statusCode: z.number().nullable().optional(),
  name: z.string().optional(),
  message: z.string().optional(),
});

// The SDK's words when no answer could be read at all.
const UNREACHABLE = "Unable to fetch data. The request could not be resolved.";
const UNREADABLE =
  "Internal server error. We are unable to process your request right now, please try again later.";

/** One batch call with permissive validation: a refused email fails alone, not the other 99. */
export async function postBatch(
  call: BatchCall,
  emails: OutgoingEmail[],
  idempotencyKey: string,
): Promise<ResendReply> {
  const body = batchBody(emails);
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${call.baseUrl}/emails/batch`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${call.apiKey}`,
        "User-Agent": call.userAgent,
        "Content-Type": "application/json",
        "Idempotency-Key": idempotencyKey,
        "x-batch-validation": "permissive",
      },
      body: await requestBody(body),
    });
    text = await response.text();
  } catch {
    return unreachable();
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // As the SDK: a success that is not JSON is a call whose outcome is unknown (retried under the
    // same key); an error answer that is not JSON is Resend's failure.
    if (response.ok) return unreachable();
    return { data: null, error: unreadable(response.status), headers };
  }
  if (response.ok) return { data: parsed, error: null, headers };
  const error = ErrorBody.safeParse(parsed);
  return { data: null, error: error.success ? error.data : unreadable(response.status), headers };
}

const unreachable = (): ResendReply => ({
  data: null,
  error: { name: "application_error", statusCode: null, message: UNREACHABLE },
  headers: null,
});

const unreadable = (status: number) => ({
  name: "application_error",
  statusCode: status,
  message: UNREADABLE,
});
