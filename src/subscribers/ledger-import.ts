// One row of a list import, as the reader's ReaderLedger applies it (import-rule.ts decides): one
// transaction that also notes what this import did, so a repeated or resumed step counts the reader
// once and answers the same.
import { importReader, type ImportInput, type ImportOutcome } from "./import-rule";
import type { LedgerContext } from "./ledger-context";

export type ImportAnswer = {
  outcome: ImportOutcome;
  row: number;
  reason: string | null;
  /** The claimed confirmation slot while the email it owes may be unsent (its key dedupes a resend). */
  confirmation: string | null;
};

/** Asked again for the same import, answers what it did the first time, with the row that did it. */
export async function importRow(
  ledger: LedgerContext,
  input: ImportInput,
  nowIso: string,
): Promise<ImportAnswer> {
  const { ctx, tables } = ledger;
  await ledger.ready();
  const result = ctx.storage.transactionSync((): ImportAnswer => {
    const previous = tables.record();
    const seen = tables.imported(input.importId);
    if (seen) {
      const owed = previous?.status === "pending" && previous.confirmationSentAt === seen.claim;
      return {
        ...seen,
        outcome: seen.outcome as ImportOutcome,
        confirmation: owed ? seen.claim : null,
      };
    }
    const decision = importReader(
      previous,
      tables.suppression(),
      ledger.email(),
      input,
      new Date(nowIso),
    );
    if (decision.next) tables.write(previous, decision.next);
    const claim = decision.confirm ? (decision.next?.confirmationSentAt ?? null) : null;
    const noted = {
      row: input.row,
      outcome: decision.outcome,
      reason: decision.reason ?? null,
      claim,
    };
    tables.noteImported(input.importId, noted);
    return { ...noted, confirmation: claim };
  });
  await ledger.sync.publish();
  return result;
}
