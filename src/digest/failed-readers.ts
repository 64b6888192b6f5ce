// Why readers of a send were not mailed, as SQL over an edition owner's storage: readers whose email
// the provider refused alone for a field that is not their address (a tag, a header, a missing
// field: our email's fault, so the reader stays as they were), and the reason a whole chunk failed.
// A redrive sends the refused readers again in chunks of their own. Only EditionSend calls these.
import { alignedChoices, recordAligned } from "./slot-choices";

export type FailedEmail = { email: string; reason: string };

/** The reasons readers were not mailed, each with how many, for the editors' status. */
export type FailureReasons = { reason: string; readers: number }[];

// Redriven readers' chunks are numbered from here: a million readers are 10,000 walked chunks, so
// these never meet a walk's numbers, even one still going.
export const REDRIVE_CHUNK_BASE = 1_000_000_000;

// The words for a chunk that failed with no reason recorded: it ran out of retries.
const GAVE_UP = "The provider could not be reached, or kept failing, through every retry.";

export const FAILURE_TABLES = [
  // A reader of a sent chunk whose email the provider refused alone, and what it said.
  `CREATE TABLE IF NOT EXISTS failed_reader (
    email TEXT PRIMARY KEY,
    chunk INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  )`,
  // Why a failed chunk failed (a refusal of the whole call), when the provider said.
  `CREATE TABLE IF NOT EXISTS chunk_failure (chunk INTEGER PRIMARY KEY, reason TEXT NOT NULL)`,
];

export function recordFailedReaders(
  sql: SqlStorage,
  chunk: number,
  failed: FailedEmail[],
  now: number,
): void {
  for (const { email, reason } of failed)
    sql.exec(
      `INSERT OR REPLACE INTO failed_reader (email, chunk, reason, at) VALUES (?, ?, ?, ?)`,
      email,
      chunk,
      reason.slice(0, 500),
      now,
    );
}

export function noteChunkFailure(sql: SqlStorage, chunk: number, reason: string): void {
  sql.exec(
    `INSERT OR REPLACE INTO chunk_failure (chunk, reason) VALUES (?, ?)`,
    chunk,
    reason.slice(0, 500),
  );
}

/** Up to `limit` refused readers' addresses. */
export const refusedReaders = (sql: SqlStorage, limit: number): string[] =>
  sql
    .exec<{ email: string }>(`SELECT email FROM failed_reader ORDER BY chunk, email LIMIT ?`, limit)
    .toArray()
    .map((row) => row.email);

/** Every reason, with its count: refused readers by message, failed chunks by their reason. */
export function failureReasons(sql: SqlStorage): FailureReasons {
  const refused = sql
    .exec<{ reason: string; n: number }>(
      `SELECT reason, COUNT(*) AS n FROM failed_reader GROUP BY reason ORDER BY n DESC`,
    )
    .toArray();
  const chunks = sql
    .exec<{ reason: string | null; n: number }>(
      `SELECT chunk_failure.reason AS reason, SUM(chunk.failed) AS n FROM chunk
         LEFT JOIN chunk_failure ON chunk_failure.chunk = chunk.chunk
         WHERE chunk.state = 'failed' AND chunk.failed > 0 GROUP BY chunk_failure.reason`,
    )
    .toArray();
  return [
    ...chunks.map((row) => ({ reason: row.reason ?? GAVE_UP, readers: row.n })),
    ...refused.map((row) => ({ reason: row.reason, readers: row.n })),
  ];
}

/**
 * The refused readers go out again, each original chunk's in a new chunk of its own (with their
 * choices, for a run slot), numbered from REDRIVE_CHUNK_BASE; their old chunks no longer count them
 * failed. Answers how many readers.
 */
export function redriveRefused(sql: SqlStorage, now: number): number {
  const rows = sql
    .exec<{ email: string; chunk: number }>(`SELECT email, chunk FROM failed_reader`)
    .toArray();
  if (rows.length === 0) return 0;
  const byChunk = new Map<number, string[]>();
  for (const row of rows) byChunk.set(row.chunk, [...(byChunk.get(row.chunk) ?? []), row.email]);
  let next =
    Math.max(
      REDRIVE_CHUNK_BASE - 1,
      sql.exec<{ n: number | null }>(`SELECT MAX(chunk) AS n FROM chunk`).one().n ?? 0,
    ) + 1;
  for (const [chunk, emails] of byChunk) {
    sql.exec(
      `INSERT INTO chunk (chunk, walked, size, state, updated_at) VALUES (?, ?, ?, 'new', ?)`,
      next,
      JSON.stringify(emails),
      emails.length,
      now,
    );
    recordAligned(sql, next, alignedChoices(sql, chunk, emails));
    sql.exec(`UPDATE chunk SET failed = MAX(failed - ?, 0) WHERE chunk = ?`, emails.length, chunk);
    next++;
  }
  sql.exec(`DELETE FROM failed_reader`);
  return rows.length;
}

/** Refused readers past the redrive window are forgotten (their counts stay on their chunks). */
export function scrubRefused(sql: SqlStorage, olderThan: number): void {
  sql.exec(`DELETE FROM failed_reader WHERE at < ?`, olderThan);
}

/** An erased reader leaves the refused list too. */
export function forgetRefused(sql: SqlStorage, email: string): void {
  const row = sql
    .exec<{ chunk: number }>(`SELECT chunk FROM failed_reader WHERE email = ?`, email)
    .toArray()[0];
  if (!row) return;
  sql.exec(`DELETE FROM failed_reader WHERE email = ?`, email);
  sql.exec(
    `UPDATE chunk SET failed = MAX(failed - 1, 0), forgotten = forgotten + 1 WHERE chunk = ?`,
    row.chunk,
  );
}
