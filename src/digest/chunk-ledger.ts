// The chunk table's rules, as SQL over an edition owner's storage: a walk step's chunks, how an
// outcome settles a chunk, a redrive, an erasure, and what is left open. Only EditionSend calls these, inside its own
// invocations, so each runs as one step of the one writer.
import type { QuotaKind } from "../mail/mailer";
import type { ChunkRow } from "./edition-tables";
import {
  noteChunkFailure,
  recordFailedReaders,
  refusedReaders,
  type FailedEmail,
} from "./failed-readers";
import { dropChoiceAt } from "./slot-choices";

export type Settlement =
  /** `failed`: readers whose email the provider refused for a field other than the address. */
  | { kind: "sent"; invalid: string[]; failed?: FailedEmail[] }
  /** The provider answered an error: nothing went out, so the set may be fixed again. */
  | { kind: "undelivered" }
  | { kind: "failed"; undelivered: boolean; reason?: string }
  /** The quota is spent: the chunk waits for it; `undelivered` as for `undelivered`. */
  | { kind: "quota"; undelivered: boolean; stop: { kind: QuotaKind; untilMs: number } };

// A chunk whose set's key went out in a call that was never answered: a dropped connection, a crash,
// or 409 concurrent_idempotent_requests (an earlier call with the key still running). That call may
// have been or may yet be delivered, so the set, and with it the key, stays for good: a later
// answered error proves nothing about it, and a new set under a new key would mail its readers twice.
export const UNCERTAIN_TABLE = `CREATE TABLE IF NOT EXISTS chunk_uncertain (chunk INTEGER PRIMARY KEY)`;

/** A claim found the chunk's set still claimed by an earlier call that never settled it. */
export function markUncertain(sql: SqlStorage, chunk: number): void {
  sql.exec(`INSERT OR IGNORE INTO chunk_uncertain (chunk) VALUES (?)`, chunk);
}

const isUncertain = (sql: SqlStorage, chunk: number) =>
  sql.exec(`SELECT 1 FROM chunk_uncertain WHERE chunk = ?`, chunk).toArray().length > 0;

/** A walk step's chunks, numbered from `first`, and where the walk stands after it. */
export function recordStep(
  sql: SqlStorage,
  first: number,
  chunks: string[][],
  cursor: string | null,
  now: number,
): void {
  chunks.forEach((recipients, i) =>
    sql.exec(
      `INSERT INTO chunk (chunk, walked, size, state, updated_at) VALUES (?, ?, ?, 'new', ?)`,
      first + i,
      JSON.stringify(recipients),
      recipients.length,
      now,
    ),
  );
  sql.exec(
    `UPDATE edition SET page_cursor = ?, next_chunk = next_chunk + ?, recipients = recipients + ?,
       steps = steps + 1, phase = ?`,
    cursor,
    chunks.length,
    chunks.reduce((sum, chunk) => sum + chunk.length, 0),
    cursor === null ? "walked" : "walking",
  );
}

/** Applies `outcome` once; false when the chunk is unknown or already final. */
export function settleChunk(
  sql: SqlStorage,
  chunk: number,
  outcome: Settlement,
  now: number,
): boolean {
  const row = sql.exec<ChunkRow>(`SELECT * FROM chunk WHERE chunk = ?`, chunk).toArray()[0];
  if (!row || row.state === "sent" || row.state === "failed") return false;
  const fixed: string[] = JSON.parse(row.fixed ?? row.walked ?? "[]");
  // An answered error frees the set only if no call with its key went unanswered.
  const released =
    outcome.kind === "undelivered" ||
    ((outcome.kind === "quota" || outcome.kind === "failed") && outcome.undelivered)
      ? !isUncertain(sql, chunk)
      : false;
  if (outcome.kind === "sent") {
    sql.exec(`DELETE FROM chunk_uncertain WHERE chunk = ?`, chunk);
    const inSet = new Set(fixed);
    const invalid = new Set(outcome.invalid.filter((email) => inSet.has(email)));
    const failed = (outcome.failed ?? []).filter(
      (f) => inSet.has(f.email) && !invalid.has(f.email),
    );
    sql.exec(
      `UPDATE chunk SET state = 'sent', sent = ?, invalid = ?, failed = ?, updated_at = ?
         WHERE chunk = ?`,
      fixed.length - invalid.size - failed.length,
      invalid.size,
      failed.length,
      now,
      chunk,
    );
    recordFailedReaders(sql, chunk, failed, now);
  } else if (outcome.kind === "quota") {
    sql.exec(
      `UPDATE chunk SET state = 'held', fixed = ?, skipped = ?, updated_at = ? WHERE chunk = ?`,
      released ? null : row.fixed,
      released ? 0 : row.skipped,
      now,
      chunk,
    );
  } else if (outcome.kind === "undelivered") {
    sql.exec(
      `UPDATE chunk SET state = 'queued', fixed = ?, skipped = ?, updated_at = ? WHERE chunk = ?`,
      released ? null : row.fixed,
      released ? 0 : row.skipped,
      now,
      chunk,
    );
  } else {
    if (outcome.reason) noteChunkFailure(sql, chunk, outcome.reason);
    // A failure after a dropped connection may have been delivered: the set and key stay.
    sql.exec(
      `UPDATE chunk SET state = 'failed', failed = ?, skipped = ?, fixed = ?, updated_at = ?
         WHERE chunk = ?`,
      fixed.length,
      row.fixed === null ? 0 : row.skipped,
      released ? null : row.fixed,
      now,
      chunk,
    );
  }
  return true;
}

