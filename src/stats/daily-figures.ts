// DailyFigures owns the newsletter's figures by day (one object, id "newsletter"): joins and leaves
// per UTC day, the count of readers confirmed when counting began, each send's totals as its owner
// reports them, and which weekly reports went out. It guarantees each reader change is counted once
// (by its id, however often a ledger retries), and that a send's figures never go back to an older
// report. It does not walk the readers to draw a chart: what the charts need is counted as it happens.
// Under personal delivery it also answers the complaint brake with the sums of a period's run slots.
//
// One object, not a hot spot at a million readers: a ReaderLedger calls it only when a reader joins
// or leaves (the DueIndex already takes one call per reader change, any change), a send's owner
// once per settled chunk of 100 readers, so at most the provider's call rate (RESEND_RATE_PER_SECOND,
// itself booked through the one ProviderLimiter), and once per bounce or complaint. Each call is one
// small SQL transaction; a bulk import can hand it many changes in one call (recordReaderChanges).
import { DurableObject } from "cloudflare:workers";
import { SendStatus } from "../digest/edition-status";
import { createSubscriberStore } from "../subscribers/subscriber-store";
import {
  createFigureTables,
  dayOf,
  FIGURE_SCHEMA,
  lastDays,
  type ReaderChange,
  type ReaderDay,
} from "./figure-tables";
import type { SlotFigures } from "../digest/complaint-brake";
import type { EditionDay } from "./send-tables";

export const DAILY_FIGURES_NAME = "newsletter";

// A ledger retries a flush every 10 s until it lands: a week of change ids covers every retry.
const SEEN_CHANGE_KEEP_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
// The baseline walk lists this many pages of 1,000 readers a step: 20 KV operations.
const BASELINE_PAGES_PER_STEP = 20;

export type ReaderFigures = {
  /** When counting began, and the readers confirmed then (null while the walk is under way). */
  baseline: { since: string; readers: number | null; walked: number; done: boolean };
  days: ReaderDay[];
};

