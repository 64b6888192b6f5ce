// A send paused because the provider's email quota is spent, as SQL over an edition owner's storage:
// the pause (which quota, since and until when), and the chunks held while it lasts. A held chunk
// keeps a set that may have gone out (after a split's first half) and loses one the quota refused,
// like any chunk the provider answered with an error. Only EditionSend calls these.
import type { QuotaKind } from "../mail/mailer";
import type { ProviderLimiter } from "../mail/provider-limiter";

export type Pause = { kind: QuotaKind; sinceMs: number; untilMs: number };

export const PAUSE_TABLE = `CREATE TABLE IF NOT EXISTS pause (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  kind TEXT NOT NULL,
  since_ms INTEGER NOT NULL,
  until_ms INTEGER NOT NULL
)`;

/** The pause, if the send is paused (whether or not its time has come). */
export function pauseOf(sql: SqlStorage): Pause | null {
  const row = sql
    .exec<{ kind: string; since_ms: number; until_ms: number }>(
      `SELECT kind, since_ms, until_ms FROM pause`,
    )
    .toArray()[0];
  if (!row) return null;
  return {
    kind: row.kind === "monthly" ? "monthly" : "daily",
    sinceMs: row.since_ms,
    untilMs: row.until_ms,
  };
}

/** Pauses the send until `untilMs` (a later answer may move the end either way). */
export function pauseSend(sql: SqlStorage, kind: QuotaKind, untilMs: number, now: number): void {
  sql.exec(
    `INSERT INTO pause (singleton, kind, since_ms, until_ms) VALUES (1, ?, ?, ?)
     ON CONFLICT(singleton) DO UPDATE SET kind = excluded.kind, until_ms = excluded.until_ms`,
    kind,
    now,
    untilMs,
  );
}

/** A chunk that may not call the provider now: held until the pause ends, its set as it is. */
export function holdChunk(sql: SqlStorage, chunk: number, now: number): void {
  sql.exec(
    `UPDATE chunk SET state = 'held', updated_at = ? WHERE chunk = ? AND state IN ('new', 'queued', 'claimed')`,
    now,
    chunk,
  );
}

/** The pause ends: held chunks are handed to the queue again. Answers how many. */
export function endPause(sql: SqlStorage): number {
  const held = sql
    .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM chunk WHERE state = 'held'`)
    .one().n;
  sql.exec(`UPDATE chunk SET state = 'new' WHERE state = 'held'`);
  sql.exec(`DELETE FROM pause`);
  return held;
}

type OwnerParts = {
  sql: SqlStorage;
  storage: DurableObjectStorage;
  limiter: DurableObjectStub<ProviderLimiter>;
  id: string;
};

/**
 * A chunk met the spent quota: the whole send pauses until the limiter's stop ends, waits on the
 * limiter's list (so an editor's Resume wakes it), and sets its alarm for the end.
 */
export async function pauseForQuota(
  owner: OwnerParts,
  stop: { kind: QuotaKind; untilMs: number },
): Promise<void> {
  const first = pauseOf(owner.sql) === null;
  pauseSend(owner.sql, stop.kind, stop.untilMs, Date.now());
  if (first) {
    await owner.limiter.awaitQuota(owner.id);
    console.log(
      JSON.stringify({ level: "warn", event: "send.paused_for_quota", id: owner.id, ...stop }),
    );
  }
  // An alarm due now may be the one running (its time is still what getAlarm answers): it will not
  // run again, so only a later alarm still to come can stand in for this one.
  const alarm = await owner.storage.getAlarm();
  const now = Date.now();
  if (alarm === null || alarm <= now || alarm > stop.untilMs)
    await owner.storage.setAlarm(stop.untilMs);
}

/**
 * What an owner's alarm does about a pause: while the quota is still spent (the limiter says so,
 * and may have moved the end), re-arm at its end and do nothing else; once it has ended, hand the
 * held chunks back to the queue and carry on. Answers whether the alarm may carry on.
 */
export async function pauseAtAlarm(owner: OwnerParts): Promise<boolean> {
  if (!pauseOf(owner.sql)) return true;
  const stop = await owner.limiter.awaitQuota(owner.id);
  if (stop) {
    pauseSend(owner.sql, stop.kind, stop.untilMs, Date.now());
    await owner.storage.setAlarm(stop.untilMs);
    return false;
  }
  await resumeAfterPause(owner);
  return true;
}

/** The pause ends (by itself, or an editor's Resume): held chunks go back to the queue. */
export async function resumeAfterPause(owner: OwnerParts): Promise<number> {
  const held = endPause(owner.sql);
  await owner.limiter.leaveQuotaWait(owner.id);
  console.log(JSON.stringify({ level: "info", event: "send.resumed", id: owner.id, held }));
  return held;
}
