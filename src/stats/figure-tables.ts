// The SQL tables of the newsletter's daily figures (DailyFigures) and the reads the charts make.
// See docs/storage.md.
import { createSendTables } from "./send-tables";

export const FIGURE_SCHEMA = [
  // Joins (a reader became confirmed) and leaves (a confirmed reader stopped being mailable) per UTC day.
  `CREATE TABLE IF NOT EXISTS reader_day (
    day TEXT PRIMARY KEY,
    joins INTEGER NOT NULL DEFAULT 0,
    leaves INTEGER NOT NULL DEFAULT 0
  )`,
  // Change ids already counted: a ledger that retries a flush is counted once.
  `CREATE TABLE IF NOT EXISTS seen_change (id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS seen_change_by_time ON seen_change (at_ms)`,
  // How many readers were confirmed when counting began: one walk of the KV list, in steps.
  `CREATE TABLE IF NOT EXISTS baseline (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started_ms INTEGER NOT NULL,
    cursor TEXT,
    done INTEGER NOT NULL,
    walked INTEGER NOT NULL,
    changes_before INTEGER NOT NULL
  )`,
  // Each send's figures (a day's edition or a run slot) as its owner last reported them.
  `CREATE TABLE IF NOT EXISTS send_unit (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    version INTEGER NOT NULL,
    started_ms INTEGER,
    sent INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    bounced INTEGER NOT NULL,
    permanent INTEGER NOT NULL,
    complained INTEGER NOT NULL,
    status TEXT NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS send_unit_by_day ON send_unit (day)`,
  // Weekly reports: the week's row with recipient '*' makes it due; then one row per editor it went
  // to (a keyed hash of the address, no address).
  `CREATE TABLE IF NOT EXISTS weekly_report (
    week TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    PRIMARY KEY (week, recipient)
  )`,
];

export type ReaderChange = { id: string; delta: 1 | -1; atMs: number };
export type ReaderDay = { date: string; confirmed: number | null; joins: number; leaves: number };

export const DAY_MS = 86_400_000;
const DUE = "*";
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The `count` UTC dates ending with the day of `toMs`, oldest first. */
export function lastDays(toMs: number, count: number): string[] {
  const last = Date.parse(dayOf(toMs));
  return Array.from({ length: count }, (_, i) => dayOf(last - (count - 1 - i) * DAY_MS));
}

type BaselineRow = {
  started_ms: number;
  cursor: string | null;
  done: number;
  walked: number;
  changes_before: number;
};

export function createFigureTables(sql: SqlStorage) {
  const baseline = () => sql.exec<BaselineRow>(`SELECT * FROM baseline`).toArray()[0] ?? null;

  return {
    ...createSendTables(sql),
    baseline,

    /** Starts counting: the baseline row, once. False when it already existed. */
    startBaseline(nowMs: number): boolean {
      if (baseline()) return false;
      sql.exec(
        `INSERT INTO baseline (id, started_ms, cursor, done, walked, changes_before)
         VALUES (1, ?, NULL, 0, 0, 0)`,
        nowMs,
      );
      return true;
    },

    /**
     * Counts each change once. Until the baseline walk is done, a change may be in the list it walks
     * already: it is also noted in `changes_before`, so the count is the walk's plus what came after.
     */
    applyChanges(changes: ReaderChange[]): void {
      const walking = baseline()?.done === 0;
      for (const change of changes) {
        if (sql.exec(`SELECT 1 FROM seen_change WHERE id = ?`, change.id).toArray().length)
          continue;
        sql.exec(`INSERT INTO seen_change (id, at_ms) VALUES (?, ?)`, change.id, change.atMs);
        sql.exec(
          `INSERT INTO reader_day (day, joins, leaves) VALUES (?, ?, ?)
           ON CONFLICT(day) DO UPDATE SET joins = joins + excluded.joins, leaves = leaves + excluded.leaves`,
          dayOf(change.atMs),
          change.delta > 0 ? 1 : 0,
          change.delta < 0 ? 1 : 0,
        );
        if (walking)
          sql.exec(`UPDATE baseline SET changes_before = changes_before + ?`, change.delta);
      }
    },

    pruneSeen(beforeMs: number): void {
      sql.exec(`DELETE FROM seen_change WHERE at_ms < ?`, beforeMs);
    },

    recordWalk(cursor: string | null, confirmed: number): void {
      sql.exec(
        `UPDATE baseline SET cursor = ?, done = ?, walked = walked + ?`,
        cursor,
        cursor === null ? 1 : 0,
        confirmed,
      );
    },

    /**
     * Confirmed readers at the end of each day: the baseline plus every join and leave up to that
     * day. Null before counting began, and while the baseline walk is under way.
     */
    readerDays(dates: string[]): ReaderDay[] {
      const base = baseline();
      const first = dates[0] ?? "";
      const rows = sql
        .exec<{ day: string; joins: number; leaves: number }>(
          `SELECT * FROM reader_day ORDER BY day`,
        )
        .toArray();
      const byDay = new Map(rows.map((row) => [row.day, row]));
      let running = rows
        .filter((row) => row.day < first)
        .reduce((sum, row) => sum + row.joins - row.leaves, 0);
      const known = base?.done ? base.walked - base.changes_before : null;
      const startDay = base ? dayOf(base.started_ms) : null;
      return dates.map((date) => {
        const row = byDay.get(date);
        running += (row?.joins ?? 0) - (row?.leaves ?? 0);
        const confirmed = known === null || !startDay || date < startDay ? null : known + running;
        return { date, confirmed, joins: row?.joins ?? 0, leaves: row?.leaves ?? 0 };
      });
    },

    reportState(week: string): { due: boolean; sentTo: string[] } {
      const rows = sql
        .exec<{ recipient: string }>(`SELECT recipient FROM weekly_report WHERE week = ?`, week)
        .toArray()
        .map((row) => row.recipient);
      return { due: rows.includes(DUE), sentTo: rows.filter((recipient) => recipient !== DUE) };
    },

    startReport(week: string, nowMs: number): void {
      this.markReportSent(week, DUE, nowMs);
    },

    markReportSent(week: string, recipient: string, nowMs: number): void {
      sql.exec(
        `INSERT OR IGNORE INTO weekly_report (week, recipient, sent_ms) VALUES (?, ?, ?)`,
        week,
        recipient,
        nowMs,
      );
    },
  };
}
