// Synchronous reads and writes of one ReaderLedger's SQL tables (schema at the top of the class),
// so each RPC method reads as the rule it applies; every write runs in the caller's transaction.
import { noteReaderCount } from "../stats/reader-count";
import { notePublish } from "./reader-sync";
import { departs, Suppression } from "./reader-rules";
import { Subscriber } from "./subscriber-schema";

export type ImportSeen = {
  row: number;
  outcome: string;
  reason: string | null;
  claim: string | null;
};

export type ReaderRow = {
  record: string;
  transient_bounces: number;
  last_transient_ms: number | null;
};

export function createReaderTables(sql: SqlStorage) {
  const first = <T extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: unknown[]
  ) => sql.exec<T>(query, ...bindings).toArray()[0];

  return {
    row: () => first<ReaderRow>(`SELECT * FROM reader`),

    /** The record exactly as stored, to tell whether anything changed it. */
    recordJson: () => first<{ record: string }>(`SELECT record FROM reader`)?.record ?? null,

    record(): Subscriber | null {
      const row = first<{ record: string }>(`SELECT record FROM reader`);
      return row ? Subscriber.parse(JSON.parse(row.record)) : null;
    },

    suppression(): Suppression | null {
      const row = first(`SELECT reason, at FROM suppression`);
      return row ? Suppression.parse(row) : null;
    },

    /** Stores `next` (or deletes the record) and notes what must be published. */
    write(previous: Subscriber | null, next: Subscriber | null): void {
      if (next)
        sql.exec(
          `INSERT INTO reader (id, record) VALUES (1, ?)
           ON CONFLICT(id) DO UPDATE SET record = excluded.record`,
          JSON.stringify(next),
        );
      else sql.exec(`DELETE FROM reader`);
      noteReaderCount(sql, previous, next, next ? Date.parse(next.updatedAt) : Date.now());
      notePublish(sql, departs(previous, next) && next ? Date.parse(next.updatedAt) : null);
    },

    /** Claims the confirmation slot at `at` with `claimed`, keeping the record to restore. */
    claim(at: string, claimed: Subscriber, previous: Subscriber | null): void {
      sql.exec(
        `INSERT OR REPLACE INTO confirmation_claim (id, at, claimed, previous) VALUES (1, ?, ?, ?)`,
        at,
        JSON.stringify(claimed),
        previous ? JSON.stringify(previous) : null,
      );
    },

    /** Removes the claim made at `at`: the record it wrote (JSON) and the one it replaced. */
    takeClaim(at: string): { claimed: string; previous: Subscriber | null } | undefined {
      const claim = first<{ claimed: string; previous: string | null }>(
        `SELECT claimed, previous FROM confirmation_claim WHERE at = ?`,
        at,
      );
      if (!claim) return undefined;
      sql.exec(`DELETE FROM confirmation_claim`);
      const previous = claim.previous ? Subscriber.parse(JSON.parse(claim.previous)) : null;
      return { claimed: claim.claimed, previous };
    },

    /** Marks an event id seen; false when it already was. */
    see(eventId: string, atMs: number): boolean {
      if (first(`SELECT 1 AS seen FROM seen_event WHERE id = ?`, eventId)) return false;
      sql.exec(`INSERT INTO seen_event (id, at_ms) VALUES (?, ?)`, eventId, atMs);
      return true;
    },

    setTransient(count: number, lastAtMs: number | null): void {
      sql.exec(`UPDATE reader SET transient_bounces = ?, last_transient_ms = ?`, count, lastAtMs);
    },

    /** Only rows with a count are written: a delivery to a healthy reader writes nothing. */
    clearTransient(): void {
      sql.exec(
        `UPDATE reader SET transient_bounces = 0, last_transient_ms = NULL
         WHERE transient_bounces > 0`,
      );
    },

    /** Empties every table that may name the reader, keeping only `kept` (reason and time). */
    eraseAllBut(kept: Suppression): void {
      for (const table of [
        "reader",
        "suppression",
        "seen_event",
        "confirmation_claim",
        "import_seen",
      ])
        sql.exec(`DELETE FROM ${table}`);
      sql.exec(`INSERT INTO suppression (id, reason, at) VALUES (1, ?, ?)`, kept.reason, kept.at);
    },

    /** What import `importId` already did to this reader (the row, the outcome, the claim it made). */
    imported: (importId: string) =>
      first<ImportSeen>(
        `SELECT row, outcome, reason, claim FROM import_seen WHERE id = ?`,
        importId,
      ),

    noteImported(importId: string, seen: ImportSeen): void {
      sql.exec(
        `INSERT INTO import_seen (id, row, outcome, reason, claim) VALUES (?, ?, ?, ?, ?)`,
        importId,
        seen.row,
        seen.outcome,
        seen.reason,
        seen.claim,
      );
    },

    /** Forgets event ids seen before `beforeMs`; the oldest one left, if any. */
    pruneSeen(beforeMs: number): number | null {
      sql.exec(`DELETE FROM seen_event WHERE at_ms < ?`, beforeMs);
      return first<{ at: number | null }>(`SELECT MIN(at_ms) AS at FROM seen_event`)?.at ?? null;
    },
  };
}
export type ReaderTables = ReturnType<typeof createReaderTables>;