export class DailyFigures extends DurableObject<Env> {
  private readonly tables: ReturnType<typeof createFigureTables>;
  private prunedAtMs = 0;
  // One walk step at a time: the alarm and a first call may both want one.
  private walking: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of FIGURE_SCHEMA) ctx.storage.sql.exec(statement);
    this.tables = createFigureTables(ctx.storage.sql);
  }

  /** Joins (+1) and leaves (-1) as ReaderLedgers flush them; each id is counted once. */
  async recordReaderChanges(changes: ReaderChange[]): Promise<void> {
    const started = this.tables.startBaseline(Date.now());
    this.ctx.storage.transactionSync(() => this.tables.applyChanges(changes));
    if (Date.now() - this.prunedAtMs > PRUNE_EVERY_MS) {
      this.tables.pruneSeen(Date.now() - SEEN_CHANGE_KEEP_MS);
      this.prunedAtMs = Date.now();
    }
    if (started) await this.beginWalk();
  }

  /** A send's totals as its owner (EditionSend) has them now; `version` orders its reports. */
  async recordSend(status: SendStatus, version: number): Promise<void> {
    await this.ready();
    this.tables.recordSend(SendStatus.parse(status), version);
  }

  /** Confirmed readers, joins and leaves for the `count` days ending with the day of `toMs`. */
  async readerFigures(toMs: number, count: number): Promise<ReaderFigures> {
    await this.ready();
    const base = this.tables.baseline()!;
    return {
      baseline: {
        since: new Date(base.started_ms).toISOString(),
        readers: base.done ? base.walked - base.changes_before : null,
        walked: base.walked,
        done: base.done === 1,
      },
      days: this.tables.readerDays(lastDays(toMs, count)),
    };
  }

  /** Every send of each of the `count` days ending with the day of `toMs`, summed by day. */
  async editionDays(toMs: number, count: number): Promise<EditionDay[]> {
    await this.ready();
    return this.tables.editionDays(lastDays(toMs, count));
  }

  async recentSends(limit: number): Promise<SendStatus[]> {
    await this.ready();
    return this.tables.recentSends(limit);
  }

  /**
   * What the complaint brake weighs under personal delivery: the run slots from `fromId` up to, not
   * including, `toId`, summed as their owners last reported them. Read only: it starts no counting.
   */
  slotFigures(fromId: string, toId: string): SlotFigures {
    return this.tables.slotSums(fromId, toId);
  }

  /** The send of days `fromDay` to `toDay` (UTC dates) that sent the most. */
  async largestSend(fromDay: string, toDay: string): Promise<SendStatus | null> {
    await this.ready();
    return this.tables.largestSend(fromDay, toDay);
  }

  /** Whether the report of `week` is due, and the editors (keyed hashes) it already went to. */
  reportState(week: string): { due: boolean; sentTo: string[] } {
    return this.tables.reportState(week);
  }

  /** Makes the report of `week` due: later runs that day finish it. */
  startReport(week: string): void {
    this.tables.startReport(week, Date.now());
  }

  markReportSent(week: string, recipient: string): void {
    this.tables.markReportSent(week, recipient, Date.now());
  }

  /** The baseline walk's next step. */
  override async alarm(): Promise<void> {
    await this.walkStep();
  }

  /** Counting begins with the first call of any kind. */
  private async ready(): Promise<void> {
    if (this.tables.startBaseline(Date.now())) await this.beginWalk();
  }

  /**
   * The walk waits FIGURES_BASELINE_DELAY_SECONDS (60: how long a KV write may take to show in a
   * list), so the readers whose changes came before it are in the list it walks. Local KV shows
   * writes at once: tests and `npm run dev` set 0, and the first step runs in this call.
   */
  private async beginWalk(): Promise<void> {
    const delay = Number(this.env.FIGURES_BASELINE_DELAY_SECONDS || 60);
    if (delay > 0) await this.ctx.storage.setAlarm(Date.now() + delay * 1000);
    else await this.walkOnce();
  }

  /** A step now; if it fails or more pages remain, the alarm takes the rest. */
  private async walkOnce(): Promise<void> {
    try {
      await this.walkStep();
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          event: "figures.baseline_failed",
          message: error instanceof Error ? error.message : String(error),
        }),
      );
      await this.ctx.storage.setAlarm(Date.now() + 10_000);
    }
  }

  /**
   * Readers confirmed when counting began: every confirmed key in the KV list (status in its
   * metadata). A change made before counting began is in the list already: it is taken off again
   * (`changes_before`), so it is counted once.
   */
  private async walkStep(): Promise<void> {
    if (!this.walking)
      this.walking = this.walkPages().finally(() => {
        this.walking = null;
      });
    return this.walking;
  }

  private async walkPages(): Promise<void> {
    const base = this.tables.baseline();
    if (!base || base.done) return;
    const store = createSubscriberStore(this.env.SUBSCRIBERS);
    let cursor = base.cursor;
    let confirmed = 0;
    for (let pages = 0; pages < BASELINE_PAGES_PER_STEP; pages++) {
      const page = await store.listPage(cursor);
      confirmed += page.readers.filter((reader) => reader.status === "confirmed").length;
      cursor = page.cursor;
      if (cursor === null) break;
    }
    this.tables.recordWalk(cursor, confirmed);
    if (cursor !== null) await this.ctx.storage.setAlarm(Date.now());
    else
      console.log(
        JSON.stringify({ level: "info", event: "figures.baseline_done", day: dayOf(Date.now()) }),
      );
  }
}

/** The one object that keeps the newsletter's figures. */
export const dailyFigures = (env: Pick<Env, "FIGURES">) =>
  env.FIGURES.get(env.FIGURES.idFromName(DAILY_FIGURES_NAME));
