// The send against Resend's other answers, in scaled time: the real Worker in workerd (Miniflare
// API, per-invocation limits enforced) against the fake Resend. A quota day lasts QUOTA_DAY_MS here
// (the Worker's RESEND_QUOTA_DAY_SECONDS and the fake's day agree, as Resend's and ours do on UTC
// days). Every scenario ends with each reader mailed exactly once or listed failed with a reason,
// nobody wrongly suppressed or marked invalid, and no platform limit crossed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { readerEmails, startHarness } from "../../bench/harness.mjs";

const READERS = 2000;
const RATE = 10;
const QUOTA_DAY_MS = 5000;
// The consumer's chunks in flight at once (src/digest/send-jobs.ts, MAX_CHUNKS_IN_FLIGHT).
const CHUNKS_IN_FLIGHT = 12;
const DAY = 86_400_000;
const emails: string[] = readerEmails(READERS, "answers");

let harness: any;
let day = 0;

beforeAll(async () => {
  harness = await startHarness({
    rate: RATE,
    maxRetries: 20,
    seed: 17,
    quotaDayMs: QUOTA_DAY_MS,
    bindings: { SEND_RETRY_BASE_SECONDS: "1", SEND_RETRY_MAX_SECONDS: "2" },
  });
  await harness.seedReaders(emails);
}, 120_000);

afterAll(async () => harness?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One digest day under `faults` (and a daily quota): every status seen on the way, and the end. */
async function sendDay(scenario: { faults?: Record<string, unknown>; dailyQuota?: number }) {
  const scheduledTime = Date.parse("2033-01-01T07:00:00Z") + ++day * DAY;
  const id = new Date(scheduledTime).toISOString().slice(0, 10);
  harness.fake.reset();
  harness.fake.setFaults(scenario.faults ?? {});
  harness.fake.setQuota({ daily: scenario.dailyQuota });
  await harness.limits(true);
  await harness.seedArticles(2, scheduledTime - 60_000);
  // A quota counts per quota day: start a send at the beginning of one.
  if (scenario.dailyQuota) await sleep(QUOTA_DAY_MS - (Date.now() % QUOTA_DAY_MS) + 20);
  await harness.cron(scheduledTime);
  const seen: any[] = [];
  await harness.drained(id, { timeoutMs: 90_000, onProgress: (s: any) => seen.push(s) });
  // Webhook events of the last emails may still be arriving: the status after them.
  await harness.fake.eventsSettled();
  const status = await harness.status(id);
  return { id, status, seen, ...(await outcome(status)) };
}

/** Who got what: the fake's deliveries, the readers' states, the limits, against the send's status. */
async function outcome(status: any) {
  const perReader: Map<string, number> = harness.fake.perReader();
  const listed = new Set<string>(status.failedReaders);
  const readers = await harness.countReaders();
  return {
    counts: { ...harness.fake.counts },
    limits: await harness.limits(),
    duplicates: [...perReader].filter(([, n]) => n > 1).map(([email]) => email),
    missing: emails.filter((email) => !perReader.has(email) && !listed.has(email)),
    notConfirmed: readers.notConfirmed as { email: string; status: string }[],
  };
}

function expectEveryReaderOnce(result: Awaited<ReturnType<typeof sendDay>>) {
  expect(result.duplicates).toEqual([]);
  expect(result.missing).toEqual([]);
  expect(result.limits.violationCount).toBe(0);
}

describe("the send against Resend's other answers", () => {
  it("stops at a quota spent at 40% of the edition, says so, and finishes on later quota days", async () => {
    const result = await sendDay({ dailyQuota: 0.4 * READERS });
    expectEveryReaderOnce(result);
    expect(result.status).toMatchObject({ status: "sent", sent: READERS, failed: 0, queued: 0 });
    expect(result.notConfirmed).toEqual([]);
    const paused = result.seen.find((s) => s?.status === "paused");
    expect(paused?.pausedReason).toMatch(/daily email quota is spent/);
    expect(result.counts.quotaRefused).toBeGreaterThan(0);
    // Calls after a stop's first quota answer: at most the chunks already in flight.
    expect(result.counts.callsAfterQuota).toBeLessThanOrEqual(CHUNKS_IN_FLIGHT);
  }, 120_000);

  it("fails alone the 5% of emails refused for a field other than the address, then redrives them", async () => {
    const result = await sendDay({ faults: { fieldErrors: 0.05 } });
    expectEveryReaderOnce(result);
    expect(result.counts.fieldRefused).toBeGreaterThan(READERS * 0.03);
    expect(result.status).toMatchObject({ status: "failed", invalid: 0 });
    expect(result.status.failed).toBe(result.counts.fieldRefused);
    expect(result.status.failureReasons).toEqual([
      {
        reason: expect.stringMatching(/^Resend refused this email: Invalid `tags` field/),
        readers: result.status.failed,
      },
    ]);
    expect(result.notConfirmed).toEqual([]);
    // Redriven with the provider's refusals gone: each of them is mailed once, nobody twice.
    harness.fake.setFaults({});
    await harness.redrive(result.id);
    const status = await harness.drained(result.id, { timeoutMs: 60_000 });
    const after = await outcome(status);
    expect(status).toMatchObject({ status: "sent", sent: READERS, failed: 0 });
    expect(after.duplicates).toEqual([]);
    expect(emails.filter((email) => !harness.fake.perReader().has(email))).toEqual([]);
  }, 120_000);

  it("retries the 5% of first calls answered concurrent_idempotent_requests under their keys", async () => {
    const result = await sendDay({
      faults: { inProgress: 0.05, inProgressMs: 500, inProgressFails: 0.5 },
    });
    expect(result.counts.inProgress).toBeGreaterThan(0);
    expectEveryReaderOnce(result);
    expect(result.status).toMatchObject({ status: "sent", sent: READERS, failed: 0 });
    expect(result.notConfirmed).toEqual([]);
  }, 120_000);

  it("suppresses exactly the 1% of readers Resend reports suppressed during the send", async () => {
    const result = await sendDay({ faults: { suppressed: 0.01 } });
    expectEveryReaderOnce(result);
    const suppressed: string[] = harness.fake.suppressedTo();
    expect(suppressed.length).toBeGreaterThan(READERS * 0.004);
    expect(result.status).toMatchObject({ status: "sent", sent: READERS, failed: 0 });
    expect(result.status.events.suppressed).toBe(suppressed.length);
    expect(result.notConfirmed.map((r) => r.email).sort()).toEqual([...suppressed].sort());
    expect(new Set(result.notConfirmed.map((r) => r.status))).toEqual(
      new Set(["bounced", "complained"]),
    );
  }, 120_000);
});
