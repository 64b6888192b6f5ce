// The booking rule for provider calls, kept pure so the ProviderLimiter object and its tests share it:
// never more than `rate` call starts in any one-second window, and none before a 429's pause ends.

export type RateWindow = {
  /** The last booked starts (epoch ms), oldest first; only the last `capacity` can bind. */
  starts: number[];
  /** No call starts before this (epoch ms): the end of a 429's retry-after. */
  pausedUntilMs: number;
};

export const EMPTY_RATE_WINDOW: RateWindow = { starts: [], pausedUntilMs: 0 };

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
  const starts = [...window.starts, atMs].slice(-capacity);
  return { atMs, window: { starts, pausedUntilMs: window.pausedUntilMs } };
}

/** No start before `untilMs`; an earlier pause never shortens a later one. */
export function pauseWindow(window: RateWindow, untilMs: number): RateWindow {
  return { ...window, pausedUntilMs: Math.max(window.pausedUntilMs, untilMs) };
}
