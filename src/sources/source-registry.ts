// SourceRegistry: the one writer for feed sources (one object, id "all"): the list of sources, each
// one's fetch state (validators, status, backoff) and the fetch lease, and which item URLs each
// source has already turned into articles.
//
// Guarantees: one source per canonical URL; a source is fetched by one caller at a time (a cron step
// and a "fetch now" that race: the second is told it is busy); an item is upserted once per source
// (until it is 8 days old), so a re-fetch writes nothing. Does not guarantee: that an article KV
// readers see is current (KV shows writes elsewhere up to 60 s late).
// One object for every source: sources number in the hundreds or thousands and are touched every
// few minutes, far below what one object serves; fetches run in its alarm steps, each its own
// invocation with its own limits.
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { canonicalUrl, sourceOf } from "../articles/canonical-url";
import { readConfig } from "../env";
import { MAX_OPML_SOURCES } from "./opml-sources";
import { runSourceFetch } from "./run-source-fetch";
import {
  DEFAULT_EVERY_MINUTES,
  type FetchReport,
  type Source,
  SourceInput,
  SourcePatch,
} from "./source-schema";
import { firstSeenAt, migrateSourceTables, sourceOfRow, type SourceRow } from "./source-tables";

const MINUTE_MS = 60_000;
const MAX_BACKOFF_MS = 24 * 60 * MINUTE_MS;
// Longer than a fetch (10 s) plus its upserts: a lease outliving a crashed step expires by itself.
const LEASE_MS = 2 * MINUTE_MS;
/** Sources one alarm step fetches. Each costs at most 4 fetches and 100 upserts (subrequests). */
export const FEED_SOURCES_PER_STEP = 5;
// Seen item URLs are kept a little longer than the 7 days after which an item is skipped anyway.
const SEEN_KEEP_MS = 8 * 24 * 60 * MINUTE_MS;
// An undated item's first sight is kept far longer: an item still in the feed when its `seen` row is
// pruned then reads as more than 7 days old and is skipped, instead of being dated afresh.
const FIRST_SEEN_KEEP_MS = 30 * 24 * 60 * MINUTE_MS;
const Instant = z.number().int().nonnegative();

const newSourceId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

/** The wait before the next try after `failures` failures in a row: doubling, at most 24 hours. */
export const backoffMs = (everyMinutes: number, failures: number) =>
  Math.min(everyMinutes * MINUTE_MS * 2 ** Math.min(failures, 20), MAX_BACKOFF_MS);