/** Chunks not yet final (uses the state index). */
export const openChunks = (sql: SqlStorage) =>
  sql
    .exec<{ n: number }>(
      `SELECT COUNT(*) AS n FROM chunk WHERE state IN ('new', 'queued', 'claimed', 'held')`,
    )
    .one().n;

// The provider answers a repeated idempotency key for 24 hours from its first use. A failed chunk
// whose set is still fixed may have gone out; sent again later, its key would no longer protect
// it. Its last attempt came at most about 70 minutes after its first (the retry schedule).
export const REDRIVE_FIXED_WITHIN_MS = 22 * 60 * 60 * 1000;

const REDRIVABLE = `state = 'failed' AND walked IS NOT NULL AND (fixed IS NULL OR updated_at >= ?)`;

/**
 * Failed chunks that still hold addresses become new again, except one that may have gone out and
 * failed more than REDRIVE_FIXED_WITHIN_MS ago; answers how many readers.
 */
export function redriveFailed(sql: SqlStorage, nowMs: number): number {
  const since = nowMs - REDRIVE_FIXED_WITHIN_MS;
  const readers =
    sql
      .exec<{ n: number | null }>(`SELECT SUM(failed) AS n FROM chunk WHERE ${REDRIVABLE}`, since)
      .one().n ?? 0;
  if (readers > 0)
    sql.exec(`UPDATE chunk SET state = 'new', failed = 0 WHERE ${REDRIVABLE}`, since);
  return readers;
}

/**
 * Up to `limit` addresses of readers who can still be sent the digest again: those of failed chunks,
 * then those the provider refused alone for a field that is not their address.
 */
export function failedAddresses(sql: SqlStorage, limit: number): string[] {
  const rows = sql
    .exec<{ fixed: string | null; walked: string | null }>(
      `SELECT fixed, walked FROM chunk WHERE state = 'failed' AND walked IS NOT NULL ORDER BY chunk`,
    )
    .toArray();
  const inChunks = rows
    .flatMap((r) => JSON.parse(r.fixed ?? r.walked ?? "[]") as string[])
    .slice(0, limit);
  return [...inChunks, ...refusedReaders(sql, limit - inChunks.length)];
}

/** Failed chunks past the redrive window keep their counts and lose their addresses. */
export function scrubFailed(sql: SqlStorage, olderThan: number): void {
  sql.exec(
    `UPDATE chunk SET walked = NULL, fixed = NULL WHERE state = 'failed' AND updated_at < ?`,
    olderThan,
  );
}

/**
 * An erased reader leaves every chunk not yet sent (and failed ones awaiting a redrive). A chunk
 * already claimed (or held with a set that may have gone out) keeps its set: its call may be under
 * way, and changing the set would change the key. It is scrubbed when the send finishes.
 */
export function forgetAddress(sql: SqlStorage, email: string): void {
  const rows = sql
    .exec<ChunkRow>(
      `SELECT * FROM chunk WHERE (state IN ('new', 'queued', 'failed')
         OR (state = 'held' AND fixed IS NULL)) AND instr(walked, ?) > 0`,
      JSON.stringify(email),
    )
    .toArray();
  const without = (list: string | null) =>
    list === null
      ? null
      : JSON.stringify((JSON.parse(list) as string[]).filter((e) => e !== email));
  for (const row of rows) {
    // A set whose key went out unanswered keeps it (see UNCERTAIN_TABLE).
    if (row.fixed !== null && isUncertain(sql, row.chunk)) continue;
    const position = (JSON.parse(row.walked ?? "[]") as string[]).indexOf(email);
    // A run slot's chunk keeps its readers' choices by place in the walked list: theirs goes too.
    if (position >= 0) dropChoiceAt(sql, row.chunk, position);
    sql.exec(
      `UPDATE chunk SET walked = ?, fixed = ?, forgotten = forgotten + 1,
         failed = CASE WHEN state = 'failed' THEN MAX(failed - 1, 0) ELSE failed END WHERE chunk = ?`,
      without(row.walked),
      without(row.fixed),
      row.chunk,
    );
  }
}
