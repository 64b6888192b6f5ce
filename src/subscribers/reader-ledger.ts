// ReaderLedger owns one reader (id = idFromName(address)): their record, transient-bounce count,
// the webhook events already counted, the confirmation slot and, after erasure, why the address is
// suppressed. It guarantees that every change is one SQL transaction applied to the latest state
// (reader-rules.ts decides), so no change is lost to a race, and that a reader who stops being
// mailable is in the DepartureLog before the call answers. It does not guarantee that the KV mirror
// is current at once: the mirror is written after each change, and retried by an alarm if it fails.
//
// One object per reader: a reader causes a few calls a day (plus one per webhook event), so a
// million readers are a million small objects and none is a hot spot.
import { DurableObject } from "cloudflare:workers";
import { departureLog } from "./departure-log";
import { eraseKeysNaming } from "./erasure";
import { createReaderMirror } from "./reader-mirror";
import * as rules from "./reader-rules";
import { Subscriber } from "./subscriber-schema";

const SCHEMA = [
  // The reader's record (JSON, parsed with Subscriber on read) and their transient bounces in a row.
  `CREATE TABLE IF NOT EXISTS reader (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    record TEXT NOT NULL,
    transient_bounces INTEGER NOT NULL DEFAULT 0,
    last_transient_ms INTEGER
  )`,
  // Why the address may not be mailed after erasure; no address is kept.
  `CREATE TABLE IF NOT EXISTS suppression (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    reason TEXT NOT NULL,
    at TEXT NOT NULL
  )`,
  // Webhook event ids (svix-id) already counted, pruned after SEEN_EVENT_KEEP_MS.
  `CREATE TABLE IF NOT EXISTS seen_event (id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)`,
  // The confirmation slot claimed before the email is sent, with the record to restore if it fails.
  `CREATE TABLE IF NOT EXISTS confirmation_claim (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL,
    previous TEXT
  )`,
  // What the outside world has not yet been told: the record version the KV mirror holds, and a
  // departure not yet in the DepartureLog. Survives a failed call so a retry or the alarm finishes it.
  `CREATE TABLE IF NOT EXISTS publish (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    mirrored INTEGER NOT NULL,
    departure_at_ms INTEGER,
    erased INTEGER NOT NULL DEFAULT 0
  )`,
];

// Resend retries a failed webhook delivery for about 3 days; a week covers every retry.
const SEEN_EVENT_KEEP_MS = 7 * 24 * 60 * 60 * 1000;
const PUBLISH_RETRY_MS = 10_000;

type Row = { record: string; transient_bounces: number; last_transient_ms: number | null };
type Publish = {
  version: number;
  mirrored: number;
  departure_at_ms: number | null;
  erased: number;
};
export type ConfirmOutcome =
  { outcome: "gone" } | { outcome: "confirmed"; welcomeFor: string | null };

