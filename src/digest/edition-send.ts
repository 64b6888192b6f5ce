// EditionSend owns one edition's send (id = idFromName(digest id)): the digest as frozen, the walk
// over the readers, each chunk's recipient set and outcome, the readers the provider refused alone,
// the pause while the provider's quota is spent, and the edition's provider events. It guarantees
// one fan-out however often and from wherever it is started; a chunk's set and idempotency key
// recorded before its first provider call (chunk-claim.ts) and changed only after answers that prove
// no call with its key was delivered; every chunk ending sent or failed (failed chunks and refused readers can be redriven);
// no claim answered `send` while the send is paused. It does not guarantee that a reader who leaves
// after their chunk was claimed is skipped.
//
// One object per edition: about three calls per chunk of 100 readers (claim, settle, an event or
// two), some 300 a second at 100 provider calls a second, under what one object handles.
import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../env";
import { departureLog } from "../subscribers/departure-log";
import { dueIndex } from "../subscribers/due-index";
import type { BrakeFigures } from "./complaint-brake";
import type { Digest } from "./digest-schema";
import {
  failedAddresses,
  forgetAddress,
  openChunks,
  redriveFailed,
  scrubFailed,
  settleChunk,
} from "./chunk-ledger";
import { brakeFiguresOf, EDITION_SCHEMA, readDigest, statusOf } from "./edition-tables";
import type { SendStatus } from "./edition-status";
import { adoptDigest, editionRow, enqueueNew, releaseDigest } from "./edition-rows";
import { walkEditionStep } from "./edition-step";
import { isSlotId } from "./digest-schema";
import { CHOICE_TABLE, forgetChoice, keepRefusedChoices, scrubChoices } from "./slot-choices";
import { countSettled, SEND_MINUTE_TABLE, sendMinutes, type SendMinute } from "./send-minutes";
import { reportSend } from "../stats/send-figures";
import { walkSlotStep } from "./slot-step";
import { providerLimiter } from "../mail/provider-limiter";
import { pauseAtAlarm, pauseForQuota, pauseOf, resumeAfterPause } from "./edition-pause";
import { forgetRefused, redriveRefused, scrubRefused } from "./failed-readers";

export type DigestEventKind = "bounced" | "complained" | "failed" | "suppressed";
import type { Settlement } from "./chunk-ledger";
import { claimChunk, EMPTY_CHUNK, type Claim } from "./chunk-claim";
export type { Claim, Settlement };

// Failed chunks keep their addresses this long for a redrive, then are scrubbed.
const FAILED_KEEP_MS = 3 * 24 * 60 * 60 * 1000;

