// The DueIndex's storage (due-index.ts and its hand-over, due-handover.ts, are its only writers): the
// tables, the schedule key that keeps readers due together stored together, each schedule's bound
// (when a reader of it may next be due), a handed page's encoding, and the one-time moves from the
// first table and from the index of every reader's instant.
import { BACKFILL_SCHEMA } from "./due-backfill";
import type { Preferences } from "./preferences";

/** A reader as a slot sends to them: who, and what they chose. */
export type DueReader = { email: string; preferences: Preferences };
/** `cursor`: the last page read, its hand-over number ("" before the first page). */
export type DuePage = { readers: DueReader[]; cursor: string; done: boolean };
/** A page as stored (`json`, see encodePage; null when done): one string to send, not 1,000 objects. */
export type HandedPage = { json: string | null; cursor: string; done: boolean };

export type DueRow = {
  email: string;
  next_due_ms: number;
  next_date: string;
  last_date: string | null;
  preferences: string;
};

/**
 * Readers due together are stored together: the key starts with their schedule (cadence, weekday,
 * hour, zone), so handing a slot its readers rewrites a run of adjacent pages, not one page per
 * reader scattered over the table (bench/due-pages.mjs, a day of 24 zones: 54 -> 28 us per reader).
 */
export const scheduleKey = (p: Preferences) =>
  `${p.cadence}|${p.weekday ?? ""}|${p.deliveryHour}|${p.timeZone}`;
// The same key from a stored row's JSON, for the move from the first table (`due`, keyed by email).
const SCHEDULE_KEY_SQL = `json_extract(preferences, '$.cadence') || '|' ||
  ifnull(json_extract(preferences, '$.weekday'), '') || '|' ||
  json_extract(preferences, '$.deliveryHour') || '|' || json_extract(preferences, '$.timeZone')`;

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS due_reader (
    schedule TEXT NOT NULL,
    email TEXT NOT NULL,
    next_due_ms INTEGER NOT NULL,
    next_date TEXT NOT NULL,
    last_date TEXT,
    preferences TEXT NOT NULL,
    PRIMARY KEY (schedule, email)
  ) WITHOUT ROWID`,
  `CREATE UNIQUE INDEX IF NOT EXISTS due_reader_by_email ON due_reader (email)`,
  // Readers who left (never due), by the day last served: the runs delete them after a while.
  `CREATE INDEX IF NOT EXISTS due_reader_parked ON due_reader (last_date)
     WHERE next_due_ms = ${Number.MAX_SAFE_INTEGER}`,
  // Each schedule's earliest instant a reader of it may be due (a lower bound): a slot finds its
  // schedules here, then their readers by the table's own key. Handing a reader over rewrites
  // their row in place; no index of every reader's instant has to move with them.
  // `after_email`: while a schedule is being handed over, the last reader handed, so the next page
  // reads on from there rather than past every reader handed before it.
  `CREATE TABLE IF NOT EXISTS due_schedule (
    schedule TEXT PRIMARY KEY,
    next_due_ms INTEGER NOT NULL,
    after_email TEXT
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS due_schedule_by_time ON due_schedule (next_due_ms, schedule)`,
  // Each page of readers handed to a slot, whole: re-reading a page is one row, and handing a reader
  // over writes no per-reader index. `readers`: JSON, see encodePage.
  `CREATE TABLE IF NOT EXISTS handed_page (
    slot TEXT NOT NULL,
    seq INTEGER NOT NULL,
    slot_ms INTEGER NOT NULL,
    readers TEXT NOT NULL,
    PRIMARY KEY (slot, seq)
  )`,
  `CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)`,
  // Slots that were handed readers lately, so the cron can nudge an owner whose walk stalled.
  `CREATE TABLE IF NOT EXISTS handed_slot (id TEXT PRIMARY KEY, slot_ms INTEGER NOT NULL)`,
  // The one-time backfill of readers confirmed before the index existed (due-backfill.ts).
  BACKFILL_SCHEMA,
];

/**
 * A handed page as stored: `{"choices": [preferences JSON, ...], "readers": [[email, choice], ...]}`,
 * each distinct choice once (a slot's readers share a few dozen).
 */
export function encodePage(rows: { email: string; preferences: string }[]): string {
  const index = new Map<string, number>();
  const readers = rows.map((row): [string, number] => {
    let i = index.get(row.preferences);
    if (i === undefined) index.set(row.preferences, (i = index.size));
    return [row.email, i];
  });
  return `{"choices":[${[...index.keys()].join(",")}],"readers":${JSON.stringify(readers)}}`;
}

/** A handed page's readers, each distinct choice one shared object. */
export function readPage(handed: HandedPage): DuePage {
  if (handed.json === null) return { readers: [], cursor: handed.cursor, done: true };
  const page = JSON.parse(handed.json) as { choices: Preferences[]; readers: [string, number][] };
  return {
    readers: page.readers.map(([email, i]) => ({ email, preferences: page.choices[i]! })),
    cursor: handed.cursor,
    done: false,
  };
}

/** Objects made before keep their readers in `due` (keyed by email): moved once, in one transaction. */
export function moveFirstTable(storage: DurableObjectStorage): void {
  const { sql } = storage;
  const first = sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'due'`);
  if (first.toArray().length === 0) return;
  storage.transactionSync(() => {
    sql.exec(
      `INSERT OR IGNORE INTO due_reader
         (schedule, email, next_due_ms, next_date, last_date, preferences)
       SELECT ${SCHEDULE_KEY_SQL}, email, next_due_ms, next_date, last_date, preferences FROM due`,
    );
    boundAll(sql);
    sql.exec(`DROP TABLE due`);
  });
}

