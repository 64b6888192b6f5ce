// DueIndex owns when each mailable reader is next due (one object, id "due"): their schedule and
// choices, the next delivery instant, the local date last handed to a send, and the pages of readers
// handed to each run slot. It guarantees at most one delivery per period: a reader is handed to one
// slot per local day (weekly: per week), in the same transaction that moves their next due instant on
// and records the page they are in, and a slot asking again gets exactly the page it was given.
// Readers are found by an index on the due instant, so a run reads only the readers due in it.
// ReaderLedgers feed it on every change (publish step).
//
// One object: a ledger calls it when a reader's status or choices change (a few a second at most),
// and a run's owner pages through its readers in steps; both well under what one object handles.
import { DurableObject } from "cloudflare:workers";
import { backfillStep, startBackfill } from "./due-backfill";
import { nextDelivery } from "./due-schedule";
import type { Preferences } from "./preferences";
import {
  encodePage,
  moveFirstTable,
  readPage,
  scheduleKey,
  SCHEMA,
  type DuePage,
  type DueRow,
  type HandedPage,
} from "./due-tables";

export {
  moveFirstTable,
  readPage,
  type DuePage,
  type DueReader,
  type HandedPage,
} from "./due-tables";

export const DUE_INDEX_NAME = "due";

// A slot's owner is nudged by the cron for this long after it was handed readers.
const NUDGE_SLOTS_MS = 2 * 60 * 60 * 1000;
// Handed pages are kept this long: an owner re-reads one only when a walk step died (minutes).
const KEEP_PAGES_MS = 2 * 24 * 60 * 60 * 1000;

// A reader who left: never due. Kept this long after the day last served (a weekly reader's week
// and a day), then deleted by the next run.
const PARKED = Number.MAX_SAFE_INTEGER;
const PARKED_KEEP_MS = 8 * 24 * 60 * 60 * 1000;

// Readers handed to a slot per call: bounded so one call stays a small invocation.
export const MAX_DUE_PAGE = 2000;

