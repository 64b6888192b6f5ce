// One ListImport's SQL tables (its state row, the file's rows in pages, the refused rows) and the
// synchronous reads and writes the object's methods are made of. Each write runs in the caller's
// transaction.
import { z } from "zod";
import type { ExportRow } from "./export-formats";

export const IMPORT_SCHEMA = [
  // One row: where the import is, and what it has done so far.
  `CREATE TABLE IF NOT EXISTS import_state (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    options TEXT NOT NULL,
    file_name TEXT NOT NULL,
    tool TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sealed_at TEXT,
    finished_at TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    next_page INTEGER NOT NULL DEFAULT 0,
    next_index INTEGER NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    suppressed INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    confirmations INTEGER NOT NULL DEFAULT 0,
    steps INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    retries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  )`,
  // The file's rows as read at upload, PAGE_ROWS a row (JSON, far below SQLite's 2 MB a row);
  // deleted as the steps pass them.
  `CREATE TABLE IF NOT EXISTS page (seq INTEGER PRIMARY KEY, rows TEXT NOT NULL)`,
  // Rows not imported, with the reason: the download of refused rows.
  `CREATE TABLE IF NOT EXISTS refused (row INTEGER PRIMARY KEY, input TEXT NOT NULL, reason TEXT NOT NULL)`,
];

// At most 250 rows of at most ~5.3 KB each (address, dates, 50 tags of 100 characters, capped at
// upload): at most ~1.3 MB, under the 2 MB SQLite allows in a row.
export const PAGE_ROWS = 250;

export const COUNTS = [
  "added",
  "updated",
  "unchanged",
  "suppressed",
  "refused",
  "confirmations",
] as const;
export type Counts = Record<(typeof COUNTS)[number], number>;

export const ImportStateRow = z.object({
  id: z.string(),
  state: z.enum(["uploading", "running", "done", "abandoned"]),
  options: z.string(),
  file_name: z.string(),
  tool: z.string(),
  created_at: z.string(),
  sealed_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  rows: z.number(),
  pages: z.number(),
  next_page: z.number(),
  next_index: z.number(),
  processed: z.number(),
  added: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  suppressed: z.number(),
  refused: z.number(),
  confirmations: z.number(),
  steps: z.number(),
  failures: z.number(),
  retries: z.number(),
  last_error: z.string().nullable(),
});
export type ImportStateRow = z.infer<typeof ImportStateRow>;

export function createImportTables(sql: SqlStorage) {
  return {
    state(): ImportStateRow | null {
      const row = sql.exec(`SELECT * FROM import_state`).toArray()[0];
      return row ? ImportStateRow.parse(row) : null;
    },

    create(init: {
      id: string;
      options: string;
      fileName: string;
      tool: string;
      createdAt: string;
    }) {
      sql.exec(
        `INSERT INTO import_state (only, id, state, options, file_name, tool, created_at)
         VALUES (1, ?, 'uploading', ?, ?, ?, ?)`,
        init.id,
        init.options,
        init.fileName,
        init.tool,
        init.createdAt,
      );
    },

    /** Appends rows to the pages, filling the last page first. */
    append(rows: ExportRow[]): void {
      const state = this.state()!;
      let seq = state.pages - 1;
      let page: ExportRow[] = [];
      if (seq >= 0) {
        const last = sql.exec<{ rows: string }>(`SELECT rows FROM page WHERE seq = ?`, seq).one();
        page = JSON.parse(last.rows) as ExportRow[];
      }
      if (seq < 0 || page.length >= PAGE_ROWS) {
        seq++;
        page = [];
      }
      for (const row of rows) {
        if (page.length >= PAGE_ROWS) {
          sql.exec(
            `INSERT OR REPLACE INTO page (seq, rows) VALUES (?, ?)`,
            seq,
            JSON.stringify(page),
          );
          seq++;
          page = [];
        }
        page.push(row);
      }
      if (page.length > 0)
        sql.exec(
          `INSERT OR REPLACE INTO page (seq, rows) VALUES (?, ?)`,
          seq,
          JSON.stringify(page),
        );
      sql.exec(`UPDATE import_state SET rows = rows + ?, pages = ?`, rows.length, seq + 1);
    },

    page(seq: number): ExportRow[] | null {
      const row = sql
        .exec<{ rows: string }>(`SELECT rows FROM page WHERE seq = ?`, seq)
        .toArray()[0];
      return row ? (JSON.parse(row.rows) as ExportRow[]) : null;
    },

    dropPagesBefore(seq: number): void {
      sql.exec(`DELETE FROM page WHERE seq < ?`, seq);
    },

    dropAllPages(): void {
      sql.exec(`DELETE FROM page`);
    },

    /** Records a step's results and moves the cursor, in the step's one transaction. */
    advance(to: { page: number; index: number }, processed: number, counts: Counts): void {
      sql.exec(
        `UPDATE import_state SET next_page = ?, next_index = ?, processed = processed + ?,
           added = added + ?, updated = updated + ?, unchanged = unchanged + ?,
           suppressed = suppressed + ?, refused = refused + ?, confirmations = confirmations + ?,
           steps = steps + 1, failures = 0, last_error = NULL`,
        to.page,
        to.index,
        processed,
        ...COUNTS.map((name) => counts[name]),
      );
    },

    refuse(row: number, input: string, reason: string): void {
      sql.exec(
        `INSERT OR REPLACE INTO refused (row, input, reason) VALUES (?, ?, ?)`,
        row,
        input,
        reason,
      );
    },

    refusedAfter(row: number, limit: number) {
      return sql
        .exec<{ row: number; input: string; reason: string }>(
          `SELECT row, input, reason FROM refused WHERE row > ? ORDER BY row LIMIT ?`,
          row,
          limit,
        )
        .toArray();
    },

    set(
      fields: Partial<
        Pick<ImportStateRow, "state" | "sealed_at" | "finished_at" | "last_error" | "tool">
      >,
    ) {
      for (const [name, value] of Object.entries(fields))
        sql.exec(`UPDATE import_state SET ${name} = ?`, value);
    },

    failed(error: string): number {
      sql.exec(
        `UPDATE import_state SET failures = failures + 1, retries = retries + 1, last_error = ?`,
        error.slice(0, 500),
      );
      return this.state()!.failures;
    },

    eraseAll(): void {
      for (const table of ["import_state", "page", "refused"]) sql.exec(`DELETE FROM ${table}`);
    },
  };
}
export type ImportTables = ReturnType<typeof createImportTables>;
