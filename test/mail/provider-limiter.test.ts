import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ProviderLimiter, providerLimiter } from "../../src/mail/provider-limiter";
import { nextQuotaDay, quotaStopUntil } from "../../src/mail/quota-stop";
import {
  bookStart,
  EMPTY_RATE_WINDOW,
  followHeaders,
  pauseWindow,
} from "../../src/mail/rate-window";

/** The most starts that fall in any one window of `windowMs` beginning at a booked start. */
const mostInWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

const limiterNamed = (name: string) =>
  env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(name));

const DAY = 86_400_000;

describe("the booking rule", () => {
  it("never books more than `rate` starts in any one-second window", () => {
    let window = EMPTY_RATE_WINDOW;
    const times = Array.from({ length: 40 }, () => {
      const booked = bookStart(window, 0, 4);
      window = booked.window;
      return booked.atMs;
    });
    expect(mostInWindow(times, 1000)).toBe(4);
    expect(times.at(-1)).toBe(9000);
  });

  it("books nothing before a pause ends", () => {
    const paused = pauseWindow(EMPTY_RATE_WINDOW, 8000);
    expect(bookStart(pauseWindow(paused, 3000), 1000, 100).atMs).toBe(8000);
  });

  it("books no more than ratelimit-remaining (less those booked since) before ratelimit-reset", () => {
    let window = bookStart(EMPTY_RATE_WINDOW, 1000, 10).window;
    // The answer to the call at 1000 arrived at 1100: 2 left until 2100. One was booked since.
    window = bookStart(window, 1050, 10).window;
    window = followHeaders(window, { remaining: 2, resetSeconds: 1, atMs: 1040 }, 10);
    const next = bookStart(window, 1200, 10);
    expect(next.atMs).toBe(1200);
    expect(bookStart(next.window, 1200, 10).atMs).toBe(2040);
  });

  it("ignores headers that allow at least what the window plans", () => {
    const window = followHeaders(
      EMPTY_RATE_WINDOW,
      { remaining: 10, resetSeconds: 1, atMs: 0 },
      10,
    );
    expect(window.budget).toBeUndefined();
  });
});

describe("when a spent quota ends", () => {
  const noon = Date.parse("2031-03-04T12:00:00Z");

  it("is the next 00:00 UTC for a daily quota", () => {
    expect(quotaStopUntil(noon, 86_400, null)).toBe(Date.parse("2031-03-05T00:00:00Z"));
    expect(nextQuotaDay(noon, 86_400)).toBe(Date.parse("2031-03-05T00:00:00Z"));
  });

  it("follows a retry-after of a minute or more, and not the rate window's second", () => {
    expect(quotaStopUntil(noon, 86_400, null, 7200)).toBe(noon + 7_200_000);
    expect(quotaStopUntil(noon, 86_400, null, 1)).toBe(Date.parse("2031-03-05T00:00:00Z"));
  });

  it("probes hourly when the quota is still spent just after the reset it expected", () => {
    const stop = { kind: "daily" as const, sinceMs: noon - DAY, untilMs: noon };
    expect(quotaStopUntil(noon + 60_000, 86_400, stop)).toBe(noon + 60_000 + 3_600_000);
    expect(quotaStopUntil(noon + 2 * 3_600_000, 86_400, stop)).toBe(
      Date.parse("2031-03-05T00:00:00Z"),
    );
  });
});

