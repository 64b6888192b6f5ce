import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ProviderLimiter, providerLimiter } from "../../src/mail/provider-limiter";
import { bookStart, EMPTY_RATE_WINDOW, pauseWindow } from "../../src/mail/rate-window";

/** The most starts that fall in any one window of `windowMs` beginning at a booked start. */
const mostInWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

const limiterNamed = (name: string) =>
  env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(name));

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
});

describe("ProviderLimiter", () => {
  it("books at most `rate` starts a second across 20 concurrent callers", async () => {
    const limiter = limiterNamed("concurrent");
    const before = Date.now();
    const times = await Promise.all(Array.from({ length: 20 }, () => limiter.reserve(4)));
    expect(mostInWindow(times, 1000)).toBe(4);
    // 20 starts at 4 a second: the last one goes out about 4 seconds after the first.
    const sorted = [...times].sort((a, b) => a - b);
    expect(sorted[19]! - sorted[0]!).toBeGreaterThanOrEqual(4000);
    expect(sorted[0]!).toBeGreaterThanOrEqual(before - 50);
  });

  it("is one object for every mailer", async () => {
    await providerLimiter(env.PROVIDER_LIMITER).reserve(2);
    const state = await limiterNamed("resend").state();
    expect(state.starts).toHaveLength(1);
  });

  it("holds every caller until a pause ends, and keeps the pause across a restart", async () => {
    const limiter = limiterNamed("paused");
    const until = Date.now() + 60_000;
    expect(await limiter.pauseUntil(until)).toBe(until);
    expect(await limiter.pauseUntil(until - 30_000)).toBe(until);
    expect(await limiter.reserve(100)).toBe(until);
    await runInDurableObject(limiter, async (_instance, state) => {
      // A fresh instance on the same storage is what a restarted object is.
      const restarted = new ProviderLimiter(state, env);
      expect(restarted.state().pausedUntilMs).toBe(until);
      expect(restarted.reserve(100)).toBe(until);
    });
  });

  it("books nothing for a caller that will not wait until the slot", async () => {
    const limiter = limiterNamed("deadline");
    const until = Date.now() + 60_000;
    await limiter.pauseUntil(until);
    expect(await limiter.reserve(2, until - 1)).toBe(until);
    expect((await limiter.state()).starts).toEqual([]);
    expect(await limiter.reserve(2, until)).toBe(until);
    expect((await limiter.state()).starts).toEqual([until]);
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