export class ReaderLedger extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly mirror: ReturnType<typeof createReaderMirror>;
  private adopted = false;
  // Publishing runs one at a time, so the last KV write always carries the latest record.
  private publishing: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
    this.sql.exec(`INSERT OR IGNORE INTO publish (id, version, mirrored) VALUES (1, 0, 0)`);
    this.mirror = createReaderMirror(env);
  }

  /** A new sign-up claims the 10-minute confirmation slot. The claim's stamp, or null: send nothing. */
  async signUp(input: rules.SignUpInput, nowIso: string): Promise<string | null> {
    await this.ready();
    const now = new Date(nowIso);
    const claimed = this.ctx.storage.transactionSync(() => {
      const previous = this.record();
      const next = rules.signUp(previous, this.suppression(), this.email(), input, now);
      if (!next) return null;
      this.sql.exec(
        `INSERT OR REPLACE INTO confirmation_claim (id, at, previous) VALUES (1, ?, ?)`,
        nowIso,
        previous ? JSON.stringify(previous) : null,
      );
      this.write(previous, next);
      return nowIso;
    });
    if (claimed) await this.publish();
    return claimed;
  }

  /** The confirmation email of claim `at` could not be sent: the reader may try again at once. */
  async releaseConfirmation(at: string): Promise<void> {
    const released = this.ctx.storage.transactionSync(() => {
      const claim = this.sql
        .exec<{ at: string; previous: string | null }>(
          `SELECT at, previous FROM confirmation_claim`,
        )
        .toArray()[0];
      const current = this.record();
      if (!claim || claim.at !== at) return false;
      this.sql.exec(`DELETE FROM confirmation_claim`);
      // Anything that happened since the claim (an unsubscribe, say) stands.
      if (current?.updatedAt !== at) return false;
      const previous = claim.previous ? Subscriber.parse(JSON.parse(claim.previous)) : null;
      this.write(current, previous);
      return true;
    });
    if (released) await this.publish();
  }

  async confirm(nowIso: string): Promise<ConfirmOutcome> {
    await this.ready();
    const outcome = this.ctx.storage.transactionSync((): ConfirmOutcome => {
      const previous = this.record();
      const next = rules.confirm(previous, new Date(nowIso));
      if (next) this.write(previous, next);
      const current = next ?? previous;
      if (current?.status !== "confirmed") return { outcome: "gone" };
      return {
        outcome: "confirmed",
        welcomeFor: current.welcomeSentAt ? null : current.consent.signedUpAt,
      };
    });
    await this.publish();
    return outcome;
  }

  async recordWelcomeSent(signedUpAt: string, nowIso: string): Promise<void> {
    await this.apply((previous) => rules.welcomeSent(previous, signedUpAt, new Date(nowIso)));
  }

  async unsubscribe(method: "page" | "one-click" | "api", nowIso: string): Promise<void> {
    await this.apply((previous) => rules.unsubscribe(previous, method, new Date(nowIso)));
  }

  /** The provider refused the address as invalid (called by the send with an ISO time). */
  async markInvalid(nowIso: string): Promise<void> {
    await this.apply((previous) => rules.markInvalid(previous, new Date(nowIso)));
  }

  async recordComplaint(eventId: string, nowIso: string): Promise<"counted" | "duplicate"> {
    return this.countEvent(eventId, nowIso, (previous) =>
      rules.stopMailing(previous, "complained", new Date(nowIso)),
    );
  }

  /** A hard bounce stops mail at once; MAX_TRANSIENT_BOUNCES transient ones in a row do too. */
  async recordBounce(
    eventId: string,
    permanent: boolean,
    nowIso: string,
  ): Promise<"counted" | "duplicate"> {
    const now = new Date(nowIso);
    return this.countEvent(eventId, nowIso, (previous, row) => {
      if (permanent) return rules.stopMailing(previous, "bounced", now);
      const count = rules.nextTransientCount(row.transient_bounces, row.last_transient_ms, now);
      const bounced = count >= rules.MAX_TRANSIENT_BOUNCES;
      this.sql.exec(
        `UPDATE reader SET transient_bounces = ?, last_transient_ms = ?`,
        bounced ? 0 : count,
        bounced ? null : now.getTime(),
      );
      return bounced ? rules.stopMailing(previous, "bounced", now) : null;
    });
  }

  /** A delivery clears the transient count: no KV operation, and no SQL write when it is 0. */
  async recordDelivered(): Promise<void> {
    this.sql.exec(
      `UPDATE reader SET transient_bounces = 0, last_transient_ms = NULL WHERE transient_bounces > 0`,
    );
  }

  /** The record, for pages and the editors' API (read only). */
  async read(): Promise<Subscriber | null> {
    await this.ready();
    return this.record();
  }

  /**
   * Erases the reader: every table but the suppression row (reason and time, no address) is emptied
   * in one transaction, then the KV mirror and every KV key naming them are deleted. False when
   * there was no record.
   */
  async erase(nowIso: string): Promise<boolean> {
    await this.ready();
    const now = new Date(nowIso);
    const record = this.ctx.storage.transactionSync(() => {
      const previous = this.record();
      if (!previous) return null;
      const kept = rules.suppressionAfterErasure(previous, this.suppression(), now);
      // DELETE rather than deleteAll(): the schema stays and the suppression row is written in the
      // same transaction, so no moment exists where the address is neither kept nor suppressed.
      for (const table of ["reader", "suppression", "seen_event", "confirmation_claim"])
        this.sql.exec(`DELETE FROM ${table}`);
      this.sql.exec(
        `INSERT INTO suppression (id, reason, at) VALUES (1, ?, ?)`,
        kept.reason,
        kept.at,
      );
      this.sql.exec(
        `UPDATE publish SET version = version + 1, departure_at_ms = ?, erased = 1`,
        now.getTime(),
      );
      return previous;
    });
    if (!record) return false;
    await this.publish();
    await eraseKeysNaming({ kv: this.env.SUBSCRIBERS, outbox: this.env.OUTBOX, now }, record);
    console.log(JSON.stringify({ level: "info", event: "reader.erased", status: record.status }));
    return true;
  }

  /** Retries a publish that failed, and prunes event ids too old to be retried. */
  override async alarm(): Promise<void> {
    this.sql.exec(`DELETE FROM seen_event WHERE at_ms < ?`, Date.now() - SEEN_EVENT_KEEP_MS);
    await this.publish();
    const oldest = this.sql.exec<{ at: number | null }>(`SELECT MIN(at_ms) AS at FROM seen_event`);
    const at = oldest.one().at;
    if (at !== null) await this.ctx.storage.setAlarm(at + SEEN_EVENT_KEEP_MS);
  }

  private email(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("ReaderLedger must be addressed by idFromName(address)");
    return name;
  }

  private record(): Subscriber | null {
    const row = this.sql.exec<Row>(`SELECT record FROM reader`).toArray()[0];
    return row ? Subscriber.parse(JSON.parse(row.record)) : null;
  }

  private suppression(): rules.Suppression | null {
    const row = this.sql.exec(`SELECT reason, at FROM suppression`).toArray()[0];
    return row ? rules.Suppression.parse(row) : null;
  }

  /** Stores `next` (or deletes the record) and notes what must be published. In a transaction. */
  private write(previous: Subscriber | null, next: Subscriber | null): void {
    if (next)
      this.sql.exec(
        `INSERT INTO reader (id, record) VALUES (1, ?)
         ON CONFLICT(id) DO UPDATE SET record = excluded.record`,
        JSON.stringify(next),
      );
    else this.sql.exec(`DELETE FROM reader`);
    const departure = rules.departs(previous, next) && next ? Date.parse(next.updatedAt) : null;
    this.sql.exec(
      `UPDATE publish SET version = version + 1, departure_at_ms = COALESCE(?, departure_at_ms)`,
      departure,
    );
  }

  /** One transition on the latest record, then published before the call answers. */
  private async apply(transition: (previous: Subscriber | null) => Subscriber | null) {
    await this.ready();
    const changed = this.ctx.storage.transactionSync(() => {
      const previous = this.record();
      const next = transition(previous);
      if (next) this.write(previous, next);
      return next !== null;
    });
    if (changed) await this.publish();
  }

  /** A webhook event, counted once per event id; unknown readers keep no trace of it. */
  private async countEvent(
    eventId: string,
    nowIso: string,
    transition: (previous: Subscriber, row: Row) => Subscriber | null,
  ): Promise<"counted" | "duplicate"> {
    await this.ready();
    const outcome = this.ctx.storage.transactionSync(() => {
      const row = this.sql.exec<Row>(`SELECT * FROM reader`).toArray()[0];
      if (!row) return "unknown";
      const seen = this.sql.exec(`SELECT 1 FROM seen_event WHERE id = ?`, eventId).toArray();
      if (seen.length > 0) return "duplicate";
      this.sql.exec(
        `INSERT INTO seen_event (id, at_ms) VALUES (?, ?)`,
        eventId,
        Date.parse(nowIso),
      );
      const previous = Subscriber.parse(JSON.parse(row.record));
      const next = transition(previous, row);
      if (next) this.write(previous, next);
      return "counted";
    });
    if (outcome === "duplicate") return outcome;
    if (outcome === "counted" && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.parse(nowIso) + SEEN_EVENT_KEEP_MS);
    await this.publish();
    return "counted";
  }

  /** On first touch, adopts what an older deploy kept in KV; then finishes any unpublished change. */
  private async ready(): Promise<void> {
    if (!this.adopted) {
      // No other call runs while KV is read, so two first calls cannot both adopt.
      await this.ctx.blockConcurrencyWhile(async () => {
        if (this.adopted) return;
        if (!this.record() && !this.suppression()) await this.adopt();
        this.adopted = true;
      });
    }
    await this.publish();
  }

  private async adopt(): Promise<void> {
    const legacy = await this.mirror.legacy(this.email());
    this.ctx.storage.transactionSync(() => {
      if (legacy.record) {
        this.sql.exec(
          `INSERT INTO reader (id, record, transient_bounces) VALUES (1, ?, ?)`,
          JSON.stringify(legacy.record),
          legacy.transientBounces,
        );
      }
      if (legacy.suppression)
        this.sql.exec(
          `INSERT INTO suppression (id, reason, at) VALUES (1, ?, ?)`,
          legacy.suppression.reason,
          legacy.suppression.at,
        );
    });
    if (legacy.transientBounces > 0) await this.mirror.forgetLegacyCount(this.email());
  }

  /** Mirrors the latest record to KV and records a pending departure; one publish at a time. */
  private publish(): Promise<void> {
    const run = this.publishing.then(() => this.publishOnce());
    this.publishing = run.catch(() => {});
    return run;
  }

  private async publishOnce(): Promise<void> {
    const state = this.sql.exec<Publish>(`SELECT * FROM publish`).one();
    if (state.version === state.mirrored && state.departure_at_ms === null) return;
    const email = this.email();
    try {
      if (state.version !== state.mirrored) await this.mirror.write(email, this.record());
      this.sql.exec(`UPDATE publish SET mirrored = ?`, state.version);
      if (state.departure_at_ms !== null) {
        await departureLog(this.env).recordDeparture(email, state.departure_at_ms, !!state.erased);
        if (!state.erased) await this.mirror.logDeparture(email, state.departure_at_ms);
        this.sql.exec(
          `UPDATE publish SET departure_at_ms = NULL, erased = 0 WHERE departure_at_ms = ?`,
          state.departure_at_ms,
        );
      }
    } catch (error) {
      await this.ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
      throw error;
    }
  }
}

/** The one writer for `email`'s state. */
export const readerLedger = (env: Pick<Env, "READERS">, email: string) =>
  env.READERS.get(env.READERS.idFromName(email));
export type ReaderLedgers = (email: string) => DurableObjectStub<ReaderLedger>;
