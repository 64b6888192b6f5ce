// What a ReaderLedger exchanges with the world outside it: on first touch it adopts what an older
// deploy kept in KV; after each change it publishes (KV mirror, DueIndex, DailyFigures,
// DepartureLog), retried until done, writing the mirror at most once a second.
import { flushReaderCount } from "../stats/reader-count";
import { departureLog } from "./departure-log";
import { dueIndex } from "./due-index";
import { preferencesOf } from "./preferences";
import { isMailable } from "./reader-rules";
import { createReaderMirror } from "./reader-mirror";
import type { Subscriber } from "./subscriber-schema";

/**
 * What the outside world has not yet been told: the record version the KV mirror holds, and a
 * departure not yet in the DepartureLog. A row survives a failed call, so a retry or the alarm
 * finishes it. No address is kept.
 */
export const PUBLISH_TABLE = `CREATE TABLE IF NOT EXISTS publish (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  mirrored INTEGER NOT NULL,
  departure_at_ms INTEGER,
  erased INTEGER NOT NULL DEFAULT 0
)`;

/** When the mirror key was last written (put or delete): KV takes one write a second per key. */
const MIRROR_WRITE_TABLE = `CREATE TABLE IF NOT EXISTS mirror_write (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at_ms INTEGER NOT NULL
)`;

const PUBLISH_RETRY_MS = 10_000;
// KV answers a second write to one key within a second with 429 (after the change has committed
// here). A publish that follows a mirror write sooner waits out the rest of the second first; the
// changes made meanwhile ride on the same write, since it carries the record as it is then.
const MIRROR_WRITE_SPACING_MS = 1000;

type Publish = {
  version: number;
  mirrored: number;
  departure_at_ms: number | null;
  erased: number;
};

/** Notes, inside the change's transaction, that the record changed and whether the reader departed. */
export function notePublish(sql: SqlStorage, departureAtMs: number | null, erased = false): void {
  // The row is made by the first change, so an object that only ever reads writes nothing.
  sql.exec(
    `INSERT INTO publish (id, version, mirrored, departure_at_ms, erased) VALUES (1, 1, 0, ?, ?)
     ON CONFLICT(id) DO UPDATE SET version = version + 1,
       departure_at_ms = COALESCE(excluded.departure_at_ms, departure_at_ms),
       erased = MAX(erased, excluded.erased)`,
    departureAtMs,
    erased ? 1 : 0,
  );
}

export type LedgerAccess = {
  ctx: DurableObjectState;
  env: Env;
  email: () => string;
  record: () => Subscriber | null;
};

export function createReaderSync({ ctx, env, email, record }: LedgerAccess) {
  const sql = ctx.storage.sql;
  sql.exec(MIRROR_WRITE_TABLE);
  const mirror = createReaderMirror(env);
  // Publishing runs one at a time, so the last KV write always carries the latest record.
  let publishing: Promise<void> = Promise.resolve();

  const pending = () => {
    const state = sql.exec<Publish>(`SELECT * FROM publish`).toArray()[0];
    return !state || (state.version === state.mirrored && state.departure_at_ms === null)
      ? null
      : state;
  };

  /**
   * Writes the mirror no sooner than a second after its last write (one write a second per key),
   * with the record as it is once the wait is over; answers the version and record it wrote.
   */
  async function writeMirror(
    address: string,
  ): Promise<{ version: number; current: Subscriber | null }> {
    const last = sql.exec<{ at_ms: number }>(`SELECT at_ms FROM mirror_write`).toArray()[0];
    const wait = last ? last.at_ms + MIRROR_WRITE_SPACING_MS - Date.now() : 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Read together, with no await between: the version names exactly the record written.
    const { version } = sql.exec<{ version: number }>(`SELECT version FROM publish`).one();
    const current = record();
    await mirror.write(address, current);
    // Stamped once KV has answered: never earlier than the write itself.
    sql.exec(
      `INSERT INTO mirror_write (id, at_ms) VALUES (1, ?)
       ON CONFLICT(id) DO UPDATE SET at_ms = excluded.at_ms`,
      Date.now(),
    );
    return { version, current };
  }

  async function publishOnce(): Promise<void> {
    const state = pending();
    if (!state) return;
    const address = email();
    try {
      // The departure first: it is what keeps a send in flight from mailing the reader, and it
      // needs no wait.
      if (state.departure_at_ms !== null) {
        await departureLog(env).recordDeparture(address, state.departure_at_ms, !!state.erased);
        sql.exec(
          `UPDATE publish SET departure_at_ms = NULL, erased = 0 WHERE departure_at_ms = ?`,
          state.departure_at_ms,
        );
      }
      if (state.version === state.mirrored) return;
      // Changes made while the write waits go out with it.
      const { version, current } = await writeMirror(address);
      // The due index follows the same version: a failure retries both (each is idempotent).
      // Scheduled from the change's own time, so a late retry does not skip a day.
      // An erased reader has no record: their row goes; one who left is kept, never due.
      await dueIndex(env).schedule(
        address,
        isMailable(current) && current ? preferencesOf(current) : null,
        current ? Date.parse(current.updatedAt) : Date.now(),
        current === null,
      );
      // Joins and leaves for the desk's charts, noted in the change's transaction.
      await flushReaderCount(sql, env);
      sql.exec(`UPDATE publish SET mirrored = ?`, version);
    } catch (error) {
      await ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
      throw error;
    }
  }

  return {
    /** Mirrors the latest record to KV and records a pending departure, before the call answers. */
    publish(): Promise<void> {
      const run = publishing.then(publishOnce);
      publishing = run.catch(() => {});
      return run;
    },

    /** Copies an older deploy's record, suppression and transient count into the empty tables. */
    async adopt(): Promise<void> {
      const legacy = await mirror.legacy(email());
      ctx.storage.transactionSync(() => {
        if (legacy.record)
          // The legacy count had no time; counting it from now keeps it "in a row".
          sql.exec(
            `INSERT INTO reader (id, record, transient_bounces, last_transient_ms) VALUES (1, ?, ?, ?)`,
            JSON.stringify(legacy.record),
            legacy.transientBounces,
            legacy.transientBounces > 0 ? Date.now() : null,
          );
        if (legacy.suppression)
          sql.exec(
            `INSERT INTO suppression (id, reason, at) VALUES (1, ?, ?)`,
            legacy.suppression.reason,
            legacy.suppression.at,
          );
      });
      if (legacy.transientBounces > 0) await mirror.forgetLegacyCount(email());
    },
  };
}
