// When a spent quota ends, kept pure so the ProviderLimiter and its tests share it. Resend answers
// 429 `daily_quota_exceeded` or `monthly_quota_exceeded` when the account's quota is spent, and says
// no retry helps until it resets (api-reference/errors). Its docs give no reset instant. We take the
// next 00:00 UTC for the daily quota: Resend's usage page and its emails count days in UTC, and
// providers of this kind reset daily quotas at midnight UTC. If that guess is wrong, the calls after
// it are refused again within the hour with none accepted, and we try once an hour instead.

import type { QuotaKind } from "./mailer";

export type QuotaStop = { kind: QuotaKind; sinceMs: number; untilMs: number };

/** Resend's quota day: a UTC day. Tests and the bench shorten it (RESEND_QUOTA_DAY_SECONDS). */
export const RESEND_QUOTA_DAY_SECONDS = 86_400;

// A retry-after this long is about the quota; shorter ones are the rate window's (every 429 has one).
const QUOTA_RETRY_AFTER_MIN_SECONDS = 60;

/** The first instant of the next quota day: days are counted from the epoch, so UTC midnights. */
export const nextQuotaDay = (nowMs: number, daySeconds: number) =>
  Math.ceil((Math.floor(nowMs / (daySeconds * 1000)) + 1) * daySeconds * 1000);

/**
 * Until when no call may start after a quota answer at `nowMs`. Daily: the next quota day. Monthly:
 * also the next quota day, as a probe (the billing month's start is not in the answer; an editor can
 * press Resume once the plan is raised). A retry-after of a minute or more is the provider's own word
 * and wins. A refusal within an hour of a reset we expected means the reset is elsewhere in the day:
 * probe again in an hour.
 */
export function quotaStopUntil(
  nowMs: number,
  daySeconds: number,
  previous: QuotaStop | null,
  retryAfterSeconds?: number,
): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= QUOTA_RETRY_AFTER_MIN_SECONDS)
    return Math.ceil(nowMs + retryAfterSeconds * 1000);
  // Whole milliseconds: an alarm set for a fraction would fire on the floor, before the stop ends.
  const hourMs = Math.ceil((daySeconds * 1000) / 24);
  if (previous && previous.untilMs <= nowMs && nowMs - previous.untilMs < hourMs)
    return nowMs + hourMs;
  return nextQuotaDay(nowMs, daySeconds);
}

/**
 * The stop in force after a quota answer: a stop already running is kept, not pushed further.
 * `resetSeen`: a call was accepted since the last stop ended, so that reset was real and this is
 * a new day's quota spent (not a reset we guessed wrong).
 */
export function stopAfterQuota(
  current: QuotaStop | null,
  resetSeen: boolean,
  kind: QuotaKind,
  nowMs: number,
  daySeconds: number,
  retryAfterSeconds?: number,
): QuotaStop {
  if (current && current.untilMs > nowMs) return current;
  const previous = resetSeen ? null : current;
  return {
    kind,
    sinceMs: nowMs,
    untilMs: quotaStopUntil(nowMs, daySeconds, previous, retryAfterSeconds),
  };
}

/** The stop, said as an editor reads it on the desk and in the API's `pausedReason`. */
export function quotaInWords(stop: Pick<QuotaStop, "kind" | "untilMs">): string {
  const until = new Date(stop.untilMs).toISOString().slice(0, 16).replace("T", " ");
  return stop.kind === "daily"
    ? `Resend's daily email quota is spent: no email goes out until ${until} UTC, when it resets and the send carries on by itself. Press Resume once the quota is raised to carry on sooner.`
    : `Resend's monthly email quota is spent: no email goes out until the plan's quota allows it again. Tidings tries once a day (next at ${until} UTC); press Resume once the plan is raised.`;
}
