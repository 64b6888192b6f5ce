// Spaces provider calls at RESEND_RATE_PER_SECOND. One consumer runs at a time (max_concurrency = 1),
// and the pacer lives at module scope, so back-to-back invocations in one isolate keep the spacing.

export type Pacer = {
  /** Resolves when the next call may start. */
  slot(): Promise<void>;
  /** No call starts before `seconds` from now (a 429's retry-after). */
  pause(seconds: number): void;
};

export function createPacer(ratePerSecond: number, clock: () => number = Date.now): Pacer {
  const interval = 1000 / ratePerSecond;
  let next = 0;
  return {
    async slot() {
      const now = clock();
      const at = Math.max(now, next);
      next = at + interval;
      if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    },
    pause(seconds) {
      next = Math.max(next, clock() + seconds * 1000);
    },
  };
}

const shared = new Map<number, Pacer>();
export function sharedPacer(ratePerSecond: number): Pacer {
  let pacer = shared.get(ratePerSecond);
  if (!pacer) shared.set(ratePerSecond, (pacer = createPacer(ratePerSecond)));
  return pacer;
}
