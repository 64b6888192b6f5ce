// The SQL tables of an edition's owner (EditionSend), and the sums its status reads. See the
// docs/storage.md.
import {
  editionStatus,
  type ChunkTotals,
  type EditionRow,
  type EventTotals,
} from "./edition-status";
import { PAUSE_TABLE, pauseOf } from "./edition-pause";
import { FAILURE_TABLES, failureReasons } from "./failed-readers";

export const EDITION_SCHEMA = [
  // One row: the digest as adopted (first offer wins) and where the walk stands.
  `CREATE TABLE IF NOT EXISTS edition (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    held_reason TEXT,
    article_count INTEGER NOT NULL,
    phase TEXT NOT NULL,
    page_cursor TEXT,
    next_chunk INTEGER NOT NULL,
    recipients INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    adopted_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  )`,
  // One row per chunk of at most 100 readers. `walked`: the addresses as walked; `fixed`: the set
  // its provider call names (the idempotency key is derived from it). Both are nulled once the
  // chunk is sent, so no address outlives the send.
  `CREATE TABLE IF NOT EXISTS chunk (
    chunk INTEGER PRIMARY KEY,
    walked TEXT,
    fixed TEXT,
    size INTEGER NOT NULL,
    state TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    forgotten INTEGER NOT NULL DEFAULT 0,
    invalid INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS chunk_by_state ON chunk (state)`,
  // Bounces, complaints, failures and suppressions of this edition's emails, once per event id.
  `CREATE TABLE IF NOT EXISTS event (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    permanent INTEGER NOT NULL,
    at INTEGER NOT NULL
  )`,
  PAUSE_TABLE,
  ...FAILURE_TABLES,
];

export type ChunkRow = {
  chunk: number;
  walked: string | null;
  fixed: string | null;
  size: number;
  /** `held`: waiting for the provider's quota to reset (edition-pause.ts). */
  state: "new" | "queued" | "claimed" | "held" | "sent" | "failed";
  sent: number;
  skipped: number;
  forgotten: number;
  invalid: number;
  failed: number;
  updated_at: number;
};

export function chunkTotals(sql: SqlStorage): ChunkTotals {
  const row = sql
    .exec<{
      sent: number | null;
      skipped: number | null;
      invalid: number | null;
      failed: number | null;
    }>(
      `SELECT SUM(sent) AS sent, SUM(skipped + forgotten) AS skipped, SUM(invalid) AS invalid,
         SUM(failed) AS failed FROM chunk`,
    )
    .one();
  return {
    sent: row.sent ?? 0,
    skipped: row.skipped ?? 0,
    invalid: row.invalid ?? 0,
    failed: row.failed ?? 0,
  };
}

export function eventTotals(sql: SqlStorage): EventTotals {
  const row = sql
    .exec<{
      bounced: number | null;
      permanent: number | null;
      complained: number | null;
      failed: number | null;
      suppressed: number | null;
    }>(
      `SELECT SUM(type = 'bounced') AS bounced, SUM(type = 'bounced' AND permanent = 1) AS permanent,
         SUM(type = 'complained') AS complained, SUM(type = 'failed') AS failed,
         SUM(type = 'suppressed') AS suppressed FROM event`,
    )
    .one();
  return {
    bounced: row.bounced ?? 0,
    permanentBounces: row.permanent ?? 0,
    complained: row.complained ?? 0,
    failed: row.failed ?? 0,
    suppressed: row.suppressed ?? 0,
  };
}

/** The send's status from its rows: the edition, the chunks' sums, its events, pause and failures. */
export const statusOf = (sql: SqlStorage, row: EditionRow) =>
  editionStatus(row, chunkTotals(sql), eventTotals(sql), pauseOf(sql), failureReasons(sql));
