// One hand-over of the DueIndex (its only caller, inside one transaction): up to `size` readers due
// by a slot, each moved on to their next delivery, recorded as the slot's next page.
import { nextDelivery } from "./due-schedule";
import type { Preferences } from "./preferences";
import {
  dueSchedules,
  encodePage,
  handedUpTo,
  refreshBound,
  type DueRow,
  type HandedPage,
} from "./due-tables";

type Due = DueRow & { schedule: string };

// Pages of one slot meet the same schedules again: each next delivery is computed once.
const nextCache = new Map<string, ReturnType<typeof nextDelivery>>();
function nextAfter(row: Due, slotMs: number) {
  const cacheKey = `${row.schedule}|${row.next_date}|${row.next_due_ms}|${slotMs}`;
  let next = nextCache.get(cacheKey);
  if (!next) {
    if (nextCache.size >= 20_000) nextCache.clear();
    const preferences: Preferences = JSON.parse(row.preferences);
    next = nextDelivery(preferences, row.next_date, Math.max(slotMs, row.next_due_ms) + 1);
    nextCache.set(cacheKey, next);
  }
  return next;
}

/**
 * Schedule by schedule (earliest first), each in the table's own order (its key: schedule, email)
 * from where its hand-over got to, so readers who share an instant and a schedule are one run of
 * the page and one range of the table. `done`: the schedules whose due readers all fit, which are
 * done with this slot; the schedule that filled the page keeps its place.
 */
function dueReaders(sql: SqlStorage, slotMs: number, size: number) {
  const due: Due[] = [];
  const done: string[] = [];
  for (const { schedule, after } of dueSchedules(sql, slotMs)) {
    const rows = sql
      .exec<Due>(
        `SELECT schedule, email, preferences, next_date, next_due_ms FROM due_reader
         WHERE schedule = ? AND email > ? AND next_due_ms <= ? ORDER BY email LIMIT ?`,
        schedule,
        after,
        slotMs,
        size - due.length,
      )
      .toArray();
    for (const row of rows) due.push(row);
    if (due.length >= size) {
      handedUpTo(sql, schedule, due[due.length - 1]!.email);
      break;
    }
    done.push(schedule);
  }
  return { due, done };
}

/** The next page of readers due by `slotMs` for `slot`, handed over; done when nobody is due. */
export function handOver(
  sql: SqlStorage,
  slot: string,
  slotMs: number,
  size: number,
  cursor: string,
): HandedPage {
  const { due, done } = dueReaders(sql, slotMs, size);
  if (due.length === 0) return { json: null, cursor, done: true };
  const seq = (sql.exec<{ seq: number }>(`SELECT seq FROM counter`).toArray()[0]?.seq ?? 0) + 1;
  sql.exec(
    `INSERT INTO counter (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq`,
    seq,
  );
  // The next delivery depends on the schedule alone (not the topics): each run of readers with
  // one schedule and one due instant is moved on by one statement over its range of emails, each
  // row rewritten in place.
  for (let start = 0; start < due.length;) {
    const first = due[start]!;
    let end = start;
    while (
      end + 1 < due.length &&
      due[end + 1]!.schedule === first.schedule &&
      due[end + 1]!.next_due_ms === first.next_due_ms
    )
      end++;
    const next = nextAfter(first, slotMs);
    sql.exec(
      `UPDATE due_reader SET last_date = next_date, next_date = ?, next_due_ms = ?
       WHERE schedule = ? AND email >= ? AND email <= ? AND next_due_ms = ?`,
      next.date,
      next.dueMs,
      first.schedule,
      first.email,
      due[end]!.email,
      first.next_due_ms,
    );
    start = end + 1;
  }
  // Their readers moved on: each finished schedule's bound is its earliest reader's next instant.
  for (const schedule of done) refreshBound(sql, schedule);
  const readers = encodePage(due);
  sql.exec(
    `INSERT INTO handed_page (slot, seq, slot_ms, readers) VALUES (?, ?, ?, ?)`,
    slot,
    seq,
    slotMs,
    readers,
  );
  sql.exec(`INSERT OR IGNORE INTO handed_slot (id, slot_ms) VALUES (?, ?)`, slot, slotMs);
  return { json: readers, cursor: String(seq), done: false };
}
