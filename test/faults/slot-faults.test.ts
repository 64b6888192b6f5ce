// Personal delivery under faults: a run slot's send (the readers due at 07:00 UTC, in two zones, with
// their own topics) through the real Worker in workerd against the fake Resend, in scaled time. Each
// scenario checks that every reader due in the slot got exactly one email, and that later runs and a
// second start of the same slot mail nobody again.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { startHarness } from "../../bench/harness.mjs";

const DAY = 86_400_000;
const QUARTER = 15 * 60 * 1000;
const PER_ZONE = 300;
const TOPICS = ["ai", "security", "web", "cloud"];
// A quota day in scaled time: the fake's and the Worker's (RESEND_QUOTA_DAY_SECONDS) agree.
const QUOTA_DAY_MS = 5000;

let harness: any;
let day = 0;

// A fresh Worker per scenario: the readers of one scenario are due again in the next one's slot.
beforeEach(async () => {
  harness = await startHarness({
    rate: 50,
    maxRetries: 20,
    seed: 5,
    delivery: "personal",
    quotaDayMs: QUOTA_DAY_MS,
    bindings: { SEND_RETRY_BASE_SECONDS: "1", SEND_RETRY_MAX_SECONDS: "2" },
  });
}, 120_000);

afterEach(async () => harness?.close());

async function bench(path: string, body?: unknown) {
  const response = await harness.mf.dispatchFetch(`https://tidings.bench${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json", "x-bench-observer": "1" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
}

const slotId = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace(":", "");

async function slotDrained(id: string, seen: any[], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await bench(`/__bench/slot-status?id=${id}`);
    seen.push(status);
    if (status && (status.status === "sent" || status.status === "failed")) return status;
    if (Date.now() > deadline) throw new Error(`slot ${id} not drained: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A fresh day: readers due at 07:00 UTC (UTC at 7, Europe/Berlin at 8 in January), half with one
 * topic, articles of every topic over the day before; then the 07:00 run under `faults`.
 */
async function slotDay(scenario: {
  faults?: Record<string, unknown>;
  crashMethod?: string;
  maxCrashes?: number;
  starts?: number;
  dailyQuota?: number;
}) {
  const slotMs = Date.parse("2032-01-05T07:00:00Z") + ++day * 7 * DAY;
  const readers = ["UTC", "Europe/Berlin"].flatMap((timeZone, zone) =>
    Array.from({ length: PER_ZONE }, (_, i) => ({
      email: `slot${day}-${zone}-${String(i).padStart(4, "0")}@example.com`,
      preferences: {
        // Half on the default (every topic): 150 readers a zone share one schedule.
        topics: i % 2 === 0 ? null : [TOPICS[(i >> 1) % TOPICS.length]],
        cadence: "daily",
        weekday: null,
        deliveryHour: timeZone === "UTC" ? 7 : 8,
        timeZone,
      },
    })),
  );
  await bench("/__bench/seed-due", { readers, nowMs: slotMs - DAY });
  await bench("/__bench/seed-articles", {
    count: 24,
    at: slotMs - 60_000,
    topics: TOPICS,
    spacingMs: 30 * 60 * 1000,
  });
  harness.fake.reset();
  harness.fake.setFaults(scenario.faults ?? {});
  harness.fake.setQuota({ daily: scenario.dailyQuota });
  await harness.settings({
    crashRate: scenario.crashMethod ? 1 : 0,
    crashes: 0,
    crashMethod: scenario.crashMethod ?? "",
    ...(scenario.maxCrashes ? { maxCrashes: scenario.maxCrashes } : {}),
  });
  await harness.limits(true);
  // A quota counts per quota day: start the slot at the beginning of one.
  if (scenario.dailyQuota)
    await new Promise((r) => setTimeout(r, QUOTA_DAY_MS - (Date.now() % QUOTA_DAY_MS) + 20));
  await Promise.all(
    Array.from({ length: scenario.starts ?? 1 }, () => harness.cron(slotMs, "*/15 * * * *")),
  );
  const seen: any[] = [];
  const status = await slotDrained(slotId(slotMs), seen);
  // The next run, and the same slot fired again, find nobody left to mail.
  harness.fake.setFaults({});
  await harness.cron(slotMs + QUARTER, "*/15 * * * *");
  await harness.cron(slotMs, "*/15 * * * *");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const perReader: Map<string, number> = harness.fake.perReader();
  const emails = readers.map((reader) => reader.email);
  return {
    status,
    seen,
    counts: { ...harness.fake.counts },
    limits: await harness.limits(),
    duplicates: emails.filter((email) => (perReader.get(email) ?? 0) > 1),
    missing: emails.filter((email) => !perReader.has(email)),
    strangers: [...perReader.keys()].filter((email) => !emails.includes(email)),
  };
}

function expectEachOnce(result: Awaited<ReturnType<typeof slotDay>>) {
  expect(result.duplicates).toEqual([]);
  expect(result.missing).toEqual([]);
  expect(result.strangers).toEqual([]);
  expect(result.status).toMatchObject({ status: "sent", failed: 0, queued: 0 });
  expect(result.status.sent).toBe(2 * PER_ZONE);
  expect(result.limits.violationCount).toBe(0);
}

describe("a run slot's send under faults", () => {
  it("mails each due reader once through 500s, 429s and dropped connections", async () => {
    const result = await slotDay({ faults: { error500: 0.15, error429: 0.15, drop: 0.1 } });
    expect(result.counts.injected500 + result.counts.injected429).toBeGreaterThan(0);
    expectEachOnce(result);
  }, 120_000);

  it("repeats the recorded set and key after crashes following delivery", async () => {
    const result = await slotDay({ crashMethod: "settle", maxCrashes: 3 });
    expect(result.counts.replayed).toBeGreaterThan(0);
    expectEachOnce(result);
  }, 120_000);

  it("sends once when five starts of one slot race", async () => {
    const result = await slotDay({ starts: 5 });
    expectEachOnce(result);
  }, 120_000);

  it("stops at a quota spent at 40% of the slot, says so, and finishes on later quota days", async () => {
    const result = await slotDay({ dailyQuota: 0.4 * 2 * PER_ZONE });
    expect(result.counts.quotaRefused).toBeGreaterThan(0);
    const paused = result.seen.find((s) => s?.status === "paused");
    expect(paused?.pausedReason).toMatch(/daily email quota is spent/);
    expectEachOnce(result);
  }, 120_000);

  it("outlasts the provider down (scaled) with nothing dead-lettered", async () => {
    const result = await slotDay({ faults: { outageForMs: 6_000 } });
    expect(result.counts.outage).toBeGreaterThan(0);
    expectEachOnce(result);
  }, 120_000);
});
