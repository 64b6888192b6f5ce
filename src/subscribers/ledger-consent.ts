// A ReaderLedger's consent changes: the reader's way in (a sign-up and its confirmation slot, the
// confirm, the welcome), their choices, and their way out. Each is one transaction on the latest
// record, decided by reader-rules.ts, and published before the call answers.
import { applyTransition, type LedgerContext } from "./ledger-context";
import { preferencesOf, type Preferences } from "./preferences";
import * as rules from "./reader-rules";
import type { Subscriber } from "./subscriber-schema";

/** `preferences`: what the reader chose, so the welcome email can say what they get and when. */
export type ConfirmOutcome =
  | { outcome: "gone" }
  | { outcome: "confirmed"; welcomeFor: string | null; preferences: Preferences };

export function createConsentChanges(ledger: LedgerContext) {
  const { ctx, tables, sync } = ledger;

  return {
    /** A sign-up claims the 10-minute confirmation slot: the claim's stamp, or null to send nothing. */
    async signUp(input: rules.SignUpInput, nowIso: string): Promise<string | null> {
      await ledger.ready();
      const claimed = ctx.storage.transactionSync(() => {
        const previous = tables.record();
        const suppression = tables.suppression();
        const next = rules.signUp(previous, suppression, ledger.email(), input, new Date(nowIso));
        if (!next) return null;
        tables.claim(nowIso, next, previous);
        tables.write(previous, next);
        return nowIso;
      });
      if (claimed) await sync.publish();
      return claimed;
    },

    /** The confirmation email of claim `at` could not be sent: the reader may try again at once. */
    async releaseConfirmation(at: string): Promise<void> {
      const released = ctx.storage.transactionSync(() => {
        const claim = tables.takeClaim(at);
        const current = tables.record();
        // Anything that happened since the claim (an unsubscribe, say, even in the same millisecond)
        // changed the record, and stands.
        if (!claim || tables.recordJson() !== claim.claimed) return false;
        tables.write(current, claim.previous);
        return true;
      });
      if (released) await sync.publish();
    },

    async confirm(nowIso: string): Promise<ConfirmOutcome> {
      await ledger.ready();
      const outcome = ctx.storage.transactionSync((): ConfirmOutcome => {
        const previous = tables.record();
        const next = rules.confirm(previous, new Date(nowIso));
        if (next) tables.write(previous, next);
        const current = next ?? previous;
        if (current?.status !== "confirmed") return { outcome: "gone" };
        const welcomeFor = current.welcomeSentAt ? null : current.consent.signedUpAt;
        return { outcome: "confirmed", welcomeFor, preferences: preferencesOf(current) };
      });
      await sync.publish();
      return outcome;
    },

    recordWelcomeSent: (signedUpAt: string, nowIso: string) =>
      applyTransition(ledger, (previous) =>
        rules.welcomeSent(previous, signedUpAt, new Date(nowIso)),
      ),

    unsubscribe: (method: "page" | "one-click" | "api", nowIso: string) =>
      applyTransition(ledger, (previous) => rules.unsubscribe(previous, method, new Date(nowIso))),

    /**
     * The reader's choice of topics, cadence and delivery time (already checked against TOPICS); the
     * record after the change, or null when there is no record. The due index follows on publish.
     */
    async setPreferences(preferences: Preferences, nowIso: string): Promise<Subscriber | null> {
      await applyTransition(ledger, (previous) =>
        rules.setPreferences(previous, preferences, new Date(nowIso)),
      );
      return tables.record();
    },
  };
}
