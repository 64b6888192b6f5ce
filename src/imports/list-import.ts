// ListImport owns one list import (id = idFromName(import id)): the file's rows as read at upload,
// the cursor and counts of the steps that import them, and the refused rows. It guarantees that the
// rows are imported in order, one step at a time (an alarm each), that a step whose work failed or
// crashed half-way is run again until it succeeds, and that counts are exact across such reruns (each
// reader's ledger remembers what this import did to them). It does not decide anything about a
// reader: their ReaderLedger does. One object per import: imports are rare and each is its own.
import { DurableObject } from "cloudflare:workers";
import { readerDeps } from "../subscribers/reader-deps";
import { sendConfirmation } from "../subscribers/subscription";
import type { ExportRow } from "./export-formats";
import type { ImportOptions } from "./import-options";
import { importRows } from "./import-step";
import { createImportTables, IMPORT_SCHEMA, type ImportStateRow } from "./import-tables";

// Rows a step takes: each is one call to a reader's ledger (1,000 subrequests an invocation), and
// with askToConfirm an email too, paced by the provider limiter (a few a second).
export const STEP_ROWS = 400;
export const STEP_ROWS_CONFIRMING = 40;
// An upload that never finished (the request died) is given up after this.
const UPLOAD_TIMEOUT_MS = 60 * 60 * 1000;
// What an import keeps (its counts and refused rows, which name addresses) after it finished.
export const IMPORT_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60 * 1000;

export type ImportProgress = {
  id: string;
  state: ImportStateRow["state"];
  fileName: string;
  tool: string;
  source: string;
  askToConfirm: boolean;
  createdAt: string;
  finishedAt: string | null;
  rows: number;
  read: number;
  added: number;
  updated: number;
  unchanged: number;
  suppressed: number;
  refused: number;
  confirmationsSent: number;
  /** Steps that failed and ran again (a reader unreachable, the provider down, a crash). */
  retries: number;
  /** The last failure, until a step succeeds; or why the upload was given up. */
  error: string | null;
};

