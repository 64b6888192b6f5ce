// POST /webhooks/resend: provider events, verified by their Standard Webhooks signature on the raw body.
import { Hono } from "hono";
import { SendUnitId } from "../digest/digest-schema";
import { editionSend } from "../digest/edition-send";
import { requireSecret, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { recordProviderEvent } from "../subscribers/deliverability";
import { readerLedger } from "../subscribers/reader-ledger";
import { isPermanentBounce, recipientsOf, ResendEvent } from "../webhooks/resend-event";
import { verifyWebhook } from "../webhooks/verify-signature";
import { readTextLimited } from "./json-body";

// Resend's event payloads are a few KB.
const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export const webhookRoutes = new Hono<{ Bindings: AppEnv }>().post("/resend", async (c) => {
  const secret = requireSecret(c.env.RESEND_WEBHOOK_SECRET, "RESEND_WEBHOOK_SECRET");
  const raw = await readTextLimited(c.req.raw, MAX_WEBHOOK_BODY_BYTES);
  const now = new Date();
  const verified = await verifyWebhook(
    secret,
    {
      id: c.req.header("svix-id") ?? null,
      timestamp: c.req.header("svix-timestamp") ?? null,
      signature: c.req.header("svix-signature") ?? null,
    },
    raw,
    now,
  );
  if (!verified.ok)
    throw new ApiError(
      401,
      "invalid_signature",
      "The webhook signature is missing or does not match.",
    );

  let event: ResendEvent;
  try {
    event = ResendEvent.parse(JSON.parse(raw));
  } catch {
    throw new ApiError(400, "invalid_request", "The webhook body is not a Resend event.");
  }
  const eventId = c.req.header("svix-id")!;
  const digestTag = event.data.tags?.digest;
  const digestId = digestTag && SendUnitId.safeParse(digestTag).success ? digestTag : null;
  const readers = (email: string) => readerLedger(c.env, email);
  const recipients = recipientsOf(event);

  // Resend retries deliveries: each reader's ledger and the edition's owner count an event id once.
  let status: "recorded" | "duplicate";
  switch (event.type) {
    case "email.delivered":
      // Not counted per edition: a KV or object write per delivered email would cost a send.
      status = await recordProviderEvent(readers, eventId, recipients, { kind: "delivered" }, now);
      break;
    case "email.bounced": {
      const permanent = isPermanentBounce(event);
      if (digestId) await editionSend(c.env, digestId).recordEvent(eventId, "bounced", permanent);
      const bounce = { kind: "bounced", permanent } as const;
      status = await recordProviderEvent(readers, eventId, recipients, bounce, now);
      break;
    }
    case "email.complained":
      if (digestId) await editionSend(c.env, digestId).recordEvent(eventId, "complained", false);
      status = await recordProviderEvent(readers, eventId, recipients, { kind: "complained" }, now);
      break;
    default:
      // Other events (sent, opened, delivery_delayed, ...) are acknowledged and ignored.
      return c.json({ status: "ignored" });
  }
  return c.json({ status });
});
