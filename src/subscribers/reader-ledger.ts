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
//
// The RPC methods are the reader's consent changes (ledger-consent.ts), list imports
// (ledger-import.ts), provider events (ledger-events.ts) and erasure (erasure.ts); they share the
// tables (reader-tables.ts) and the publish step (reader-sync.ts) through a LedgerContext.
import { DurableObject } from "cloudflare:workers";
import { FIGURE_CHANGE_TABLE } from "../stats/reader-count";
import { eraseReader } from "./erasure";
import type { ImportInput } from "./import-rule";
import { createConsentChanges } from "./ledger-consent";
import type { LedgerContext } from "./ledger-context";
import { createProviderEvents, SEEN_EVENT_KEEP_MS } from "./ledger-events";
import { importRow } from "./ledger-import";
import type { Preferences } from "./preferences";
import { alarmBy, createReaderSync, PUBLISH_TABLE } from "./reader-sync";
import type { SignUpInput } from "./reader-rules";
import { createReaderTables } from "./reader-tables";

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

export class ReaderLedger extends DurableObject<Env> {
  private readonly ledger: LedgerContext;
  private readonly consent: ReturnType<typeof createConsentChanges>;
  private readonly events: ReturnType<typeof createProviderEvents>;
  private adopted = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
    const tables = createReaderTables(ctx.storage.sql);
    const email = () => this.email();
    const sync = createReaderSync({ ctx, env, email, record: tables.record });
    this.ledger = { ctx, env, tables, sync, email, ready: () => this.ready() };
    this.consent = createConsentChanges(this.ledger);
    this.events = createProviderEvents(this.ledger);
  }

  // The reader's way in and out, and their choices (ledger-consent.ts).

  /** A sign-up claims the 10-minute confirmation slot: the claim's stamp, or null to send nothing. */
  signUp(input: SignUpInput, nowIso: string) {
    return this.consent.signUp(input, nowIso);
  }

  /** The confirmation email of claim `at` could not be sent: the reader may try again at once. */
  releaseConfirmation(at: string) {
    return this.consent.releaseConfirmation(at);
  }

  confirm(nowIso: string) {
    return this.consent.confirm(nowIso);
  }

  recordWelcomeSent(signedUpAt: string, nowIso: string) {
    return this.consent.recordWelcomeSent(signedUpAt, nowIso);
  }

  unsubscribe(method: "page" | "one-click" | "api", nowIso: string) {
    return this.consent.unsubscribe(method, nowIso);
  }

  /** The reader's choices (checked against TOPICS): the record after the change, or null. */
  setPreferences(preferences: Preferences, nowIso: string) {
    return this.consent.setPreferences(preferences, nowIso);
  }

  /** One row of a list import (ledger-import.ts): asked again, answers what it did the first time. */
  importReader(input: ImportInput, nowIso: string) {
    return importRow(this.ledger, input, nowIso);
  }

  // What the provider says about the address (ledger-events.ts); webhook events count once each.

  /** The provider refused the address as invalid (called by the send with an ISO time). */
  markInvalid(nowIso: string) {
    return this.events.markInvalid(nowIso);
  }

  recordComplaint(eventId: string, nowIso: string) {
    return this.events.recordComplaint(eventId, nowIso);
  }

  /** A hard bounce stops mail at once; three transient ones in a row do too. */
  recordBounce(eventId: string, permanent: boolean, nowIso: string) {
    return this.events.recordBounce(eventId, permanent, nowIso);
  }

  /** The provider's suppression list holds the address (reason `previous_bounce`, ...). */
  recordSuppressed(eventId: string, reason: string, nowIso: string) {
    return this.events.recordSuppressed(eventId, reason, nowIso);
  }

  /** An accepted email that the provider could not send (`email.failed`), kept in the history. */
  recordFailed(eventId: string, reason: string, nowIso: string) {
    return this.events.recordFailed(eventId, reason, nowIso);
  }

  /** A delivery clears the transient count: no KV operation, and no SQL write when it is 0. */
  recordDelivered(): void {
    this.events.recordDelivered();
  }

  /** The record, for pages and the editors' API (read only). */
  async read() {
    await this.ready();
    return this.ledger.tables.record();
  }

  /**
   * Why this address must get no mail at all (a test send asks): bounced, complained or invalid, now
   * or before an erasure. Null when it may be mailed. Read only.
   */
  async suppressedReason(): Promise<string | null> {
    await this.ready();
    const status = this.ledger.tables.record()?.status;
    if (status === "bounced" || status === "complained" || status === "invalid") return status;
    const suppression = this.ledger.tables.suppression();
    return suppression && suppression.reason !== "erased" ? suppression.reason : null;
  }

  /** Erases the reader but for why the address stays suppressed (erasure.ts); false: no record. */
  erase(nowIso: string) {
    return eraseReader(this.ledger, nowIso);
  }

  /**
   * Writes a mirror left for KV's second to pass, retries a publish that failed, and prunes event
   * ids too old to be retried.
   */
  override async alarm(): Promise<void> {
    const oldest = this.ledger.tables.pruneSeen(Date.now() - SEEN_EVENT_KEEP_MS);
    await this.ledger.sync.publish();
    if (oldest !== null) await alarmBy(this.ctx.storage, oldest + SEEN_EVENT_KEEP_MS);
  }

  private email(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("ReaderLedger must be addressed by idFromName(address)");
    return name;
  }

  /** On first touch, adopts what an older deploy kept in KV; then finishes any unpublished change. */
  private async ready(): Promise<void> {
    const { tables, sync } = this.ledger;
    if (!this.adopted) {
      // No other call runs while KV is read, so two first calls cannot both adopt.
      await this.ctx.blockConcurrencyWhile(async () => {
        if (this.adopted) return;
        if (!tables.record() && !tables.suppression()) await sync.adopt();
        this.adopted = true;
      });
    }
    await sync.publish();
  }
}

/** The one writer for `email`'s state. */
export const readerLedger = (env: Pick<Env, "READERS">, email: string) =>
  env.READERS.get(env.READERS.idFromName(email));
export type ReaderLedgers = (email: string) => DurableObjectStub<ReaderLedger>;
