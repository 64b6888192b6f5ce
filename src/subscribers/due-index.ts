// DueIndex owns when each mailable reader is next due (one object, id "due"): their schedule and
// choices, the next delivery instant, the local date last handed to a send, and the pages of readers
// handed to each run slot. It guarantees at most one delivery per period: a reader is handed to one
// slot per local day (weekly: per week), in the same transaction that moves their next due instant on
// and records the page they are in, and a slot asking again gets exactly the page it was given.
// A run finds the schedules due in it by each schedule's earliest instant (due_schedule), then their
// due readers by the table's own key, so it reads only those readers and rewrites their rows in place.
// ReaderLedgers feed it on every change (publish step).
//
// One object: a ledger calls it when a reader's status or choices change (a few a second at most),
// and a run's owner pages through its readers in steps; both well under what one object handles.
import { DurableObject } from "cloudflare:workers";
import { backfillStep, startBackfill } from "./due-backfill";
import { handOver } from "./due-handover";
import { nextDelivery } from "./due-schedule";
import type { Preferences } from "./preferences";
import {
  dueSchedules,
  lowerBound,
  moveFirstTable,
  moveToScheduleBounds,
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
    moveToScheduleBounds(ctx.storage);
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
    const schedule = scheduleKey(preferences);
    this.sql.exec(
      `INSERT INTO due_reader (schedule, email, next_due_ms, next_date, last_date, preferences)
       VALUES (?, ?, ?, ?, ?, ?)`,
      schedule,
      email,
      next.dueMs,
      next.date,
      row?.last_date ?? null,
      json,
    );
    lowerBound(this.sql, schedule, next.dueMs);
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
    // The instant written out, so the partial index of parked readers serves the query.
    this.sql.exec(
      `DELETE FROM due_reader WHERE next_due_ms = ${PARKED} AND (last_date IS NULL OR last_date < ?)`,
      new Date(slotMs - PARKED_KEEP_MS).toISOString().slice(0, 10),
    );
    const recent = this.sql
      .exec<{ id: string }>(`SELECT id FROM handed_slot WHERE slot_ms < ? ORDER BY slot_ms`, slotMs)
      .toArray()
      .map((row) => row.id);
    const schedules = dueSchedules(this.sql, slotMs);
    // Any weekly reader among them, however many are due: the pool then covers 7 days.
    const weekly = schedules.some(({ schedule }) => schedule.startsWith("weekly|"));
    return { due: schedules.length > 0, weekly, recent };
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
    return this.ctx.storage.transactionSync(() => handOver(this.sql, slot, slotMs, size, cursor));
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
