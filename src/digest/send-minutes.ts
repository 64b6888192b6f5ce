// An edition owner's emails sent and failed per minute, counted as each chunk settles: the desk's
// "send over time" chart reads them from the owner, with no walk over its chunks.

export const SEND_MINUTE_TABLE = `CREATE TABLE IF NOT EXISTS send_minute (
  minute_ms INTEGER PRIMARY KEY,
  sent INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0
)`;

export type SendMinute = { minuteMs: number; sent: number; failed: number };

const MINUTE_MS = 60_000;

/**
 * Adds a chunk's final outcome to the minute it settled in: its emails sent, or its readers failed.
 * A chunk handed back as undelivered is not final and counts nothing. A failure redriven later is
 * counted again where it ends: the minutes tell what happened when, the chunk table what stands.
 * Answers whether the chunk is final.
 */
export function countSettled(sql: SqlStorage, chunk: number, nowMs: number): boolean {
  const row = sql
    .exec<{ state: string; sent: number; failed: number }>(
      `SELECT state, sent, failed FROM chunk WHERE chunk = ?`,
      chunk,
    )
    .toArray()[0];
  if (!row || (row.state !== "sent" && row.state !== "failed")) return false;
  const sent = row.state === "sent" ? row.sent : 0;
  // A sent chunk's `failed` are the emails the provider refused alone for a field other than the address.
  const failed = row.failed;
  if (sent === 0 && failed === 0) return true;
  sql.exec(
    `INSERT INTO send_minute (minute_ms, sent, failed) VALUES (?, ?, ?)
     ON CONFLICT(minute_ms) DO UPDATE SET sent = sent + excluded.sent, failed = failed + excluded.failed`,
    Math.floor(nowMs / MINUTE_MS) * MINUTE_MS,
    sent,
    failed,
  );
  return true;
}

/** Every minute that sent or failed anything, oldest first (a send of a million readers at the
 * provider's documented 5 calls a second is some 35 rows). */
export function sendMinutes(sql: SqlStorage): SendMinute[] {
  return sql
    .exec<{ minute_ms: number; sent: number; failed: number }>(
      `SELECT * FROM send_minute ORDER BY minute_ms`,
    )
    .toArray()
    .map((row) => ({ minuteMs: row.minute_ms, sent: row.sent, failed: row.failed }));
}
