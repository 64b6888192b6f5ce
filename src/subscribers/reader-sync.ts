// What a ReaderLedger exchanges with the world outside it: on first touch it adopts what an older
// deploy kept in KV; after each change it publishes (DepartureLog, DueIndex, KV mirror, DailyFigures),
// retried until done, writing the mirror at most once a second without holding the call for it.
import { flushReaderCount } from "../stats/reader-count";
import { departureLog } from "./departure-log";
import { dueIndex } from "./due-index";
import { preferencesOf } from "./preferences";
import { isMailable } from "./reader-rules";
import { createReaderMirror } from "./reader-mirror";
import type { Subscriber } from "./subscriber-schema";

/**
 * What the outside world has not yet been told: the record version the DueIndex follows
 * (`scheduled`; null in rows from before it was kept apart: the same as `mirrored`), the version the
 * KV mirror holds, and a departure not yet in the DepartureLog. A row survives a failed call, so a
 * retry or the alarm finishes it. No address is kept.
 */
export const PUBLISH_TABLE = `CREATE TABLE IF NOT EXISTS publish (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  mirrored INTEGER NOT NULL,
  departure_at_ms INTEGER,
  erased INTEGER NOT NULL DEFAULT 0,
  scheduled INTEGER
)`;

/** When the mirror key was last written (put or delete): KV takes one write a second per key. */
const MIRROR_WRITE_TABLE = `CREATE TABLE IF NOT EXISTS mirror_write (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at_ms INTEGER NOT NULL
)`;

const PUBLISH_RETRY_MS = 10_000;
// KV answers a second write to one key within a second with 429 (after the change has committed
// here). A mirror write due sooner is left to the alarm, set for the moment the second is over; the
// changes made meanwhile ride on that one write, since it carries the record as it is then.
const MIRROR_WRITE_SPACING_MS = 1000;

type Publish = {
  version: number;
  mirrored: number;
  scheduled: number;
  departure_at_ms: number | null;
  erased: number;
};

/** Sets the object's one alarm for `atMs` unless it is already set sooner. */
export async function alarmBy(storage: DurableObjectStorage, atMs: number): Promise<void> {
  // While the alarm runs, getAlarm answers null unless it was set again since it started.
  const current = await storage.getAlarm();
  if (current === null || current > atMs) await storage.setAlarm(atMs);
}

/** Notes, inside the change's transaction, that the record changed and whether the reader departed. */
export function notePublish(sql: SqlStorage, departureAtMs: number | null, erased = false): void {
  // The row is made by the first change, so an object that only ever reads writes nothing.
  sql.exec(
    `INSERT INTO publish (id, version, mirrored, scheduled, departure_at_ms, erased)
     VALUES (1, 1, 0, 0, ?, ?)
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
  // Objects made before the DueIndex's version was kept apart: theirs is the mirror's (null).
  const columns = sql.exec<{ name: string }>(`PRAGMA table_info(publish)`).toArray();
  if (!columns.some((column) => column.name === "scheduled"))
    sql.exec(`ALTER TABLE publish ADD COLUMN scheduled INTEGER`);
  const mirror = createReaderMirror(env);
  // Publishing runs one at a time, so the last KV write always carries the latest record.
  let publishing: Promise<void> = Promise.resolve();

  const pending = () => {
    const state = sql
      .exec<Publish>(
        `SELECT version, mirrored, COALESCE(scheduled, mirrored) AS scheduled, departure_at_ms,
           erased FROM publish`,
      )
      .toArray()[0];
    const done =
      !state ||
      (state.version === state.mirrored &&
        state.version === state.scheduled &&
        state.departure_at_ms === null);
    return done ? null : state;
  };

  /** The latest version and the record it names, read together with no await between. */
  const latest = () => ({
    version: sql.exec<{ version: number }>(`SELECT version FROM publish`).one().version,
    current: record(),
  });

  /**
   * The DueIndex follows the latest record before the call answers: a reader who changed their
   * time is due at the new one. Scheduled from the change's own time, so a late retry does not skip
   * a day. An erased reader has no record: their row goes; one who left is kept, never due.
   */
  async function schedule(address: string): Promise<void> {
    const { version, current } = latest();
    await dueIndex(env).schedule(
      address,
      isMailable(current) && current ? preferencesOf(current) : null,
      current ? Date.parse(current.updatedAt) : Date.now(),
      current === null,
    );
    sql.exec(`UPDATE publish SET scheduled = ?`, version);
  }

  /**
   * Writes the mirror with the record as it is now, then hands the joins and leaves noted since to
   * DailyFigures (after the mirror, so the figures' baseline walk of the list sees every change it
   * counts). Within a second of the last mirror write (one write a second per key) it is left to the
   * alarm, or, with `wait`, waited for here.
   */
  async function writeMirror(address: string, wait: boolean): Promise<void> {
    const last = sql.exec<{ at_ms: number }>(`SELECT at_ms FROM mirror_write`).toArray()[0];
    const dueAtMs = last ? last.at_ms + MIRROR_WRITE_SPACING_MS : 0;
    if (dueAtMs > Date.now()) {
      if (!wait) return alarmBy(ctx.storage, dueAtMs);
      await new Promise((resolve) => setTimeout(resolve, dueAtMs - Date.now()));
    }
    const { version, current } = latest();
    await mirror.write(address, current);
    // Stamped once KV has answered: never earlier than the write itself.
    sql.exec(
      `INSERT INTO mirror_write (id, at_ms) VALUES (1, ?)
       ON CONFLICT(id) DO UPDATE SET at_ms = excluded.at_ms`,
      Date.now(),
    );
    await flushReaderCount(sql, env);
    sql.exec(`UPDATE publish SET mirrored = ?`, version);
  }

  async function publishOnce(wait: boolean): Promise<void> {
    const state = pending();
    if (!state) return;
    const address = email();
    try {
      // The departure first: it is what keeps a send in flight from mailing the reader.
      if (state.departure_at_ms !== null) {
        await departureLog(env).recordDeparture(address, state.departure_at_ms, !!state.erased);
        sql.exec(
          `UPDATE publish SET departure_at_ms = NULL, erased = 0 WHERE departure_at_ms = ?`,
          state.departure_at_ms,
        );
      }
      if (state.version !== state.scheduled) await schedule(address);
      if (state.version !== state.mirrored) await writeMirror(address, wait);
    } catch (error) {
      await ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
      throw error;
    }
  }

  return {
    /**
     * Before the call answers: records a pending departure, schedules the latest record in the
     * DueIndex, and mirrors it to KV, unless the mirror was written less than a second ago: then the
     * alarm writes it once the second is over (`wait`: this call waits for it instead).
     */
    publish(options: { wait?: boolean } = {}): Promise<void> {
      const run = publishing.then(() => publishOnce(options.wait ?? false));
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
export type ReaderSync = ReturnType<typeof createReaderSync>;