export class ListImport extends DurableObject<Env> {
  private readonly tables: ReturnType<typeof createImportTables>;
  // Only one step at a time, even if an alarm and a test's runDurableObjectAlarm overlap.
  private stepping = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of IMPORT_SCHEMA) ctx.storage.sql.exec(statement);
    this.tables = createImportTables(ctx.storage.sql);
  }

  /** Starts the upload; the same id again changes nothing. */
  async begin(init: {
    id: string;
    options: ImportOptions;
    fileName: string;
    tool: string;
    nowIso: string;
  }) {
    if (this.tables.state()) return;
    this.tables.create({ ...init, options: JSON.stringify(init.options), createdAt: init.nowIso });
    await this.ctx.storage.setAlarm(Date.parse(init.nowIso) + UPLOAD_TIMEOUT_MS);
  }

  /** More rows of the file, in order (the upload sends a few thousand a call). */
  async append(rows: ExportRow[]): Promise<void> {
    if (this.tables.state()?.state !== "uploading") throw new Error("this import is not uploading");
    this.ctx.storage.transactionSync(() => this.tables.append(rows));
  }

  /** The whole file is stored: the steps begin. */
  async seal(nowIso: string): Promise<ImportProgress> {
    const state = this.tables.state();
    if (state?.state === "uploading") {
      this.tables.set({ state: "running", sealed_at: nowIso });
      await this.ctx.storage.setAlarm(Date.now());
    }
    const progress = this.progress();
    if (!progress) throw new Error("no such import");
    return progress;
  }

  /** The upload failed: nothing is imported, and the rows stored so far are dropped. */
  async abandon(reason: string): Promise<void> {
    if (this.tables.state()?.state !== "uploading") return;
    this.ctx.storage.transactionSync(() => {
      this.tables.dropAllPages();
      this.tables.set({
        state: "abandoned",
        last_error: reason.slice(0, 500),
        finished_at: new Date().toISOString(),
      });
    });
  }

  /** The import's progress; null when no import has this id. */
  progress(): ImportProgress | null {
    const state = this.tables.state();
    if (!state) return null;
    const options = JSON.parse(state.options) as ImportOptions;
    return {
      id: state.id,
      state: state.state,
      fileName: state.file_name,
      tool: state.tool,
      source: options.source,
      askToConfirm: options.askToConfirm,
      createdAt: state.created_at,
      finishedAt: state.finished_at,
      rows: state.rows,
      read: state.processed,
      added: state.added,
      updated: state.updated,
      unchanged: state.unchanged,
      suppressed: state.suppressed,
      refused: state.refused,
      confirmationsSent: state.confirmations,
      retries: state.retries,
      error: state.last_error,
    };
  }

  /** Refused rows after row number `after`, in order (the CSV download pages through them). */
  async refusedRows(after: number, limit: number) {
    return this.tables.refusedAfter(after, Math.min(limit, 5000));
  }

  override async alarm(): Promise<void> {
    const state = this.tables.state();
    if (!state) return;
    if (state.state === "uploading") return this.abandon("the upload did not finish");
    if (state.state !== "running") {
      // Kept for a while to be read, then forgotten (the refused rows name addresses).
      if (state.finished_at && Date.now() - Date.parse(state.finished_at) >= IMPORT_KEEP_MS)
        this.tables.eraseAll();
      else if (state.finished_at)
        await this.ctx.storage.setAlarm(Date.parse(state.finished_at) + IMPORT_KEEP_MS);
      return;
    }
    if (this.stepping) return;
    this.stepping = true;
    try {
      await this.step(state);
    } finally {
      this.stepping = false;
    }
  }

  /** One step: the next rows from the cursor, then the cursor and counts in one transaction. */
  private async step(state: ImportStateRow): Promise<void> {
    const options = JSON.parse(state.options) as ImportOptions;
    const budget = options.askToConfirm ? STEP_ROWS_CONFIRMING : STEP_ROWS;
    const rows: ExportRow[] = [];
    let cursor = { page: state.next_page, index: state.next_index };
    while (rows.length < budget && cursor.page < state.pages) {
      const page = this.tables.page(cursor.page) ?? [];
      const taken = page.slice(cursor.index, cursor.index + budget - rows.length);
      rows.push(...taken);
      cursor =
        cursor.index + taken.length >= page.length
          ? { page: cursor.page + 1, index: 0 }
          : { page: cursor.page, index: cursor.index + taken.length };
    }
    const now = new Date();
    const deps = readerDeps(this.env, now);
    try {
      const result = await importRows(rows, state.id, options, {
        readers: deps.readers,
        sendConfirmation: (email, claimed) => sendConfirmation(deps, email, claimed),
        now,
      });
      const done = cursor.page >= state.pages;
      this.ctx.storage.transactionSync(() => {
        for (const refusal of result.refusals)
          this.tables.refuse(refusal.row, refusal.input, refusal.reason);
        this.tables.advance(cursor, rows.length, result.counts);
        this.tables.dropPagesBefore(cursor.page);
        if (done) this.tables.set({ state: "done", finished_at: now.toISOString() });
      });
      await this.ctx.storage.setAlarm(done ? now.getTime() + IMPORT_KEEP_MS : Date.now());
      if (done)
        console.log(
          JSON.stringify({ level: "info", event: "import.done", id: state.id, rows: state.rows }),
        );
    } catch (error) {
      // Nothing of this step is recorded: it runs again, and each ledger answers as before.
      const failures = this.tables.failed(error instanceof Error ? error.message : String(error));
      const wait = Math.min(RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10), RETRY_MAX_MS);
      await this.ctx.storage.setAlarm(Date.now() + wait);
      console.log(
        JSON.stringify({
          level: "warn",
          event: "import.step_failed",
          id: state.id,
          failures,
          error: String(error).slice(0, 300),
        }),
      );
    }
  }
}
