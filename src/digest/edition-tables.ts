// The SQL tables of an edition's owner (EditionSend): the digest as adopted, stored a story a row,
// and the sums its status reads. See docs/storage.md.
import { Digest, DigestItem } from "./digest-schema";
import {
  editionStatus,
  type ChunkTotals,
  type EditionRow,
  type EventTotals,
} from "./edition-status";
import { PAUSE_TABLE, pauseOf } from "./edition-pause";
import { UNCERTAIN_TABLE } from "./chunk-ledger";
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
  // The totals every status reads, without reading the rows' recipient lists: a million readers are
  // 10,000 rows of some 4 KB, and the status is read as each chunk settles.
  `CREATE INDEX IF NOT EXISTS chunk_totals ON chunk (sent, skipped, forgotten, invalid, failed)`,
  // The digest's stories, one row each by section and rank; edition.digest holds the rest. A slot's
  // pool holds up to 500 stories, twice over with a weekly section: as one JSON value it outgrows
  // the 2 MB SQLite takes in a string or row, while one story is at most some 30 KB.
  `CREATE TABLE IF NOT EXISTS digest_item (
    section INTEGER NOT NULL,
    position INTEGER NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (section, position)
  )`,
  // Bounces, complaints, failures and suppressions of this edition's emails, once per event id.
  `CREATE TABLE IF NOT EXISTS event (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    permanent INTEGER NOT NULL,
    at INTEGER NOT NULL
  )`,
  PAUSE_TABLE,
  ...FAILURE_TABLES,
  UNCERTAIN_TABLE,
];

/**
 * Stores `digest` as its stories' rows, and answers what edition.digest keeps: the digest with its
 * sections' stories left out. Call it inside the transaction that writes edition.digest.
 */
export function storeDigest(sql: SqlStorage, digest: Digest): string {
  sql.exec(`DELETE FROM digest_item`);
  digest.sections.forEach((section, s) =>
    section.articles.forEach((item, p) =>
      sql.exec(
        `INSERT INTO digest_item (section, position, item) VALUES (?, ?, ?)`,
        s,
        p,
        JSON.stringify(item),
      ),
    ),
  );
  return JSON.stringify({
    ...digest,
    sections: digest.sections.map((section) => ({ ...section, articles: [] })),
  });
}

/**
 * The digest as adopted, or null. An owner from before stories had rows kept the whole digest in
 * edition.digest and has no rows: it reads as it was stored.
 */
export function readDigest(sql: SqlStorage): Digest | null {
  const row = sql.exec<{ digest: string }>(`SELECT digest FROM edition`).toArray()[0];
  if (!row) return null;
  const digest = Digest.parse(JSON.parse(row.digest));
  const items = sql.exec<{ section: number; item: string }>(
    `SELECT section, item FROM digest_item ORDER BY section, position`,
  );
  for (const { section, item } of items)
    digest.sections[section]?.articles.push(DigestItem.parse(JSON.parse(item)));
  return digest;
}

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

/** What the complaint brake weighs: the edition's own sent count and its events. */
export function brakeFiguresOf(sql: SqlStorage) {
  const events = eventTotals(sql);
  const { sent } = chunkTotals(sql);
  return { sent, complained: events.complained, permanentBounces: events.permanentBounces };
}
