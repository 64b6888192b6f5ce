// ReaderLedger owns one reader (id = idFromName(address)): their record, transient-bounce count,
// the webhook events already counted, the confirmation slot and, after erasure, why the address is
// suppressed. It guarantees that every change is one SQL transaction applied to the latest state
// (reader-rules.ts decides), so no change is lost to a race, and that a reader who stops being
// mailable is in the DepartureLog, and the DueIndex follows the change, before the call answers. It
// does not guarantee that the KV mirror is current at once: the mirror is written after each change,
// or by the alarm within a second when KV's one write a second to the key says wait, and retried by
// an alarm if it fails.
//
// One object per reader: a reader causes a few calls a day (plus one per webhook event), so a
// million readers are a million small objects and none is a hot spot.
import { DurableObject } from "cloudflare:workers";
import { FIGURE_CHANGE_TABLE, noteReaderCount } from "../stats/reader-count";
import { eraseKeysNaming } from "./erasure";
import { alarmBy, createReaderSync, notePublish, PUBLISH_TABLE } from "./reader-sync";
import * as rules from "./reader-rules";
import { importReader, type ImportInput, type ImportOutcome } from "./import-rule";
import { createReaderTables, type ReaderRow } from "./reader-tables";
import { preferencesOf, type Preferences } from "./preferences";
import type { Subscriber } from "./subscriber-schema";

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
  // The confirmation slot claimed before the email is sent: the record it wrote, and the record to
  // restore if the send fails and nothing has changed since.
  `CREATE TABLE IF NOT EXISTS confirmation_claim (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL,
    claimed TEXT NOT NULL,
    previous TEXT
  )`,
  // What each list import did to this reader, so a repeated or resumed import counts them once.
  `CREATE TABLE IF NOT EXISTS import_seen (
    id TEXT PRIMARY KEY,
    row INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    claim TEXT
  )`,
  PUBLISH_TABLE,
  FIGURE_CHANGE_TABLE,
];

// Resend retries a failed webhook delivery for about 3 days; a week covers every retry.
const SEEN_EVENT_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** `preferences`: what the reader chose, so the welcome email can say what they get and when. */
export type ConfirmOutcome =
  | { outcome: "gone" }
  | { outcome: "confirmed"; welcomeFor: string | null; preferences: Preferences };

