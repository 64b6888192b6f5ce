// Consumer invocations at once, as production runs up to max_concurrency of them (Miniflare runs
// one): three deliveries of the send queue through the Worker's real queue handler, each its own
// invocation with its own 6 connections and budget (test/platform/), one of them carrying chunks
// the others carry too (queues deliver at least once). Every guarantee holds: each reader mailed
// once, departures and erasures skipped, a 429 waited out by every caller with no attempt spent.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { departureLog } from "../../src/subscribers/departure-log";
import { queuedEdition } from "../fixtures/digest";
import {
  contractViolations,
  resendError,
  resendReply,
  type CapturedCall,
} from "../fixtures/resend-fetch";
import { platformUsage } from "../platform/platform-limits";

const providerEnv = {
  ...env,
  RESEND_API_KEY: "re_test",
  RESEND_BASE_URL: "http://fake-resend.local",
  RESEND_RATE_PER_SECOND: "1000",
};

/**
 * The provider at the edge: answers each batch after `latencyMs`, the first one 429 (the team's
 * rate spent for a second); a key seen before gets its first answer again and delivers nothing.
 */
function provider(latencyMs: number) {
  const delivered = new Map<string, number>();
  const answered = new Map<string, number>();
  const captured: CapturedCall[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let calls = 0;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const text = await request.text();
    captured.push({
      at: Date.now(),
      request: new Request(request.url, { ...init, body: text }),
      text,
    });
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (++calls === 1)
        return resendError(429, "rate_limit_exceeded", "Too many requests", { "retry-after": "1" });
      const emails = JSON.parse(text) as { to: string[] }[];
      const key = request.headers.get("Idempotency-Key")!;
      if (!answered.has(key)) {
        answered.set(key, emails.length);
        for (const email of emails)
          delivered.set(email.to[0]!, (delivered.get(email.to[0]!) ?? 0) + 1);
      }
      return resendReply(200, { data: emails.map((_, i) => ({ id: `${key}/${i}` })) });
    } finally {
      inFlight--;
    }
  });
  return { delivered, captured, mostInFlight: () => mostInFlight, calls: () => calls };
}

let deliveries = 0;

/** One delivery of `chunks` of edition `id` to the consumer: its own invocation. */
async function invocation(id: string, chunks: number[]) {
  const batch = createMessageBatch(
    "tidings-send",
    chunks.map((chunk) => ({
      id: `concurrent-${++deliveries}`,
      timestamp: new Date(),
      attempts: 1,
      body: { digestId: id, chunk },
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue!(batch, providerEnv, ctx);
  return getQueueResult(batch, ctx);
}

afterEach(() => vi.restoreAllMocks());

describe("consumer invocations at once", () => {
  it("mail every reader once, skip who left or was erased, and wait out a 429 together", async () => {
    const id = "2043-05-01";
    const chunks = Array.from({ length: 24 }, (_, c) =>
      Array.from({ length: 5 }, (_, i) => `c${c}-r${i}@concurrent.test`),
    );
    const owner = await queuedEdition(id, chunks);
    const log = departureLog(env);
    await log.registerEdition(id, Date.now() - 60_000);
    const left = chunks[3]![1]!;
    const erased = chunks[17]![4]!;
    await log.recordDeparture(left, Date.now(), false);
    await log.recordDeparture(erased, Date.now(), true);

    const fake = provider(40);
    const all = chunks.map((_, c) => c);
    const results = await Promise.all([
      invocation(id, all.slice(0, 8)),
      invocation(id, all.slice(8, 16)),
      invocation(id, all.slice(16)),
      // Queues deliver at least once: chunks the others are sending, delivered again at once.
      invocation(id, [2, 9, 20]),
    ]);

    const expected = chunks.flat().filter((email) => email !== left && email !== erased);
    expect([...fake.delivered.keys()].sort()).toEqual(expected.sort());
    expect([...fake.delivered.values()].every((n) => n === 1)).toBe(true);
    // The 429 was waited out inside the invocations: every job acked, none retried.
    for (const result of results) {
      expect(result.retryMessages).toEqual([]);
      expect(result.retryBatch.retry).toBe(false);
    }
    expect(await owner.status()).toMatchObject({
      status: "sent",
      sent: expected.length,
      skipped: 2,
      failed: 0,
    });
    // More calls at once than one invocation's 6 connections: the invocations ran together, each
    // within its own limit (no invocation crossed one: test/platform/no-violations.ts).
    expect(fake.mostInFlight()).toBeGreaterThan(6);
    expect(platformUsage().mostConnections.count).toBeLessThanOrEqual(6);
    for (const call of fake.captured) expect(await contractViolations(call)).toEqual([]);
  });
});
