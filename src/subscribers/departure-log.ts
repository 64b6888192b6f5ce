// DepartureLog owns one thing: who stopped being mailable in the last few days (unsubscribed,
// bounced, complained, invalid, erased), so a send in flight skips them before a chunk's first
// provider call. It guarantees that a departure recorded before a chunk is claimed is seen by that
// claim (one object, strongly consistent). It keeps no address: only a keyed hash and the time.
// It also knows which editions are in flight, so an erasure reaches their chunks not yet sent.
//
// One object for the whole list (id "departures"): it takes one call per departure and one per
// chunk claimed, about 100 a second at a million readers, well under what one object handles.
import { DurableObject } from "cloudflare:workers";
import { hashAddress } from "./reader-token";

// A send runs for hours at most; a departure older than this can no longer matter to one.
export const DEPARTURE_KEEP_MS = 3 * 24 * 60 * 60 * 1000;
export const DEPARTURE_LOG_NAME = "departures";

export class DepartureLog extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS departure (
      hash TEXT PRIMARY KEY,
      at_ms INTEGER NOT NULL
    )`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS departure_by_time ON departure (at_ms)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS edition (
      id TEXT PRIMARY KEY,
      since_ms INTEGER NOT NULL
    )`);
  }

  private hash(email: string): Promise<string> {
    return hashAddress(this.env.SIGNING_SECRET ?? "tidings", email);
  }

  /**
   * Records that `email` may not be mailed from `atMs` on. An erasure also removes the address from
   * every edition in flight, so nothing that names the reader outlives the send.
   */
  async recordDeparture(email: string, atMs: number, erased: boolean): Promise<void> {
    const hash = await this.hash(email);
    this.sql.exec(
      `INSERT INTO departure (hash, at_ms) VALUES (?, ?)
       ON CONFLICT(hash) DO UPDATE SET at_ms = MAX(at_ms, excluded.at_ms)`,
      hash,
      atMs,
    );
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + DEPARTURE_KEEP_MS);
    if (!erased) return;
    const editions = this.sql.exec<{ id: string }>(`SELECT id FROM edition`).toArray();
    for (const { id } of editions) {
      await this.env.EDITION_SENDS.get(this.env.EDITION_SENDS.idFromName(id)).forget(email);
    }
  }

  /** The addresses among `emails` that departed at or after `sinceMs`. */
  async departedAmong(emails: string[], sinceMs: number): Promise<string[]> {
    if (emails.length === 0) return [];
    const anyRecent =
      this.sql.exec(`SELECT 1 AS one FROM departure WHERE at_ms >= ? LIMIT 1`, sinceMs).toArray()
        .length > 0;
    if (!anyRecent) return [];
    // A chunk's hashes looked up by key (one JSON parameter: SQLite binds at most 100), not every
    // departure of the last days read for every chunk.
    const hashes = await Promise.all(emails.map((email) => this.hash(email)));
    const found = new Set(
      this.sql
        .exec<{ hash: string }>(
          `SELECT hash FROM departure WHERE hash IN (SELECT value FROM json_each(?)) AND at_ms >= ?`,
          JSON.stringify(hashes),
          sinceMs,
        )
        .toArray()
        .map((row) => row.hash),
    );
    return emails.filter((_, i) => found.has(hashes[i]!));
  }

  /** An edition whose send holds addresses; erasures reach it until it unregisters. */
  registerEdition(id: string, sinceMs: number): void {
    this.sql.exec(`INSERT OR IGNORE INTO edition (id, since_ms) VALUES (?, ?)`, id, sinceMs);
  }

  unregisterEdition(id: string): void {
    this.sql.exec(`DELETE FROM edition WHERE id = ?`, id);
  }

  /** Forgets departures too old to matter to any send. */
  override async alarm(): Promise<void> {
    this.sql.exec(`DELETE FROM departure WHERE at_ms < ?`, Date.now() - DEPARTURE_KEEP_MS);
    const left = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM departure`).one().n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + DEPARTURE_KEEP_MS / 3);
  }
}

/** The one DepartureLog object. */
export const departureLog = (env: Pick<Env, "DEPARTURES">) =>
  env.DEPARTURES.get(env.DEPARTURES.idFromName(DEPARTURE_LOG_NAME));
