// The booking rule for provider calls, kept pure so the ProviderLimiter object and its tests share it:
// never more than `rate` call starts in any one-second window, none before a 429's pause ends, and no
// more than the provider's own `ratelimit-remaining` before its `ratelimit-reset` when it says less.

export type RateWindow = {
  /** The last booked starts (epoch ms), oldest first; only the last `capacity` can bind. */
  starts: number[];
  /** No start before this (epoch ms): the end of a 429's retry-after. */
  pausedUntilMs: number;
  /** What the provider's rate headers allow: `left` more starts before `untilMs`, then wait. */
  budget?: { left: number; untilMs: number };
};

export const EMPTY_RATE_WINDOW: RateWindow = { starts: [], pausedUntilMs: 0 };

/** What an answer's rate headers said, and when the answer arrived (epoch ms). */
export type RateObservation = { remaining: number; resetSeconds: number; atMs: number };

/**
 * A sliding window (for a fractional rate, `capacity` starts in `capacity / rate` seconds). It
 * respects a provider's limit whether it counts by token bucket or by window, and unlike a fixed
 * interval it lets the calls owed during a short gap go out at once instead of losing that time.
 */
export function windowFor(ratePerSecond: number): { capacity: number; windowMs: number } {
  const capacity = Math.max(1, Math.round(ratePerSecond));
  return { capacity, windowMs: (capacity / ratePerSecond) * 1000 };
}

/** Books the next start at or after `nowMs`; answers its time and the window that remembers it. */
export function bookStart(
  window: RateWindow,
  nowMs: number,
  ratePerSecond: number,
): { atMs: number; window: RateWindow } {
  const { capacity, windowMs } = windowFor(ratePerSecond);
  let atMs = Math.max(nowMs, window.pausedUntilMs);
  // Starts are booked in order, so the start `capacity` back is the one a new start must clear.
  const binding = window.starts[window.starts.length - capacity];
  if (binding !== undefined) atMs = Math.max(atMs, binding + windowMs);
  const last = window.starts.at(-1);
  if (last !== undefined) atMs = Math.max(atMs, last);
  let budget = window.budget;
  if (budget && atMs < budget.untilMs) {
    if (budget.left <= 0) atMs = budget.untilMs;
    else budget = { ...budget, left: budget.left - 1 };
  }
  if (budget && atMs >= budget.untilMs) budget = undefined;
  const starts = [...window.starts, atMs].slice(-capacity);
  return {
    atMs,
    window: { starts, pausedUntilMs: window.pausedUntilMs, ...(budget ? { budget } : {}) },
  };
}

/** No start before `untilMs`; an earlier pause never shortens a later one. */
export function pauseWindow(window: RateWindow, untilMs: number): RateWindow {
  return { ...window, pausedUntilMs: Math.max(window.pausedUntilMs, untilMs) };
}

/**
 * Follows the provider's rate headers when they allow less than the window would: `remaining` more
 * calls until `resetSeconds` after the answer, less the starts booked since the answer arrived (the
 * provider has not counted those yet). A budget at least as large as the window's own plan changes
 * nothing; a stale observation (its reset already past) is ignored.
 */
export function followHeaders(
  window: RateWindow,
  observed: RateObservation,
  ratePerSecond: number,
): RateWindow {
  const untilMs = observed.atMs + observed.resetSeconds * 1000;
  if (untilMs <= observed.atMs) return window;
  const bookedSince = window.starts.filter((start) => start > observed.atMs).length;
  const left = Math.max(0, observed.remaining - bookedSince);
  const planned = Math.ceil((ratePerSecond * (untilMs - observed.atMs)) / 1000);
  if (left >= planned) return window;
  const current = window.budget;
  // Two observations of one period: the one that leaves fewer calls wins.
  if (current && current.untilMs >= untilMs && current.left <= left) return window;
  return { ...window, budget: { left, untilMs } };
}
