// One step of an import: a run of rows through their readers' ledgers (the one writer of each
// reader), with the confirmation email a reader is owed when the importer asked them to confirm.
// It stores nothing itself: the caller records the counts and refusals with the cursor.
import { createConnectionGate, MAX_CONNECTIONS } from "../mail/connection-gate";
import type { ReaderLedgers } from "../subscribers/reader-ledger";
import type { ImportOutcome } from "../subscribers/import-rule";
import type { ExportRow } from "./export-formats";
import { preferencesForTags, type ImportOptions } from "./import-options";
import { COUNTS, type Counts } from "./import-tables";

export type StepDeps = {
  readers: ReaderLedgers;
  /** Sends the confirmation of the slot claimed at `claimed`; false when the provider refused it. */
  sendConfirmation: (email: string, claimed: string) => Promise<boolean>;
  now: Date;
};

export type StepResult = {
  counts: Counts;
  refusals: { row: number; input: string; reason: string }[];
};

const outcomeCount: Record<Exclude<ImportOutcome, "refused">, (typeof COUNTS)[number]> = {
  added: "added",
  updated: "updated",
  unchanged: "unchanged",
  suppressed: "suppressed",
};

/**
 * Imports `rows`. Throws if any reader could not be reached or owed email could not go: the caller
 * then keeps its cursor and the step runs again, and each ledger answers what it did the first time.
 */
export async function importRows(
  rows: ExportRow[],
  importId: string,
  options: ImportOptions,
  deps: StepDeps,
): Promise<StepResult> {
  const counts = Object.fromEntries(COUNTS.map((name) => [name, 0])) as Counts;
  const refusals: StepResult["refusals"] = [];
  const refuse = (row: number, input: string, reason: string) => {
    counts.refused++;
    refusals.push({ row, input, reason });
  };
  // Emails go one at a time, paced by the provider limiter; ledger calls alone go six at once.
  const gate = createConnectionGate(options.askToConfirm ? 1 : MAX_CONNECTIONS);
  const firstRow = new Map<string, number>();

  await Promise.all(
    rows.map((row) =>
      gate(async () => {
        if ("refused" in row) return refuse(row.row, row.input, row.refused);
        const earlier = firstRow.get(row.email);
        if (earlier !== undefined)
          return refuse(row.row, row.email, `the address is already on row ${earlier}`);
        firstRow.set(row.email, row.row);
        const result = await deps.readers(row.email).importReader(
          {
            importId,
            row: row.row,
            status: row.status,
            askToConfirm: options.askToConfirm,
            source: options.source,
            attestation: options.attestation,
            signedUpAt: row.signedUpAt,
            confirmedAt: row.confirmedAt,
            leftAt: row.leftAt,
            preferences: preferencesForTags(row.tags, options),
          },
          deps.now.toISOString(),
        );
        // An earlier step already imported this address from an earlier row.
        if (result.row !== row.row)
          return refuse(row.row, row.email, `the address is already on row ${result.row}`);
        if (result.outcome === "refused")
          return refuse(row.row, row.email, result.reason ?? "not imported");
        counts[outcomeCount[result.outcome]]++;
        if (result.confirmation) {
          if (!(await deps.sendConfirmation(row.email, result.confirmation)))
            throw new Error("the mail provider did not take a confirmation email");
          counts.confirmations++;
        }
      }),
    ),
  );
  refusals.sort((a, b) => a.row - b.row);
  return { counts, refusals };
}
