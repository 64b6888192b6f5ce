// A ReaderLedger's provider events: Resend's webhooks (bounces, complaints, its suppression list,
// failures, deliveries) and the send's refusal of an address. A webhook event is counted once by its
// id (svix-id, kept SEEN_EVENT_KEEP_MS); each is then one transition decided by reader-rules.ts.
import { applyTransition, type LedgerContext } from "./ledger-context";
import type { ReaderRow } from "./reader-tables";
import * as rules from "./reader-rules";
import type { Subscriber } from "./subscriber-schema";

// Resend retries a failed webhook delivery for about 3 days; a week covers every retry.
export const SEEN_EVENT_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

type EventAnswer = Promise<"counted" | "duplicate">;

export function createProviderEvents(ledger: LedgerContext) {
  const { ctx, tables, sync } = ledger;

  /** A webhook event, counted once per event id; a reader with no record keeps no trace of it. */
  async function countEvent(
    eventId: string,
    nowIso: string,
    transition: (previous: Subscriber, row: ReaderRow) => Subscriber | null,
  ): EventAnswer {
    await ledger.ready();
    const outcome = ctx.storage.transactionSync(() => {
      const row = tables.row();
      if (!row) return "unknown";
      if (!tables.see(eventId, Date.parse(nowIso))) return "duplicate";
      const previous = tables.record();
      const next = previous && transition(previous, row);
      if (next) tables.write(previous, next);
      return "counted";
    });
    if (outcome === "duplicate") return outcome;
    // The alarm prunes the event ids once they are too old to be retried.
    if (outcome === "counted" && (await ctx.storage.getAlarm()) === null)
      await ctx.storage.setAlarm(Date.parse(nowIso) + SEEN_EVENT_KEEP_MS);
    await sync.publish();
    return "counted";
  }

  return {
    /** The provider refused the address as invalid (called by the send with an ISO time). */
    markInvalid: (nowIso: string) =>
      applyTransition(ledger, (previous) => rules.markInvalid(previous, new Date(nowIso))),

    recordComplaint: (eventId: string, nowIso: string): EventAnswer =>
      countEvent(eventId, nowIso, (previous) =>
        rules.stopMailing(previous, "complained", new Date(nowIso)),
      ),

    /** A hard bounce stops mail at once; MAX_TRANSIENT_BOUNCES transient ones in a row do too. */
    recordBounce(eventId: string, permanent: boolean, nowIso: string): EventAnswer {
      const now = new Date(nowIso);
      return countEvent(eventId, nowIso, (previous, row) => {
        if (permanent) return rules.stopMailing(previous, "bounced", now);
        const count = rules.nextTransientCount(row.transient_bounces, row.last_transient_ms, now);
        const bounced = count >= rules.MAX_TRANSIENT_BOUNCES;
        tables.setTransient(bounced ? 0 : count, bounced ? null : now.getTime());
        return bounced ? rules.stopMailing(previous, "bounced", now) : null;
      });
    },

    /** The provider's suppression list holds the address (reason `previous_bounce`, ...). */
    recordSuppressed: (eventId: string, reason: string, nowIso: string): EventAnswer =>
      countEvent(eventId, nowIso, (previous) =>
        rules.suppressedByProvider(previous, reason, new Date(nowIso)),
      ),

    /** An accepted email that the provider could not send (`email.failed`), kept in the history. */
    recordFailed: (eventId: string, reason: string, nowIso: string): EventAnswer =>
      countEvent(eventId, nowIso, (previous) =>
        rules.noteFailed(previous, reason, new Date(nowIso)),
      ),

    /** A delivery clears the transient count: no KV operation, and no SQL write when it is 0. */
    recordDelivered(): void {
      tables.clearTransient();
    },
  };
}