describe("ProviderLimiter", () => {
  it("books at most `rate` starts a second across 20 concurrent callers", async () => {
    const limiter = limiterNamed("concurrent");
    const before = Date.now();
    const bookings = await Promise.all(Array.from({ length: 20 }, () => limiter.reserve(4)));
    const times = bookings.map((b) => b.atMs);
    expect(mostInWindow(times, 1000)).toBe(4);
    // 20 starts at 4 a second: the last one goes out about 4 seconds after the first.
    const sorted = [...times].sort((a, b) => a - b);
    expect(sorted[19]! - sorted[0]!).toBeGreaterThanOrEqual(4000);
    expect(sorted[0]!).toBeGreaterThanOrEqual(before - 50);
  });

  it("is one object for every mailer", async () => {
    await providerLimiter(env.PROVIDER_LIMITER).reserve(2);
    const state = await limiterNamed("resend").state();
    expect(state.starts.length).toBeGreaterThanOrEqual(1);
  });

  it("holds every caller until a pause ends, and keeps the pause across a restart", async () => {
    const limiter = limiterNamed("paused");
    const until = Date.now() + 60_000;
    expect(await limiter.pauseUntil(until)).toBe(until);
    expect(await limiter.pauseUntil(until - 30_000)).toBe(until);
    expect((await limiter.reserve(100)).atMs).toBe(until);
    await runInDurableObject(limiter, async (_instance, state) => {
      // A fresh instance on the same storage is what a restarted object is.
      const restarted = new ProviderLimiter(state, env);
      expect(restarted.state().pausedUntilMs).toBe(until);
      expect(restarted.reserve(100).atMs).toBe(until);
    });
  });

  it("books nothing for a caller that will not wait until the slot", async () => {
    const limiter = limiterNamed("deadline");
    const until = Date.now() + 60_000;
    await limiter.pauseUntil(until);
    expect((await limiter.reserve(2, until - 1)).atMs).toBe(until);
    expect((await limiter.state()).starts).toEqual([]);
    expect((await limiter.reserve(2, until)).atMs).toBe(until);
    expect((await limiter.state()).starts).toEqual([until]);
  });

  it("books nothing while the quota is spent, keeps the stop across a restart, and lists the waiting sends", async () => {
    const limiter = limiterNamed("quota");
    const stop = await limiter.quotaSpent("daily", 86_400);
    expect(stop.untilMs).toBe(nextQuotaDay(Date.now(), 86_400));
    // Ten chunks report the same answer: the stop is not pushed further.
    expect(await limiter.quotaSpent("daily", 86_400)).toEqual(stop);
    expect(await limiter.reserve(100)).toMatchObject({ atMs: stop.untilMs, quota: stop });
    expect((await limiter.state()).starts).toEqual([]);
    await limiter.awaitQuota("2031-03-04");
    await limiter.awaitQuota("2031-03-04T0700");
    await runInDurableObject(limiter, async (_instance, state) => {
      const restarted = new ProviderLimiter(state, env);
      expect(restarted.quotaState()).toEqual({ stop, waiting: ["2031-03-04", "2031-03-04T0700"] });
    });
  });

  it("takes a quota answer just after a reset it saw work for a new day's quota, not a wrong guess", async () => {
    await runInDurableObject(limiterNamed("reset-seen"), (instance: ProviderLimiter) => {
      // A quota day of 2.4 s, so an "hour" is 100 ms.
      const first = instance.quotaSpent("daily", 2.4);
      // Refused again at once after the reset, with nothing accepted meanwhile: probe hourly.
      (instance as any).quota = { ...first, untilMs: Date.now() - 10 };
      expect(instance.quotaSpent("daily", 2.4).untilMs).toBeLessThanOrEqual(Date.now() + 100);
      // Refused after a call was accepted since the reset: the quota did reset; wait a whole day.
      const again = instance.quotaState().stop!;
      (instance as any).quota = { ...again, untilMs: Date.now() - 10 };
      const stop = instance.quotaSpent("daily", 2.4, undefined, Date.now());
      expect(stop.untilMs).toBe(nextQuotaDay(stop.sinceMs, 2.4));
    });
  });

  it("ends the stop at an editor's Resume and hands over the sends that waited", async () => {
    const limiter = limiterNamed("resume");
    await limiter.quotaSpent("monthly", 86_400);
    await limiter.awaitQuota("2031-03-05");
    expect(await limiter.endQuotaStop()).toEqual(["2031-03-05"]);
    expect(await limiter.quotaState()).toEqual({ stop: null, waiting: [] });
    expect((await limiter.reserve(100)).quota).toBeNull();
  });

  it("refuses a rate that is not a positive number", async () => {
    // Called in the object: an RPC rejection would surface as an unhandled error in the pool.
    await runInDurableObject(limiterNamed("bad-rate"), (instance: ProviderLimiter) => {
      expect(() => instance.reserve(0)).toThrow(/positive/);
      expect(() => instance.reserve(Number.NaN)).toThrow(/positive/);
      expect(instance.state().starts).toEqual([]);
    });
  });
});
