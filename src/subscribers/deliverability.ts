// What the provider tells us about a reader, routed to the reader's ReaderLedger with the event id
// (svix-id), which counts each event once: hard bounces, complaints and the provider's suppression
// list stop all mail at once, three transient bounces in a row count as a hard bounce, a failure is
// noted in the reader's history, and a delivery clears the transient count.
import type { ReaderLedgers } from "./reader-ledger";
import { EmailAddress } from "./subscriber-schema";

export type ProviderEvent =
  | { kind: "delivered" }
  | { kind: "bounced"; permanent: boolean }
  | { kind: "complained" }
  /** On the provider's suppression list: `previous_bounce`, `previous_complaint` or `manual`. */
  | { kind: "suppressed"; reason: string }
  /** Accepted, then not sent: `reached_daily_quota`, ... */
  | { kind: "failed"; reason: string };

export async function recordProviderEvent(
  readers: ReaderLedgers,
  eventId: string,
  recipients: string[],
  event: ProviderEvent,
  now: Date,
): Promise<"recorded" | "duplicate"> {
  const at = now.toISOString();
  let duplicates = 0;
  for (const recipient of recipients) {
    // Only a real address names a reader (and an object); anything else is nobody's.
    const email = EmailAddress.safeParse(recipient).data;
    if (!email) continue;
    const ledger = readers(email);
    if (event.kind === "delivered") await ledger.recordDelivered();
    else {
      const outcome =
        event.kind === "bounced"
          ? await ledger.recordBounce(eventId, event.permanent, at)
          : event.kind === "suppressed"
            ? await ledger.recordSuppressed(eventId, event.reason, at)
            : event.kind === "failed"
              ? await ledger.recordFailed(eventId, event.reason, at)
              : await ledger.recordComplaint(eventId, at);
      if (outcome === "duplicate") duplicates++;
    }
  }
  // A replay is reported as such only when every reader had already counted it.
  return duplicates > 0 && duplicates === recipients.length ? "duplicate" : "recorded";
}