/** A reader of `schedule` may be due at `dueMs`: its schedule's bound comes down to it if later. */
export function lowerBound(sql: SqlStorage, schedule: string, dueMs: number): void {
  sql.exec(
    `INSERT INTO due_schedule (schedule, next_due_ms) VALUES (?, ?)
     ON CONFLICT (schedule) DO UPDATE SET next_due_ms = MIN(next_due_ms, excluded.next_due_ms)`,
    schedule,
    dueMs,
  );
}

/**
 * The schedule's bound made exact again (its earliest reader's instant) and its place in a
 * hand-over forgotten; the bound goes with its last reader.
 */
export function refreshBound(sql: SqlStorage, schedule: string): void {
  const min = sql
    .exec<{ ms: number | null }>(
      `SELECT MIN(next_due_ms) AS ms FROM due_reader WHERE schedule = ?`,
      schedule,
    )
    .one().ms;
  if (min === null) sql.exec(`DELETE FROM due_schedule WHERE schedule = ?`, schedule);
  else
    sql.exec(
      `UPDATE due_schedule SET next_due_ms = ?, after_email = NULL WHERE schedule = ?`,
      min,
      schedule,
    );
}

/** A schedule due by a slot, and where its hand-over reads on from ("" for its first reader). */
export type DueSchedule = { schedule: string; after: string };

const anyDueAfter = (sql: SqlStorage, schedule: string, after: string, slotMs: number) =>
  sql
    .exec(
      `SELECT 1 AS due FROM due_reader
       WHERE schedule = ? AND email > ? AND next_due_ms <= ? LIMIT 1`,
      schedule,
      after,
      slotMs,
    )
    .toArray().length > 0;

/**
 * Schedules with a reader due by `slotMs`, earliest first. A schedule with nobody due after its
 * place has its bound made exact, and is read again from its first reader if someone became due
 * before that place meanwhile; one with nobody due at all drops out.
 */
export function dueSchedules(sql: SqlStorage, slotMs: number): DueSchedule[] {
  const candidates = sql
    .exec<{ schedule: string; after_email: string | null }>(
      `SELECT schedule, after_email FROM due_schedule WHERE next_due_ms <= ?
       ORDER BY next_due_ms, schedule`,
      slotMs,
    )
    .toArray();
  const due: DueSchedule[] = [];
  for (const { schedule, after_email: after } of candidates) {
    if (anyDueAfter(sql, schedule, after ?? "", slotMs)) {
      due.push({ schedule, after: after ?? "" });
      continue;
    }
    refreshBound(sql, schedule);
    if (after !== null && anyDueAfter(sql, schedule, "", slotMs)) due.push({ schedule, after: "" });
  }
  return due;
}

/** A hand-over took `schedule`'s readers up to `email`: the next page reads on after them. */
export function handedUpTo(sql: SqlStorage, schedule: string, email: string): void {
  sql.exec(`UPDATE due_schedule SET after_email = ? WHERE schedule = ?`, email, schedule);
}

/** Every schedule's bound from its readers (after readers were moved in by a statement). */
function boundAll(sql: SqlStorage): void {
  sql.exec(
    `INSERT INTO due_schedule (schedule, next_due_ms)
     SELECT schedule, MIN(next_due_ms) FROM due_reader WHERE true GROUP BY schedule
     ON CONFLICT (schedule) DO UPDATE SET next_due_ms = MIN(next_due_ms, excluded.next_due_ms)`,
  );
}

/** The one-time move from an index of every reader's instant to schedules' bounds. */
export function moveToScheduleBounds(storage: DurableObjectStorage): void {
  const { sql } = storage;
  const old = sql.exec(
    `SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'due_reader_by_time'`,
  );
  if (old.toArray().length === 0) return;
  storage.transactionSync(() => {
    boundAll(sql);
    sql.exec(`DROP INDEX due_reader_by_time`);
  });
}