export class ReaderLedger extends DurableObject<Env> {
  private readonly tables: ReturnType<typeof createReaderTables>;
  private readonly sync: ReturnType<typeof createReaderSync>;
  private adopted = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
    this.tables = createReaderTables(ctx.storage.sql);
    const email = () => this.email();
    this.sync = createReaderSync({ ctx, env, email, record: this.tables.record });
  }

  /** A sign-up claims the 10-minute confirmation slot: the claim's stamp, or null to send nothing. */
  async signUp(input: rules.SignUpInput, nowIso: string): Promise<string | null> {
    await this.ready();
    const claimed = this.ctx.storage.transactionSync(() => {
      const previous = this.tables.record();
      const suppression = this.tables.suppression();
      const next = rules.signUp(previous, suppression, this.email(), input, new Date(nowIso));
      if (!next) return null;
      this.tables.claim(nowIso, next, previous);
      this.tables.write(previous, next);
      return nowIso;
    });
    if (claimed) await this.sync.publish();
    return claimed;
  }

  /**
   * One row of a list import (import-rule.ts decides). Asked again for the same import it answers
   * what it did the first time, with the row that did it; `confirmation` is the claimed slot while
   * the confirmation email it owes may still be unsent (its key makes a repeated send harmless).
   */
  async importReader(
    input: ImportInput,
    nowIso: string,
  ): Promise<{
    outcome: ImportOutcome;
    row: number;
    reason: string | null;
    confirmation: string | null;
  }> {
    await this.ready();
    const result = this.ctx.storage.transactionSync(() => {
      const previous = this.tables.record();
      const seen = this.tables.imported(input.importId);
      if (seen) {
        const owed = previous?.status === "pending" && previous.confirmationSentAt === seen.claim;
        return {
          ...seen,
          outcome: seen.outcome as ImportOutcome,
          confirmation: owed ? seen.claim : null,
        };
      }
      const decision = importReader(
        previous,
        this.tables.suppression(),
        this.email(),
        input,
        new Date(nowIso),
      );
      if (decision.next) this.tables.write(previous, decision.next);
      const claim = decision.confirm ? (decision.next?.confirmationSentAt ?? null) : null;
      const noted = {
        row: input.row,
        outcome: decision.outcome,
        reason: decision.reason ?? null,
        claim,
      };
      this.tables.noteImported(input.importId, noted);
      return { ...noted, confirmation: claim };
    });
    await this.sync.publish();
    return result;
  }

  /** The confirmation email of claim `at` could not be sent: the reader may try again at once. */
  async releaseConfirmation(at: string): Promise<void> {
    const released = this.ctx.storage.transactionSync(() => {
      const claim = this.tables.takeClaim(at);
      const current = this.tables.record();
      // Anything that happened since the claim (an unsubscribe, say, even in the same millisecond)
      // changed the record, and stands.
      if (!claim || this.tables.recordJson() !== claim.claimed) return false;
      this.tables.write(current, claim.previous);
      return true;
    });
    if (released) await this.sync.publish();
  }

  async confirm(nowIso: string): Promise<ConfirmOutcome> {
    await this.ready();
    const outcome = this.ctx.storage.transactionSync((): ConfirmOutcome => {
      const previous = this.tables.record();
      const next = rules.confirm(previous, new Date(nowIso));
      if (next) this.tables.write(previous, next);
      const current = next ?? previous;
      if (current?.status !== "confirmed") return { outcome: "gone" };
      const welcomeFor = current.welcomeSentAt ? null : current.consent.signedUpAt;
      return { outcome: "confirmed", welcomeFor, preferences: preferencesOf(current) };
    });
    await this.sync.publish();
    return outcome;
  }

  async recordWelcomeSent(signedUpAt: string, nowIso: string): Promise<void> {
    await this.apply((previous) => rules.welcomeSent(previous, signedUpAt, new Date(nowIso)));
  }

  async unsubscribe(method: "page" | "one-click" | "api", nowIso: string): Promise<void> {
    await this.apply((previous) => rules.unsubscribe(previous, method, new Date(nowIso)));
  }

  /**
   * The reader's choice of topics, cadence and delivery time (already checked against TOPICS); the
   * record after the change, or null when there is no record. The due index follows on publish.
   */
  async setPreferences(preferences: Preferences, nowIso: string): Promise<Subscriber | null> {
    await this.apply((previous) => rules.setPreferences(previous, preferences, new Date(nowIso)));
    return this.tables.record();
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
      this.tables.setTransient(bounced ? 0 : count, bounced ? null : now.getTime());
      return bounced ? rules.stopMailing(previous, "bounced", now) : null;
    });
  }

  /** The provider's suppression list holds the address (reason `previous_bounce`, ...). */
  async recordSuppressed(
    eventId: string,
    reason: string,
    nowIso: string,
  ): Promise<"counted" | "duplicate"> {
    return this.countEvent(eventId, nowIso, (previous) =>
      rules.suppressedByProvider(previous, reason, new Date(nowIso)),
    );
  }

  /** An accepted email that the provider could not send (`email.failed`), kept in the history. */
  async recordFailed(
    eventId: string,
    reason: string,
    nowIso: string,
  ): Promise<"counted" | "duplicate"> {
    return this.countEvent(eventId, nowIso, (previous) =>
      rules.noteFailed(previous, reason, new Date(nowIso)),
    );
  }

  /** A delivery clears the transient count: no KV operation, and no SQL write when it is 0. */
  async recordDelivered(): Promise<void> {
    this.tables.clearTransient();
  }

  /** The record, for pages and the editors' API (read only). */
  async read(): Promise<Subscriber | null> {
    await this.ready();
    return this.tables.record();
  }

  /**
   * Why this address must get no mail at all (a test send asks): bounced, complained or invalid, now
   * or before an erasure. Null when it may be mailed. Read only.
   */
  async suppressedReason(): Promise<string | null> {
    await this.ready();
    const status = this.tables.record()?.status;
    if (status === "bounced" || status === "complained" || status === "invalid") return status;
    const suppression = this.tables.suppression();
    return suppression && suppression.reason !== "erased" ? suppression.reason : null;
  }

  /**
   * Erases the reader: every table but the suppression row (reason and time, no address) is emptied
   * in one transaction, then the KV mirror and every KV key naming them are deleted, and the
   * departure recorded. False when there was no record.
   */
  async erase(nowIso: string): Promise<boolean> {
    await this.ready();
    const now = new Date(nowIso);
    const record = this.ctx.storage.transactionSync(() => {
      const previous = this.tables.record();
      if (!previous) return null;
      // DELETE rather than deleteAll(): the suppression row is written in the same transaction, so
      // there is no moment when the address is neither kept nor suppressed.
      this.tables.eraseAllBut(
        rules.suppressionAfterErasure(previous, this.tables.suppression(), now),
      );
      noteReaderCount(this.ctx.storage.sql, previous, null, now.getTime());
      notePublish(this.ctx.storage.sql, now.getTime(), true);
      return previous;
    });
    if (!record) return false;
    // An erasure answers with the mirror deleted: it waits out KV's second if it must.
    await this.sync.publish({ wait: true });
    await eraseKeysNaming({ kv: this.env.SUBSCRIBERS, outbox: this.env.OUTBOX, now }, record);
    console.log(JSON.stringify({ level: "info", event: "reader.erased", status: record.status }));
    return true;
  }

  /**
   * Writes a mirror left for KV's second to pass, retries a publish that failed, and prunes event
   * ids too old to be retried.
   */
  override async alarm(): Promise<void> {
    const oldest = this.tables.pruneSeen(Date.now() - SEEN_EVENT_KEEP_MS);
    await this.sync.publish();
    if (oldest !== null) await alarmBy(this.ctx.storage, oldest + SEEN_EVENT_KEEP_MS);
  }

  private email(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("ReaderLedger must be addressed by idFromName(address)");
    return name;
  }

  /** One transition on the latest record, then published before the call answers. */
  private async apply(transition: (previous: Subscriber | null) => Subscriber | null) {
    await this.ready();
    const changed = this.ctx.storage.transactionSync(() => {
      const previous = this.tables.record();
      const next = transition(previous);
      if (next) this.tables.write(previous, next);
      return next !== null;
    });
    if (changed) await this.sync.publish();
  }

  /** A webhook event, counted once per event id; a reader with no record keeps no trace of it. */
  private async countEvent(
    eventId: string,
    nowIso: string,
    transition: (previous: Subscriber, row: ReaderRow) => Subscriber | null,
  ): Promise<"counted" | "duplicate"> {
    await this.ready();
    const outcome = this.ctx.storage.transactionSync(() => {
      const row = this.tables.row();
      if (!row) return "unknown";
      if (!this.tables.see(eventId, Date.parse(nowIso))) return "duplicate";
      const previous = this.tables.record();
      const next = previous && transition(previous, row);
      if (next) this.tables.write(previous, next);
      return "counted";
    });
    if (outcome === "duplicate") return outcome;
    if (outcome === "counted" && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.parse(nowIso) + SEEN_EVENT_KEEP_MS);
    await this.sync.publish();
    return "counted";
  }

  /** On first touch, adopts what an older deploy kept in KV; then finishes any unpublished change. */
  private async ready(): Promise<void> {
    if (!this.adopted) {
      // No other call runs while KV is read, so two first calls cannot both adopt.
      await this.ctx.blockConcurrencyWhile(async () => {
        if (this.adopted) return;
        if (!this.tables.record() && !this.tables.suppression()) await this.sync.adopt();
        this.adopted = true;
      });
    }
    await this.sync.publish();
  }
}

/** The one writer for `email`'s state. */
export const readerLedger = (env: Pick<Env, "READERS">, email: string) =>
  env.READERS.get(env.READERS.idFromName(email));
export type ReaderLedgers = (email: string) => DurableObjectStub<ReaderLedger>;
