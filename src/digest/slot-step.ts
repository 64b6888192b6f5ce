// One alarm step of a run slot's owner (EditionSend keyed by slot id): walk the readers the DueIndex
// hands the slot, and record the step's chunks, their readers' choices and the skipped count in one
// transaction, so a step that dies before it is recorded is walked again into the same chunks.
import { readConfig } from "../env";
import { dueIndex } from "../subscribers/due-index";
import type { Digest } from "./digest-schema";
import { recordChoices } from "./slot-choices";
import { walkDue } from "./walk-due";

type SlotRow = { page_cursor: string | null; next_chunk: number };

export async function walkSlotStep(
  env: Env,
  ctx: DurableObjectState,
  row: SlotRow,
  pool: Digest,
): Promise<void> {
  const config = readConfig(env);
  const step = await walkDue(
    dueIndex(env),
    pool,
    row.page_cursor ?? "",
    config.FANOUT_PAGES_PER_STEP,
    { maxArticles: config.DIGEST_MAX_ARTICLES, minArticles: config.DIGEST_MIN_ARTICLES },
  );
  const sql = ctx.storage.sql;
  const now = Date.now();
  ctx.storage.transactionSync(() => {
    let chunk = row.next_chunk;
    for (const readers of step.chunks) {
      sql.exec(
        `INSERT INTO chunk (chunk, walked, size, state, updated_at) VALUES (?, ?, ?, 'new', ?)`,
        chunk,
        JSON.stringify(readers.map((reader) => reader.email)),
        readers.length,
        now,
      );
      recordChoices(sql, chunk++, readers);
    }
    // Readers whose selection was too short: a settled chunk of their count, no address kept.
    if (step.skipped > 0)
      sql.exec(
        `INSERT INTO chunk (chunk, walked, size, state, skipped, updated_at)
         VALUES (?, NULL, ?, 'sent', ?, ?)`,
        chunk++,
        step.skipped,
        step.skipped,
        now,
      );
    sql.exec(
      `UPDATE edition SET page_cursor = ?, next_chunk = ?, recipients = recipients + ?,
         steps = steps + 1, phase = ?`,
      step.cursor,
      chunk,
      step.chunks.reduce((sum, readers) => sum + readers.length, 0),
      step.cursor === null ? "walked" : "walking",
    );
  });
  // A continuation: the next step is its own invocation, with its own limits.
  if (step.cursor !== null) await ctx.storage.setAlarm(Date.now());
}
