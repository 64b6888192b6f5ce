// A ReaderLedger's part in the daily figures: a join or leave is noted in the change's own
// transaction, and flushed to DailyFigures by the publish step that follows (retried with it).
import { isMailable } from "../subscribers/reader-rules";
import type { Subscriber } from "../subscribers/subscriber-schema";
import { dailyFigures } from "./daily-figures";
import type { ReaderChange } from "./figure-tables";

/** Joins and leaves not yet counted by DailyFigures; no address is kept, and a row lives seconds. */
export const FIGURE_CHANGE_TABLE = `CREATE TABLE IF NOT EXISTS figure_change (
  id TEXT PRIMARY KEY,
  delta INTEGER NOT NULL,
  at_ms INTEGER NOT NULL
)`;

/** Inside the change's transaction: a reader who became mailable joined; one who stopped left. */
export function noteReaderCount(
  sql: SqlStorage,
  previous: Subscriber | null,
  next: Subscriber | null,
  atMs: number,
): void {
  const delta = Number(isMailable(next)) - Number(isMailable(previous));
  if (delta === 0) return;
  sql.exec(
    `INSERT INTO figure_change (id, delta, at_ms) VALUES (?, ?, ?)`,
    crypto.randomUUID(),
    delta,
    atMs,
  );
}

/** Hands noted changes to DailyFigures, then forgets them; a failure leaves them for the retry. */
export async function flushReaderCount(sql: SqlStorage, env: Pick<Env, "FIGURES">): Promise<void> {
  const rows = sql
    .exec<{ id: string; delta: number; at_ms: number }>(`SELECT * FROM figure_change`)
    .toArray();
  if (rows.length === 0) return;
  const changes: ReaderChange[] = rows.map((row) => ({
    id: row.id,
    delta: row.delta > 0 ? 1 : -1,
    atMs: row.at_ms,
  }));
  await dailyFigures(env).recordReaderChanges(changes);
  for (const row of rows) sql.exec(`DELETE FROM figure_change WHERE id = ?`, row.id);
}