export class EditionSend extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private adopted: Digest | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of [...EDITION_SCHEMA, CHOICE_TABLE, SEND_MINUTE_TABLE])
      this.sql.exec(statement);
  }

  private edition = () => editionRow(this.sql);

  private owner(id: string) {
    const limiter = providerLimiter(this.env.PROVIDER_LIMITER);
    return { sql: this.sql, storage: this.ctx.storage, limiter, id };
  }

  /** The digest as adopted, read once per instance: only adopt and release change it. */
  private storedDigest(): Digest | null {
    this.adopted ??= readDigest(this.sql);
    return this.adopted;
  }

  /** The digest this edition sends: the first one offered wins, so racing compiles send one. */
  adopt(offered: Digest): { digest: Digest; first: boolean; adoptedAt: number } {
    const adopted = adoptDigest(this.ctx.storage, offered, () => this.storedDigest());
    this.adopted = adopted.digest;
    return adopted;
  }

  digest(): Digest | null {
    return this.storedDigest();
  }

  /** A held edition becomes sendable; null when it is not held. */
  release(): Digest | null {
    const digest = releaseDigest(this.ctx.storage, () => this.storedDigest());
    if (digest) this.adopted = digest;
    return digest;
  }

  /** Starts the walk once; later calls only make sure a stalled one moves again. */
  async start(): Promise<SendStatus | null> {
    const row = this.edition();
    if (!row) return null;
    // Under personal delivery a day's edition is for the archive: readers get theirs by run slot.
    const archiveOnly = !isSlotId(row.id) && readConfig(this.env).DIGEST_DELIVERY === "personal";
    if (row.status === "compiled" && row.phase === "idle" && !archiveOnly) {
      this.sql.exec(`UPDATE edition SET phase = 'walking', started_at = ?`, Date.now());
      await departureLog(this.env).registerEdition(row.id, row.created_ms);
    }
    const pending = this.sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM chunk WHERE state = 'new'`)
      .one().n;
    const phase = this.edition()!.phase;
    if ((phase === "walking" || pending > 0) && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now());
    return this.status();
  }

  /**
   * One step per alarm: hand recorded chunks to the queue, then walk the next pages. While the send
   * is paused for the quota, nothing moves until the pause ends.
   */
  override async alarm(): Promise<void> {
    const row = this.edition();
    if (!row) return;
    if (!(await pauseAtAlarm(this.owner(row.id)))) return;
    const enqueue = () => enqueueNew(this.sql, this.env.SEND_QUEUE, row.id);
    await enqueue();
    if (row.phase === "walking" && isSlotId(row.id)) {
      await walkSlotStep(this.env, this.ctx, row, this.storedDigest()!);
      await enqueue();
    } else if (row.phase === "walking") {
      await walkEditionStep(this.env, this.ctx, row);
      await enqueue();
    }
    await this.finishIfDone();
    if (this.edition()!.phase === "finished") {
      scrubFailed(this.sql, Date.now() - FAILED_KEEP_MS);
      scrubRefused(this.sql, Date.now() - FAILED_KEEP_MS);
      scrubChoices(this.sql);
      // Failed readers past the redrive window are scrubbed: erasures need not reach this send.
      if (failedAddresses(this.sql, 1).length === 0)
        await departureLog(this.env).unregisterEdition(row.id);
    }
  }

  /** The recipients and key for a chunk's provider call: fixed on the first claim, then repeated. */
  async claim(chunk: number): Promise<Claim> {
    return claimChunk(
      { sql: this.sql, env: this.env, settleEmpty: (n) => this.settle(n, EMPTY_CHUNK) },
      chunk,
    );
  }

  /**
   * Records a chunk's outcome once; a repeated or late settlement of a final chunk is ignored. A
   * quota answer pauses the whole send until the quota resets.
   */
  async settle(chunk: number, outcome: Settlement): Promise<void> {
    const now = Date.now();
    if (!settleChunk(this.sql, chunk, outcome, now)) return;
    if (outcome.kind === "quota")
      return pauseForQuota(this.owner(this.edition()!.id), outcome.stop);
    const final = countSettled(this.sql, chunk, now);
    await this.finishIfDone();
    if (final) await reportSend(this.env, this.status());
  }

  /**
   * An editor's Resume of a send paused for the quota: held chunks go back to the queue now (if the
   * quota is still spent, the first call says so and the send pauses again). Null: not paused.
   */
  async resume(): Promise<SendStatus | null> {
    const row = this.edition();
    if (!row || !pauseOf(this.sql)) return null;
    await resumeAfterPause(this.owner(row.id));
    await this.ctx.storage.setAlarm(Date.now());
    return this.status();
  }

  /**
   * Failed chunks, and readers the provider refused alone for a field other than their address, go
   * out again under the same rules; answers how many readers that is.
   */
  async redrive(): Promise<{ readers: number }> {
    const now = Date.now();
    const readers = redriveFailed(this.sql, now) + redriveRefused(this.sql, now);
    if (readers === 0) return { readers: 0 };
    this.sql.exec(
      `UPDATE edition SET phase = 'walked', finished_at = NULL WHERE phase = 'finished'`,
    );
    await this.ctx.storage.setAlarm(Date.now());
    return { readers };
  }

  private async finishIfDone(): Promise<void> {
    const row = this.edition();
    if (!row || row.phase !== "walked") return;
    if (openChunks(this.sql) > 0) return;
    // Sent chunks need their addresses no more: the owner keeps counts only.
    keepRefusedChoices(this.sql);
    this.sql.exec(`UPDATE chunk SET walked = NULL, fixed = NULL WHERE state = 'sent'`);
    this.sql.exec(
      `UPDATE edition SET phase = 'finished', finished_at = ?, page_cursor = NULL`,
      Date.now(),
    );
    scrubChoices(this.sql);
    if (isSlotId(row.id)) await dueIndex(this.env).slotFinished(row.id);
    if (failedAddresses(this.sql, 1).length === 0)
      await departureLog(this.env).unregisterEdition(row.id);
    else await this.ctx.storage.setAlarm(Date.now() + FAILED_KEEP_MS);
  }

  /** A provider event for this edition, counted once per event id. */
  async recordEvent(eventId: string, type: DigestEventKind, permanent: boolean): Promise<void> {
    const inserted = this.sql.exec(
      `INSERT OR IGNORE INTO event (id, type, permanent, at) VALUES (?, ?, ?, ?)`,
      eventId,
      type,
      permanent ? 1 : 0,
      Date.now(),
    ).rowsWritten;
    if (inserted > 0) await reportSend(this.env, this.status());
  }

  /** Emails sent and failed per minute, for the desk's chart of this send. */
  minutes(): SendMinute[] {
    return sendMinutes(this.sql);
  }

  /** Removes an erased reader from every chunk not yet sent, and from the refused readers. */
  forget(email: string): void {
    forgetAddress(this.sql, email);
    forgetRefused(this.sql, email);
    forgetChoice(this.sql, email);
  }

  status(): SendStatus | null {
    const row = this.edition();
    if (!row) return null;
    return statusOf(this.sql, row);
  }

  /** What the complaint brake weighs: this edition's own sent count and its events. */
  brakeFigures(): BrakeFigures | null {
    return this.edition() ? brakeFiguresOf(this.sql) : null;
  }

  /** Up to `limit` addresses in failed chunks, for the editors' status. */
  failedReaders(limit: number): string[] {
    return failedAddresses(this.sql, limit);
  }
}

/** The owner of edition `id`'s send. */
export const editionSend = (env: Pick<Env, "EDITION_SENDS">, id: string) =>
  env.EDITION_SENDS.get(env.EDITION_SENDS.idFromName(id));
