// An edition owner's own rows, as SQL over its storage: the edition (where the walk stands), a chunk,
// adopting and releasing the digest (stored a story a row: edition-tables.ts), and handing new chunks
// to the queue. Only EditionSend calls these, inside its own invocations.
import type { Digest } from "./digest-schema";
import type { EditionRow } from "./edition-status";
import { storeDigest, type ChunkRow } from "./edition-tables";

export type EditionRecord = EditionRow & {
  page_cursor: string | null;
  next_chunk: number;
  adopted_at: number;
  created_ms: number;
};

// Queues' sendBatch takes at most 100 messages a call.
const MAX_QUEUE_BATCH = 100;

/** The edition row without its digest (the digest's JSON is large; claims need none of it). */
export function editionRow(sql: SqlStorage): EditionRecord | null {
  return (
    sql
      .exec<EditionRecord>(
        `SELECT id, status, held_reason, article_count, phase, page_cursor, next_chunk, recipients,
           steps, adopted_at, created_ms, started_at, finished_at FROM edition`,
      )
      .toArray()[0] ?? null
  );
}

export const chunkRow = (sql: SqlStorage, chunk: number): ChunkRow | null =>
  sql.exec<ChunkRow>(`SELECT * FROM chunk WHERE chunk = ?`, chunk).toArray()[0] ?? null;

/** The first digest offered is the edition's: later offers get it back (`stored`: the one adopted). */
export function adoptDigest(
  storage: DurableObjectStorage,
  offered: Digest,
  stored: () => Digest | null,
): { digest: Digest; first: boolean; adoptedAt: number } {
  const sql = storage.sql;
  const row = editionRow(sql);
  if (row) return { digest: stored()!, first: false, adoptedAt: row.adopted_at };
  const now = Date.now();
  storage.transactionSync(() =>
    sql.exec(
      `INSERT INTO edition (singleton, id, digest, created_ms, status, held_reason, article_count,
         phase, next_chunk, recipients, steps, adopted_at) VALUES (1, ?, ?, ?, ?, ?, ?, 'idle', 0, 0, 0, ?)`,
      offered.id,
      storeDigest(sql, offered),
      Date.parse(offered.createdAt),
      offered.status,
      offered.heldReason,
      offered.articleCount,
      now,
    ),
  );
  return { digest: offered, first: true, adoptedAt: now };
}

/** A held edition becomes sendable; null when it is not held. */
export function releaseDigest(
  storage: DurableObjectStorage,
  stored: () => Digest | null,
): Digest | null {
  const sql = storage.sql;
  const row = editionRow(sql);
  if (!row || row.status !== "held") return null;
  const digest: Digest = { ...stored()!, status: "compiled", heldReason: null };
  storage.transactionSync(() =>
    sql.exec(
      `UPDATE edition SET status = 'compiled', held_reason = NULL, digest = ?`,
      storeDigest(sql, digest),
    ),
  );
  return digest;
}

/** Jobs for chunks recorded but not yet handed to the queue (after a step, a crash, a redrive). */
export async function enqueueNew(sql: SqlStorage, queue: Queue, id: string): Promise<void> {
  for (;;) {
    const chunks = sql
      .exec<{ chunk: number }>(
        `SELECT chunk FROM chunk WHERE state = 'new' ORDER BY chunk LIMIT ?`,
        MAX_QUEUE_BATCH,
      )
      .toArray()
      .map((row) => row.chunk);
    if (chunks.length === 0) return;
    await queue.sendBatch(
      chunks.map((chunk) => ({ body: { digestId: id, chunk }, contentType: "json" as const })),
    );
    sql.exec(
      `UPDATE chunk SET state = 'queued' WHERE state = 'new' AND chunk IN (${chunks.join(",")})`,
    );
  }
}
