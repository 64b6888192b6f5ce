// What Tidings does with each Resend webhook event (docs/deliverability.md lists them all). The
// reader's ReaderLedger and the send's EditionSend each count an event id (svix-id) once, since
// Resend retries deliveries. Types we do not act on are acknowledged and change nothing.
import { SendUnitId } from "../digest/digest-schema";
import type { DigestEventKind } from "../digest/edition-send";
import { recordProviderEvent, type ProviderEvent } from "../subscribers/deliverability";
import type { ReaderLedgers } from "../subscribers/reader-ledger";
import { isPermanentBounce, recipientsOf, ResendEvent, SuppressionEvent } from "./resend-event";

export type EventDeps = {
  readers: ReaderLedgers;
  /** The owner of a send, by its `digest` tag (an edition's date or a run slot). */
  send: (id: string) => {
    recordEvent(eventId: string, kind: DigestEventKind, permanent: boolean): Promise<void>;
  };
  now: Date;
};

export type EventOutcome = "recorded" | "duplicate" | "ignored" | "malformed";

// suppression.added's origin, as email.suppressed's reason says it.
const ORIGIN_REASON = {
  bounce: "previous_bounce",
  complaint: "previous_complaint",
  manual: "manual",
} as const;

const EMAIL_EVENTS = new Set([
  "email.delivered",
  "email.bounced",
  "email.complained",
  "email.suppressed",
  "email.failed",
]);

export async function handleResendEvent(
  deps: EventDeps,
  eventId: string,
  type: string,
  body: unknown,
): Promise<EventOutcome> {
  if (type === "suppression.added") {
    const parsed = SuppressionEvent.safeParse(body);
    if (!parsed.success) return "malformed";
    const reason = ORIGIN_REASON[parsed.data.data.origin];
    const recipients = [parsed.data.data.email.trim().toLowerCase()];
    return recordProviderEvent(
      deps.readers,
      eventId,
      recipients,
      { kind: "suppressed", reason },
      deps.now,
    );
  }
  // Every other documented type (email.sent, opened, clicked, delivery_delayed, scheduled,
  // received, contact.*, domain.*, suppression.removed, ...) changes nothing here.
  if (!EMAIL_EVENTS.has(type)) return "ignored";
  const parsed = ResendEvent.safeParse(body);
  if (!parsed.success) return "malformed";
  const event = parsed.data;
  const tag = event.data.tags?.digest;
  const send = tag && SendUnitId.safeParse(tag).success ? deps.send(tag) : null;
  const readerEvent = await readerEventOf(event, send, eventId);
  if (!readerEvent) return "malformed";
  return recordProviderEvent(deps.readers, eventId, recipientsOf(event), readerEvent, deps.now);
}

/** What the event means for its readers, after counting it on its send where that matters. */
async function readerEventOf(
  event: ResendEvent,
  send: ReturnType<EventDeps["send"]> | null,
  eventId: string,
): Promise<ProviderEvent | null> {
  switch (event.type) {
    case "email.delivered":
      // Not counted per send: an object write per delivered email would cost a send.
      return { kind: "delivered" };
    case "email.bounced": {
      const permanent = isPermanentBounce(event);
      await send?.recordEvent(eventId, "bounced", permanent);
      return { kind: "bounced", permanent };
    }
    case "email.complained":
      await send?.recordEvent(eventId, "complained", false);
      return { kind: "complained" };
    case "email.suppressed": {
      const reason = event.data.suppressed?.reason;
      if (!reason) return null;
      await send?.recordEvent(eventId, "suppressed", false);
      return { kind: "suppressed", reason };
    }
    case "email.failed": {
      const reason = event.data.failed?.reason;
      if (!reason) return null;
      await send?.recordEvent(eventId, "failed", false);
      return { kind: "failed", reason };
    }
    default:
      return null;
  }
}
