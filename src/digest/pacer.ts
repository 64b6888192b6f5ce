// Keeps provider calls within RESEND_RATE_PER_SECOND. One consumer runs at a time (max_concurrency = 1)
// and the pacer lives at module scope, so back-to-back invocations in one isolate share its window.

export type Pacer = {
  /** Books the next start and answers its time (ms); `slot` waits for it. */
  reserve(): number;
  /** Resolves when the next call may start. */
  slot(): Promise<void>;
  /** No call starts before `seconds` from now (a 429's retry-after). */
  pause(seconds: number): void;
};

/**
 * A sliding window: never more than `rate` call starts in any one second (for a fractional rate,
 * `capacity` starts in `capacity / rate` seconds). That respects a provider's limit whether it counts
 * by token bucket or by window, and unlike a fixed interval it lets the calls owed during a short
 * gap (between two queue batches) go out at once, instead of losing that time for good.
 */
export function createPacer(ratePerSecond: number, clock: () => number = Date.now): Pacer {
  const capacity = Math.max(1, Math.round(ratePerSecond));
  const windowMs = (capacity / ratePerSecond) * 1000;
  const starts: number[] = [];
  let notBefore = 0;
  const reserve = () => {
    let at = Math.max(clock(), notBefore);
    if (starts.length >= capacity) at = Math.max(at, starts[starts.length - capacity]! + windowMs);
    starts.push(at);
    if (starts.length > capacity) starts.splice(0, starts.length - capacity);
    return at;
  };
  return {
    reserve,
    async slot() {
      const wait = reserve() - clock();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
    pause(seconds) {
      notBefore = Math.max(notBefore, clock() + seconds * 1000);
    },
  };
}

const shared = new Map<number, Pacer>();
export function sharedPacer(ratePerSecond: number): Pacer {
  let pacer = shared.get(ratePerSecond);
  if (!pacer) shared.set(ratePerSecond, (pacer = createPacer(ratePerSecond)));
  return pacer;
}