export class SourceRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateSourceTables(ctx.storage.sql);
  }

  /** Adds a source; the same canonical URL again answers the existing one (`created: false`). */
  add(input: SourceInput, nowMs: number): { source: Source; created: boolean } {
    const fields = SourceInput.parse(input);
    const now = Instant.parse(nowMs);
    const url = canonicalUrl(fields.url);
    const existing = this.rowByUrl(url);
    if (existing) return { source: sourceOfRow(existing), created: false };
    const id = newSourceId();
    this.ctx.storage.sql.exec(
      `INSERT INTO sources (id, url, name, topics, every_minutes, created_at, next_fetch_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      id,
      url,
      fields.name ?? sourceOf(url),
      JSON.stringify(fields.topics ?? []),
      fields.everyMinutes ?? DEFAULT_EVERY_MINUTES,
      new Date(now).toISOString(),
      now,
    );
    return { source: sourceOfRow(this.row(id) as SourceRow), created: true };
  }

  /** Adds each input in order; URLs already known (or twice in the list) count as existing. */
  importMany(inputs: SourceInput[], nowMs: number): { created: Source[]; existing: Source[] } {
    const result = { created: [] as Source[], existing: [] as Source[] };
    for (const input of z.array(SourceInput).max(MAX_OPML_SOURCES).parse(inputs)) {
      const { source, created } = this.add(input, nowMs);
      (created ? result.created : result.existing).push(source);
    }
    return result;
  }

  list(): Source[] {
    return this.ctx.storage.sql
      .exec<SourceRow>("SELECT * FROM sources ORDER BY created_at, id")
      .toArray()
      .map(sourceOfRow);
  }

  get(id: string): Source | null {
    const row = this.row(id);
    return row ? sourceOfRow(row) : null;
  }

  patch(id: string, patch: SourcePatch): Source | null {
    const fields = SourcePatch.parse(patch);
    const row = this.row(id);
    if (!row) return null;
    this.ctx.storage.sql.exec(
      "UPDATE sources SET name = ?, topics = ?, every_minutes = ? WHERE id = ?",
      fields.name ?? row.name,
      fields.topics ? JSON.stringify(fields.topics) : row.topics,
      fields.everyMinutes ?? row.every_minutes,
      id,
    );
    return this.get(id);
  }

  /** Deletes the source; the articles it brought in stay. */
  remove(id: string): boolean {
    const removed =
      this.ctx.storage.sql.exec("DELETE FROM sources WHERE id = ?", id).rowsWritten > 0;
    this.ctx.storage.sql.exec("DELETE FROM seen WHERE source_id = ?", id);
    this.ctx.storage.sql.exec("DELETE FROM first_seen WHERE source_id = ?", id);
    return removed;
  }

  /** Fetches one source now, unless a cron step is fetching it (`busy`). Null for an unknown id. */
  async fetchNow(id: string, nowMs: number): Promise<FetchReport | null> {
    const now = Instant.parse(nowMs);
    if (!this.row(id)) return null;
    if (!this.lease(id, now)) {
      return {
        status: "busy",
        httpStatus: null,
        error: "This source is being fetched.",
        warning: null,
        items: 0,
        created: 0,
        skipped: 0,
      };
    }
    return this.fetchLeased(id, now);
  }

  /** Called by the cron: starts a fetch step when a source is due and no step is under way. */
  async nudge(nowMs: number): Promise<number> {
    const now = Instant.parse(nowMs);
    const due = this.dueIds(now, 1000).length;
    if (due > 0 && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now);
    return due;
  }

  /** One step: fetch up to FEED_SOURCES_PER_STEP due sources, one after another; then the next step. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const id of this.dueIds(now, FEED_SOURCES_PER_STEP)) {
      if (this.lease(id, now)) await this.fetchLeased(id, Date.now());
    }
    for (const [table, keepMs] of [
      ["seen", SEEN_KEEP_MS],
      ["first_seen", FIRST_SEEN_KEEP_MS],
    ] as const) {
      this.ctx.storage.sql.exec(`DELETE FROM ${table} WHERE seen_at < ?`, Date.now() - keepMs);
    }
    if (this.dueIds(Date.now(), 1).length > 0) await this.ctx.storage.setAlarm(Date.now() + 1000);
  }

  private async fetchLeased(id: string, now: number): Promise<FetchReport> {
    const row = this.row(id);
    if (!row) throw new Error(`source ${id} vanished`);
    const config = readConfig(this.env);
    let report: FetchReport;
    let validators = { etag: row.etag, lastModified: row.last_modified };
    try {
      const result = await runSourceFetch(this.env, sourceOfRow(row), {
        etag: row.etag,
        lastModified: row.last_modified,
        allowPrivate: config.ALLOW_PRIVATE_FEEDS,
        userAgent: `Tidings/1.0 (+${config.SITE_URL})`,
        seen: (url) =>
          this.ctx.storage.sql
            .exec("SELECT 1 FROM seen WHERE source_id = ? AND url = ?", id, url)
            .toArray().length > 0,
        markSeen: (url) =>
          void this.ctx.storage.sql.exec(
            "INSERT OR REPLACE INTO seen (source_id, url, seen_at) VALUES (?, ?, ?)",
            id,
            url,
            Date.now(),
          ),
        firstSeen: (url) => firstSeenAt(this.ctx.storage.sql, id, url, now),
        now: new Date(now),
      });
      report = result.report;
      if (result.validators) validators = result.validators;
    } catch (error) {
      // One bad source never stops the others: anything unexpected is this source's failure.
      report = {
        status: "failed",
        httpStatus: null,
        error: error instanceof Error ? error.message : String(error),
        warning: null,
        items: 0,
        created: 0,
        skipped: 0,
      };
    }
    const current = this.row(id);
    if (!current) return report;
    const failed = report.status === "failed";
    const failures = failed ? current.failures + 1 : 0;
    const wait = failed
      ? backoffMs(current.every_minutes, failures - 1)
      : current.every_minutes * MINUTE_MS;
    this.ctx.storage.sql.exec(
      `UPDATE sources SET etag = ?, last_modified = ?, last_fetch_at = ?, last_status = ?, last_error = ?,
         last_warning = ?, items_last_fetch = ?, failures = ?, next_fetch_at = ?, leased_until = NULL
       WHERE id = ?`,
      validators.etag,
      validators.lastModified,
      new Date(now).toISOString(),
      report.httpStatus,
      report.error ? report.error.slice(0, 500) : null,
      report.status === "not_modified"
        ? current.last_warning
        : (report.warning?.slice(0, 500) ?? null),
      report.status === "not_modified" ? (current.items_last_fetch ?? 0) : report.items,
      failures,
      Date.now() + wait,
      id,
    );
    return report;
  }

  private lease(id: string, now: number): boolean {
    return (
      this.ctx.storage.sql.exec(
        "UPDATE sources SET leased_until = ? WHERE id = ? AND (leased_until IS NULL OR leased_until < ?)",
        now + LEASE_MS,
        id,
        now,
      ).rowsWritten > 0
    );
  }

  private dueIds(now: number, limit: number): string[] {
    return this.ctx.storage.sql
      .exec<{ id: string }>(
        `SELECT id FROM sources WHERE next_fetch_at <= ? AND (leased_until IS NULL OR leased_until < ?)
         ORDER BY next_fetch_at LIMIT ?`,
        now,
        now,
        limit,
      )
      .toArray()
      .map((row) => row.id);
  }

  private row(id: string): SourceRow | null {
    return (
      this.ctx.storage.sql.exec<SourceRow>("SELECT * FROM sources WHERE id = ?", id).toArray()[0] ??
      null
    );
  }

  private rowByUrl(url: string): SourceRow | null {
    return (
      this.ctx.storage.sql
        .exec<SourceRow>("SELECT * FROM sources WHERE url = ?", url)
        .toArray()[0] ?? null
    );
  }
}
