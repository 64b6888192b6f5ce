// What the parts of one ReaderLedger share (reader-ledger.ts wires them): its storage and tables,
// its publish step, the address it is named by, and the one way a transition is applied.
import type { ReaderSync } from "./reader-sync";
import type { ReaderTables } from "./reader-tables";
import type { Subscriber } from "./subscriber-schema";

export type LedgerContext = {
  ctx: DurableObjectState;
  env: Env;
  tables: ReaderTables;
  sync: ReaderSync;
  /** The address the object is named by (idFromName). */
  email: () => string;
  /** On first touch adopts what an older deploy kept in KV; then finishes any unpublished change. */
  ready: () => Promise<void>;
};

/** One transition on the latest record, in one transaction, then published before the call answers. */
export async function applyTransition(
  ledger: LedgerContext,
  transition: (previous: Subscriber | null) => Subscriber | null,
): Promise<void> {
  await ledger.ready();
  const changed = ledger.ctx.storage.transactionSync(() => {
    const previous = ledger.tables.record();
    const next = transition(previous);
    if (next) ledger.tables.write(previous, next);
    return next !== null;
  });
  if (changed) await ledger.sync.publish();
}
