// The send's once-only rules under the faults the one-writer issue names, in scaled time: the real
// Worker in workerd (Miniflare API, per-invocation limits enforced) against the fake Resend.
// Backoff runs in seconds for minutes (SEND_RETRY_MAX_SECONDS 2 for 300), with the same logic.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { readerEmails, startHarness } from "../../bench/harness.mjs";

const DAY = 86_400_000;
const INVALID = "invalid-reader@example.com";
const emails: string[] = [...readerEmails(1000, "writer"), INVALID];
const confirmed = new Set(emails);

let harness: any;
let day = 0;

beforeAll(async () => {
  harness = await startHarness({
    rate: 4,
    maxRetries: 20,
    seed: 11,
    bindings: { SEND_RETRY_BASE_SECONDS: "1", SEND_RETRY_MAX_SECONDS: "2" },
  });
  await harness.seedReaders(emails);
}, 120_000);

afterAll(async () => harness?.close());

type Scenario = {
  faults?: Record<string, unknown>;
  starts?: number;
  crashMethod?: string;
  maxCrashes?: number;
  during?: () => Promise<void>;
};

async function sendDay(scenario: Scenario) {
  const scheduledTime = Date.parse("2032-01-01T07:00:00Z") + ++day * DAY;
  const id = new Date(scheduledTime).toISOString().slice(0, 10);
  harness.fake.reset();
  harness.fake.setFaults(scenario.faults ?? {});
  await harness.settings({
    crashRate: scenario.crashMethod ? 1 : 0,
    crashes: 0,
    crashMethod: scenario.crashMethod ?? "",
    ...(scenario.maxCrashes ? { maxCrashes: scenario.maxCrashes } : {}),
  });
  await harness.limits(true);
  await harness.seedArticles(2, scheduledTime - 60_000);
  await Promise.all(
    Array.from({ length: scenario.starts ?? 1 }, () => harness.cron(scheduledTime)),
  );
  await scenario.during?.();
  const status = await harness.drained(id, { timeoutMs: 90_000 });
  const perReader: Map<string, number> = harness.fake.perReader();
  const limits = await harness.limits();
  return {
    status,
    limits,
    counts: { ...harness.fake.counts },
    duplicates: [...perReader].filter(([, n]) => n > 1).map(([email]) => email),
    missing: [...confirmed].filter((email) => email !== INVALID && !perReader.has(email)),
    perReader,
  };
}

function expectExactlyOnce(result: Awaited<ReturnType<typeof sendDay>>) {
  expect(result.duplicates).toEqual([]);
  expect(result.missing).toEqual([]);
  expect(result.status).toMatchObject({ status: "sent", failed: 0, queued: 0 });
  expect(result.limits.violationCount).toBe(0);
}

describe("the one-writer send under faults", () => {
  it("marks an invalid address invalid and sends the other 99 of its chunk", async () => {
    const result = await sendDay({});
    expectExactlyOnce(result);
    expect(result.status.invalid).toBe(1);
    expect(result.perReader.has(INVALID)).toBe(false);
    confirmed.delete(INVALID);
  }, 120_000);

  it("sends once when five starts of one edition race", async () => {
    const result = await sendDay({ starts: 5 });
    expectExactlyOnce(result);
    expect(result.status.recipients).toBe(confirmed.size);
  }, 120_000);

  it("waits out a 429 storm from a provider limit at half the rate, spending no attempt", async () => {
    // 10 "minutes" at half the configured rate, in scaled time.
    const result = await sendDay({ faults: { limitRate: 2, limitForMs: 10_000 } });
    expect(result.counts.rateLimited).toBeGreaterThan(0);
    expectExactlyOnce(result);
  }, 120_000);

  it("outlasts the provider down for 30 minutes (scaled) with nothing dead-lettered", async () => {
    const result = await sendDay({ faults: { outageForMs: 15_000 } });
    expect(result.counts.outage).toBeGreaterThan(0);
    expectExactlyOnce(result);
  }, 120_000);

  it("repeats the recorded set and key after a crash following delivery, though readers left", async () => {
    const leaving = [...confirmed].slice(0, 3);
    // They may get this digest (their chunk may be claimed first) but are not owed it.
    for (const email of leaving) confirmed.delete(email);
    const result = await sendDay({
      crashMethod: "settle",
      maxCrashes: 3,
      // Departures (as a hard bounce would record) arrive before the retries.
      during: () => harness.unsubscribe(leaving),
    });
    expect(result.counts.replayed).toBeGreaterThan(0);
    expectExactlyOnce(result);
  }, 120_000);

  it("keeps the set and key of a call never answered, though a retry is refused and readers left", async () => {
    // One reader of each chunk leaves once the first chunks' calls are in progress (their sets are
    // fixed with the leavers in them; their retries come after).
    const leaving = [...confirmed].filter((_, i) => i % 100 === 42);
    for (const email of leaving) confirmed.delete(email);
    const result = await sendDay({
      // Every first call is answered 409 concurrent_idempotent_requests and then delivered by the
      // earlier request still running; half of all calls are answered 500 first. A 500 on a
      // retry proves nothing about the call in progress: a new set under a new key would mail
      // the chunk's other readers twice.
      faults: { inProgress: 1, inProgressMs: 1500, inProgressFails: 0, error500: 0.5 },
      during: async () => {
        while (harness.fake.counts.inProgress < 3) await new Promise((r) => setTimeout(r, 20));
        await harness.unsubscribe(leaving);
      },
    });
    expect(result.counts.inProgress).toBeGreaterThan(0);
    expect(result.counts.injected500).toBeGreaterThan(0);
    expectExactlyOnce(result);
  }, 120_000);

  it("leaves an erased reader out of chunks not yet sent", async () => {
    const erased = [...confirmed].slice(-2);
    for (const email of erased) confirmed.delete(email);
    // The provider is down while the editor erases them, so every chunk is claimed at least once
    // (its set recorded) and none is sent before the erasure: the timing cannot decide the result.
    const result = await sendDay({
      faults: { outageForMs: 6_000 },
      during: () => harness.erase(erased),
    });
    expect(result.counts.outage).toBeGreaterThan(0);
    expectExactlyOnce(result);
    for (const email of erased) expect(result.perReader.has(email)).toBe(false);
  }, 120_000);
});
