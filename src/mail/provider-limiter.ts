// ProviderLimiter owns one thing: when the next call to the email provider may start. It guarantees
// that, across every isolate, no more than `rate` calls are booked to start in any one-second window,
// and none before a 429's pause ends (the pause survives a restart of the object). It does not know
// whether a caller really made its call: a booked slot left unused is simply lost.
//
// One object for the whole team (id "resend"), since Resend limits per team: it takes one call per
// provider call, which the provider itself caps at a few per second (a few hundred a second even on
// a raised limit), well under the thousand or so a second one object handles.
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { bookStart, EMPTY_RATE_WINDOW, pauseWindow, type RateWindow } from "./rate-window";

export const PROVIDER_LIMITER_NAME = "resend";

/** The shared limiter: every mailer that calls the provider books its calls here. */
export function providerLimiter(
  namespace: DurableObjectNamespace<ProviderLimiter>,
): DurableObjectStub<ProviderLimiter> {
  return namespace.get(namespace.idFromName(PROVIDER_LIMITER_NAME));
}

const Starts = z.array(z.number());

export class ProviderLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private window: RateWindow;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS limiter_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      paused_until_ms INTEGER NOT NULL,
      starts_json TEXT NOT NULL
    )`);
    const row = this.sql
      .exec<{ paused_until_ms: number; starts_json: string }>(
        `SELECT paused_until_ms, starts_json FROM limiter_state WHERE id = 1`,
      )
      .toArray()[0];
    const starts = row ? Starts.safeParse(safeJson(row.starts_json)) : undefined;
    this.window = row
      ? { pausedUntilMs: row.paused_until_ms, starts: starts?.success ? starts.data : [] }
      : EMPTY_RATE_WINDOW;
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

  /**
   * Books a start for one provider call at `ratePerSecond` (the caller's RESEND_RATE_PER_SECOND) and
   * answers the epoch ms at which the caller may start it; the caller sleeps until then. A start that
   * would fall after `latestMs` is not booked (the caller will not wait that long, and a slot booked
   * for nobody would be lost); the answer still says when it would have been.
   */
  reserve(ratePerSecond: number, latestMs?: number): number {
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0)
      throw new RangeError("ratePerSecond must be a positive number.");
    const booked = bookStart(this.window, Date.now(), ratePerSecond);
    if (latestMs !== undefined && booked.atMs > latestMs) return booked.atMs;
    this.window = booked.window;
    this.save();
    return booked.atMs;
  }

  /** After a 429: no call starts before `untilMs`. Answers the pause now in force. */
  pauseUntil(untilMs: number): number {
    if (!Number.isFinite(untilMs)) throw new RangeError("untilMs must be a number.");
    this.window = pauseWindow(this.window, untilMs);
    this.save();
    return this.window.pausedUntilMs;
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
