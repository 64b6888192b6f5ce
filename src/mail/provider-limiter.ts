// ProviderLimiter owns one thing: when the next call to the email provider may start. It guarantees
// that, across every isolate, no more than `rate` calls are booked to start in any one-second window,
// none before a 429's pause ends, none beyond what the provider's rate headers say is left, and none
// at all while the account's email quota is spent (the stop survives a restart of the object, as does
// the list of sends waiting for it). It does not know whether a caller really made its call: a booked
// slot left unused is simply lost.
//
// One object for the whole team (id "resend"), since Resend limits per team: it takes one call per
// provider call, which the provider itself caps at a few per second (a few hundred a second even on
// a raised limit), well under the thousand or so a second one object handles.
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import type { QuotaKind } from "./mailer";
import { stopAfterQuota, type QuotaStop } from "./quota-stop";
import {
  bookStart,
  EMPTY_RATE_WINDOW,
  followHeaders,
  pauseWindow,
  type RateWindow,
} from "./rate-window";

export const PROVIDER_LIMITER_NAME = "resend";

/** The shared limiter: every mailer that calls the provider books its calls here. */
export function providerLimiter(
  namespace: DurableObjectNamespace<ProviderLimiter>,
): DurableObjectStub<ProviderLimiter> {
  return namespace.get(namespace.idFromName(PROVIDER_LIMITER_NAME));
}

/** A booked start, or (`quota`) the stop in force, when nothing may start before `atMs`. */
export type Booking = { atMs: number; quota: QuotaStop | null };

/**
 * What a caller's last answer said, handed over with its next booking: when its call started (the
 * provider counted it on arrival, so its rate headers hold from about then), the rate headers, and
 * when the caller last had a call accepted.
 */
export type LastAnswer = {
  atMs: number;
  acceptedAtMs: number | null;
  rate?: { remaining: number; resetSeconds: number };
};

/** The quota stop and the sends (edition or slot ids) waiting for it to end. */
export type QuotaState = { stop: QuotaStop | null; waiting: string[] };

