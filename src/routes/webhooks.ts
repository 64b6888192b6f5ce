// POST /webhooks/resend: provider events, verified by their Standard Webhooks signature on the raw body.
import { Hono } from "hono";
import { editionSend } from "../digest/edition-send";
import { requireSecret, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { readerLedger } from "../subscribers/reader-ledger";
import { handleResendEvent } from "../webhooks/handle-event";
import { AnyEvent } from "../webhooks/resend-event";
import { verifyWebhook } from "../webhooks/verify-signature";
import { readTextLimited } from "./json-body";

// Resend's event payloads are a few KB.
const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

const notAnEvent = () =>
  new ApiError(400, "invalid_request", "The webhook body is not a Resend event.");

export const webhookRoutes = new Hono<{ Bindings: AppEnv }>().post("/resend", async (c) => {
  const secret = requireSecret(c.env.RESEND_WEBHOOK_SECRET, "RESEND_WEBHOOK_SECRET");
  const raw = await readTextLimited(c.req.raw, MAX_WEBHOOK_BODY_BYTES);
  const id = c.req.header("svix-id") ?? null;
  const verified = verifyWebhook(
    secret,
    {
      id,
      timestamp: c.req.header("svix-timestamp") ?? null,
      signature: c.req.header("svix-signature") ?? null,
    },
    raw,
  );
  if (!verified.ok)
    throw new ApiError(
      401,
      "invalid_signature",
      "The webhook signature is missing or does not match.",
    );
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw notAnEvent();
  }
  const event = AnyEvent.safeParse(body);
  if (!event.success) throw notAnEvent();
  const outcome = await handleResendEvent(
    {
      readers: (email) => readerLedger(c.env, email),
      send: (sendId) => editionSend(c.env, sendId),
      now: new Date(),
    },
    id!,
    event.data.type,
    body,
  );
  if (outcome === "malformed") throw notAnEvent();
  return c.json({ status: outcome });
});