export class DueIndex extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  // Readers removed while a backfill step waited on KV: the step must not bring them back.
  private readonly removedDuringBackfill = new Set<string>();
  private backfilling = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
    moveFirstTable(ctx.storage);
  }

  private row(email: string): (DueRow & { schedule: string }) | null {
    return (
      this.sql
        .exec<DueRow & { schedule: string }>(`SELECT * FROM due_reader WHERE email = ?`, email)
        .toArray()[0] ?? null
    );
  }

  /**
   * A reader's schedule after a change: `preferences` for a mailable reader, null for one who is not.
   * A reader who is not mailable is never handed to a later slot: an erased one's row is deleted;
   * one who left is parked (never due) with the local date last served, for PARKED_KEEP_MS, so
   * coming back the same day at a later hour cannot mail them a second time that day. Unchanged
   * choices change nothing. A scheduled reader who moves their time earlier than now, on a day not
   * yet served, is due at once rather than losing that day.
   */
  schedule(email: string, preferences: Preferences | null, nowMs: number, erased = false): void {
    if (!preferences) {
      if (erased) this.sql.exec(`DELETE FROM due_reader WHERE email = ?`, email);
      else this.sql.exec(`UPDATE due_reader SET next_due_ms = ? WHERE email = ?`, PARKED, email);
      if (this.backfilling) this.removedDuringBackfill.add(email);
      return;
    }
    const json = JSON.stringify(preferences);
    const row = this.row(email);
    const parked = row?.next_due_ms === PARKED;
    if (row && !parked && row.preferences === json) return;
    // Coming back is a start, as for a new reader, but the day last served still counts.
    const next = nextDelivery(preferences, row?.last_date ?? null, nowMs, row !== null && !parked);
    // A new schedule is a new key: the row moves (with its last date served).
    if (row) this.sql.exec(`DELETE FROM due_reader WHERE email = ?`, email);
    this.sql.exec(
      `INSERT INTO due_reader (schedule, email, next_due_ms, next_date, last_date, preferences)
       VALUES (?, ?, ?, ?, ?, ?)`,
      scheduleKey(preferences),
      email,
      next.dueMs,
      next.date,
      row?.last_date ?? null,
      json,
    );
  }

  /** Starts the one-time backfill of older readers (cheap to ask on every run; anyDue does). */
  async ensureBackfill(): Promise<void> {
    if (startBackfill(this.sql)) await this.ctx.storage.setAlarm(Date.now());
  }

  /** A slot's send finished: later runs need not nudge its owner. */
  slotFinished(slot: string): void {
    this.sql.exec(`DELETE FROM handed_slot WHERE id = ?`, slot);
  }

  /** One backfill step per alarm; the next step is its own invocation. */
  override async alarm(): Promise<void> {
    this.removedDuringBackfill.clear();
    this.backfilling = true;
    const more = await backfillStep(
      this.env,
      this.sql,
      (email, preferences) => {
        if (this.row(email) || this.removedDuringBackfill.has(email)) return false;
        this.schedule(email, preferences, Date.now());
        return true;
      },
      Date.now(),
    ).finally(() => {
      this.backfilling = false;
    });
    if (more) await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Many readers at once, as their ledgers would one by one: for a backfill of readers who were
   * confirmed before the index existed (and the benchmark's seed). At most MAX_DUE_PAGE a call.
   */
  scheduleMany(entries: { email: string; preferences: Preferences }[], nowMs: number): number {
    const batch = entries.slice(0, MAX_DUE_PAGE);
    this.ctx.storage.transactionSync(() => {
      for (const entry of batch) this.schedule(entry.email, entry.preferences, nowMs);
    });
    return batch.length;
  }

  /**
   * Whether anyone is due at or before `slotMs` (the empty run's only question), and the earlier
   * slots handed readers in the last two hours whose sends have not finished: the run nudges their
   * owners. The first call also starts the one-time backfill of readers from before the index.
   */
  async anyDue(slotMs: number): Promise<{ due: boolean; weekly: boolean; recent: string[] }> {
    await this.ensureBackfill();
    this.sql.exec(`DELETE FROM handed_slot WHERE slot_ms < ?`, slotMs - NUDGE_SLOTS_MS);
    this.sql.exec(`DELETE FROM handed_page WHERE slot_ms < ?`, slotMs - KEEP_PAGES_MS);
    this.sql.exec(
      `DELETE FROM due_reader WHERE next_due_ms = ? AND (last_date IS NULL OR last_date < ?)`,
      PARKED,
      new Date(slotMs - PARKED_KEEP_MS).toISOString().slice(0, 10),
    );
    const recent = this.sql
      .exec<{ id: string }>(`SELECT id FROM handed_slot WHERE slot_ms < ? ORDER BY slot_ms`, slotMs)
      .toArray()
      .map((row) => row.id);
    const any = (filter: string) =>
      this.sql
        .exec(`SELECT 1 AS due FROM due_reader WHERE next_due_ms <= ? ${filter} LIMIT 1`, slotMs)
        .toArray().length > 0;
    // Any weekly reader among them, however many are due: the pool then covers 7 days.
    return { due: any(""), weekly: any(`AND schedule LIKE 'weekly|%'`), recent };
  }

  /**
   * The next page of `slot`'s readers after `cursor`: the page handed to it next, if there is one
   * (after a crash, asking again with the same cursor answers the same readers in the same order);
   * otherwise up to `limit` more readers due by `slotMs` are handed over as a new page (each one's
   * day marked served and next delivery computed, in the one transaction that records the page).
   * `done` when nothing is left to read or hand over.
   */
  page(slot: string, slotMs: number, cursor: string, limit: number): DuePage {
    return readPage(this.pageJson(slot, slotMs, cursor, limit));
  }

  /** The same page as stored (one string): a slot's owner reads it with readPage. */
  pageJson(slot: string, slotMs: number, cursor: string, limit: number): HandedPage {
    const afterSeq = Number(cursor.split(":")[0] ?? 0) || 0;
    const stored = this.sql
      .exec<{ seq: number; readers: string }>(
        `SELECT seq, readers FROM handed_page WHERE slot = ? AND seq > ? ORDER BY seq LIMIT 1`,
        slot,
        afterSeq,
      )
      .toArray()[0];
    if (stored) return { json: stored.readers, cursor: String(stored.seq), done: false };
    const size = Math.max(1, Math.min(limit, MAX_DUE_PAGE));
    return this.ctx.storage.transactionSync(() => {
      // In the due-instant index's own order (instant, then the key: schedule, email), so readers
      // who share an instant and a schedule are one run of the page and one range of the table.
      const due = this.sql
        .exec<DueRow & { schedule: string }>(
          `SELECT schedule, email, preferences, next_date, next_due_ms FROM due_reader
           WHERE next_due_ms <= ? ORDER BY next_due_ms, schedule, email LIMIT ?`,
          slotMs,
          size,
        )
        .toArray();
      if (due.length === 0) return { json: null, cursor, done: true };
      const seq =
        (this.sql.exec<{ seq: number }>(`SELECT seq FROM counter`).toArray()[0]?.seq ?? 0) + 1;
      this.sql.exec(
        `INSERT INTO counter (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq`,
        seq,
      );
      // The next delivery depends on the schedule alone (not the topics): each run of readers with
      // one schedule and one due instant is moved on by one statement over its range of emails.
      for (let start = 0; start < due.length;) {
        const first = due[start]!;
        let end = start;
        while (
          end + 1 < due.length &&
          due[end + 1]!.schedule === first.schedule &&
          due[end + 1]!.next_due_ms === first.next_due_ms
        )
          end++;
        const next = this.nextAfter(first, slotMs);
        this.sql.exec(
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
      const readers = encodePage(due);
      this.sql.exec(
        `INSERT INTO handed_page (slot, seq, slot_ms, readers) VALUES (?, ?, ?, ?)`,
        slot,
        seq,
        slotMs,
        readers,
      );
      this.sql.exec(`INSERT OR IGNORE INTO handed_slot (id, slot_ms) VALUES (?, ?)`, slot, slotMs);
      return { json: readers, cursor: String(seq), done: false };
    });
  }

  // Pages of one slot meet the same schedules again: each next delivery is computed once.
  private readonly nextCache = new Map<string, ReturnType<typeof nextDelivery>>();
  private nextAfter(
    row: Pick<DueRow, "preferences" | "next_date" | "next_due_ms"> & { schedule: string },
    slotMs: number,
  ) {
    const cacheKey = `${row.schedule}|${row.next_date}|${row.next_due_ms}|${slotMs}`;
    let next = this.nextCache.get(cacheKey);
    if (!next) {
      if (this.nextCache.size >= 20_000) this.nextCache.clear();
      const preferences: Preferences = JSON.parse(row.preferences);
      next = nextDelivery(preferences, row.next_date, Math.max(slotMs, row.next_due_ms) + 1);
      this.nextCache.set(cacheKey, next);
    }
    return next;
  }

  /** When `email` is next due and which local date that serves (tests, the editors' view). */
  nextFor(email: string): { dueMs: number; date: string; lastDate: string | null } | null {
    const row = this.row(email);
    if (!row || row.next_due_ms === PARKED) return null;
    return { dueMs: row.next_due_ms, date: row.next_date, lastDate: row.last_date };
  }
}

/** The one DueIndex object. */
export const dueIndex = (env: Pick<Env, "DUE_INDEX">) =>
  env.DUE_INDEX.get(env.DUE_INDEX.idFromName(DUE_INDEX_NAME));