const Starts = z.array(z.number());

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS limiter_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    paused_until_ms INTEGER NOT NULL,
    starts_json TEXT NOT NULL
  )`,
  // The last quota stop (kept after it ends: the next one learns from it when the reset came).
  `CREATE TABLE IF NOT EXISTS quota_stop (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kind TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    until_ms INTEGER NOT NULL
  )`,
  // Sends paused by the stop, so an editor's Resume wakes every one of them.
  `CREATE TABLE IF NOT EXISTS quota_waiter (send_id TEXT PRIMARY KEY, since_ms INTEGER NOT NULL)`,
];

export class ProviderLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  // The budget from rate headers lives in memory only: it lasts a second or so, and the next answer
  // brings it back after a restart.
  private window: RateWindow;
  private quota: QuotaStop | null;
  // An answer accepted since the last stop ended: that reset was real. In memory only: after a
  // restart the next stop may probe hourly instead of waiting for the next day.
  private quotaResetSeen = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
    const row = this.sql
      .exec<{ paused_until_ms: number; starts_json: string }>(
        `SELECT paused_until_ms, starts_json FROM limiter_state WHERE id = 1`,
      )
      .toArray()[0];
    const starts = row ? Starts.safeParse(safeJson(row.starts_json)) : undefined;
    this.window = row
      ? { pausedUntilMs: row.paused_until_ms, starts: starts?.success ? starts.data : [] }
      : EMPTY_RATE_WINDOW;
    const stop = this.sql
      .exec<{ kind: string; since_ms: number; until_ms: number }>(
        `SELECT kind, since_ms, until_ms FROM quota_stop WHERE id = 1`,
      )
      .toArray()[0];
    this.quota = stop
      ? {
          kind: stop.kind === "monthly" ? "monthly" : "daily",
          sinceMs: stop.since_ms,
          untilMs: stop.until_ms,
        }
      : null;
  }

  private save(): void {
    this.sql.exec(
      `INSERT INTO limiter_state (id, paused_until_ms, starts_json) VALUES (1, ?, ?)
       ON CONFLICT(id) DO UPDATE SET paused_until_ms = excluded.paused_until_ms,
         starts_json = excluded.starts_json`,
      this.window.pausedUntilMs,
      JSON.stringify(this.window.starts),
    );
  }

  /** The stop while it is in force, else null. */
  private stopNow(nowMs: number): QuotaStop | null {
    return this.quota && this.quota.untilMs > nowMs ? this.quota : null;
  }

  /**
   * Books a start for one provider call at `ratePerSecond` (the caller's RESEND_RATE_PER_SECOND) and
   * answers the epoch ms at which the caller may start it; the caller sleeps until then. A start that
   * would fall after `latestMs` is not booked (the caller will not wait that long, and a slot booked
   * for nobody would be lost); the answer still says when it would have been. While the quota is
   * spent nothing is booked and the answer carries the stop. `last`: the caller's last answer,
   * whose rate headers are followed when they allow less than the window would.
   */
  reserve(ratePerSecond: number, latestMs?: number, last?: LastAnswer): Booking {
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0)
      throw new RangeError("ratePerSecond must be a positive number.");
    const now = Date.now();
    const stop = this.stopNow(now);
    if (stop) return { atMs: stop.untilMs, quota: stop };
    this.noteAccepted(last?.acceptedAtMs ?? null);
    if (last?.rate && last.atMs + last.rate.resetSeconds * 1000 > now)
      this.window = followHeaders(this.window, { ...last.rate, atMs: last.atMs }, ratePerSecond);
    const booked = bookStart(this.window, now, ratePerSecond);
    if (latestMs !== undefined && booked.atMs > latestMs) return { atMs: booked.atMs, quota: null };
    this.window = booked.window;
    this.save();
    return { atMs: booked.atMs, quota: null };
  }

  /** After a 429: no call starts before `untilMs`. Answers the pause now in force. */
  pauseUntil(untilMs: number): number {
    if (!Number.isFinite(untilMs)) throw new RangeError("untilMs must be a number.");
    this.window = pauseWindow(this.window, untilMs);
    this.save();
    return this.window.pausedUntilMs;
  }

  private noteAccepted(acceptedAtMs: number | null): void {
    if (acceptedAtMs !== null && this.quota && this.quota.untilMs <= acceptedAtMs)
      this.quotaResetSeen = true;
  }

  /**
   * The provider said the `kind` quota is spent: every caller stops until it resets (see
   * quota-stop.ts for how that instant is known). `acceptedAtMs`: when the caller last had a call
   * accepted. Answers the stop in force.
   */
  quotaSpent(
    kind: QuotaKind,
    daySeconds: number,
    retryAfterSeconds?: number,
    acceptedAtMs: number | null = null,
  ): QuotaStop {
    const now = Date.now();
    this.noteAccepted(acceptedAtMs);
    const stop = stopAfterQuota(
      this.quota,
      this.quotaResetSeen,
      kind,
      now,
      daySeconds,
      retryAfterSeconds,
    );
    if (stop !== this.quota) {
      this.quota = stop;
      this.quotaResetSeen = false;
      this.sql.exec(
        `INSERT INTO quota_stop (id, kind, since_ms, until_ms) VALUES (1, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, since_ms = excluded.since_ms,
           until_ms = excluded.until_ms`,
        stop.kind,
        stop.sinceMs,
        stop.untilMs,
      );
      console.log(JSON.stringify({ level: "warn", event: "provider.quota_spent", ...stop }));
    }
    return stop;
  }

  /** A send paused for the quota: answers the stop (null when it has already ended). */
  awaitQuota(sendId: string): QuotaStop | null {
    const now = Date.now();
    const stop = this.stopNow(now);
    if (stop)
      this.sql.exec(
        `INSERT OR IGNORE INTO quota_waiter (send_id, since_ms) VALUES (?, ?)`,
        sendId,
        now,
      );
    return stop;
  }

  /** A send carried on by itself after the stop ended. */
  leaveQuotaWait(sendId: string): void {
    this.sql.exec(`DELETE FROM quota_waiter WHERE send_id = ?`, sendId);
  }

  /**
   * An editor's Resume: the stop ends now (they raised the plan, or know the quota has reset).
   * Answers the sends that were waiting, for the caller to wake; if the quota is still spent, the
   * next call is refused and everything stops again.
   */
  endQuotaStop(): string[] {
    const now = Date.now();
    if (this.quota && this.quota.untilMs > now) {
      if (this.window.pausedUntilMs === this.quota.untilMs) this.window.pausedUntilMs = now;
      this.quota = { ...this.quota, untilMs: now };
      this.sql.exec(`UPDATE quota_stop SET until_ms = ? WHERE id = 1`, now);
      this.save();
    }
    const waiting = this.quotaState().waiting;
    this.sql.exec(`DELETE FROM quota_waiter`);
    return waiting;
  }

  /** The stop in force (or null) and who waits for it: the desk's banner reads this. */
  quotaState(): QuotaState {
    return {
      stop: this.stopNow(Date.now()),
      waiting: this.sql
        .exec<{ send_id: string }>(`SELECT send_id FROM quota_waiter ORDER BY since_ms, send_id`)
        .toArray()
        .map((row) => row.send_id),
    };
  }

  /** What the limiter holds: the pause and the last booked starts (epoch ms). */
  state(): RateWindow {
    return this.window;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
