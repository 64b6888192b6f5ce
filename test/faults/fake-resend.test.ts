// The fake Resend's own modes, checked in Node before the fault suite leans on them: batch
// validation, the size limit, one team rate limit for both endpoints, outages and a lower limit.
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { startFakeResend } from "../../bench/fake-resend.mjs";

let fake: any;
afterEach(async () => fake?.close());

const email = (to: string) => ({
  from: "Tidings <digest@tidings.example>",
  to: [to],
  subject: "Hi",
  html: "<p>Hi</p>",
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${fake.apiKey}`,
      "User-Agent": "fake-resend-test",
      "Content-Type": "application/json",
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const batch = [email("ada@example.com"), email("invalid-bob@example.com"), email("cy@example.com")];

describe("the fake Resend", () => {
  it("refuses a whole batch with one invalid address in strict validation", async () => {
    fake = await startFakeResend({ ratePerSecond: 100 });
    const reply = await post("/emails/batch", batch);
    expect(reply.status).toBe(422);
    expect(fake.deliveries).toHaveLength(0);
  });

  it("delivers the valid ones and lists the invalid one in permissive validation", async () => {
    fake = await startFakeResend({ ratePerSecond: 100 });
    const reply = await post("/emails/batch", batch, { "x-batch-validation": "permissive" });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toHaveLength(2);
    expect(reply.body.errors).toEqual([{ index: 1, message: expect.stringMatching(/Invalid/) }]);
    expect([...fake.perReader().keys()]).toEqual(["ada@example.com", "cy@example.com"]);
    expect(fake.counts.rejectedEmails).toBe(1);
  });

  it("answers 413 to a body over the size limit", async () => {
    fake = await startFakeResend({ ratePerSecond: 100, maxBodyBytes: 1000 });
    const big = [{ ...email("ada@example.com"), html: "x".repeat(2000) }];
    expect((await post("/emails/batch", big)).status).toBe(413);
    expect((await post("/emails/batch", [email("ada@example.com")])).status).toBe(200);
    expect(fake.counts.tooLarge).toBe(1);
  });

  it("draws /emails and /emails/batch from one team rate limit", async () => {
    fake = await startFakeResend({ ratePerSecond: 2 });
    expect((await post("/emails", email("ada@example.com"))).status).toBe(200);
    expect((await post("/emails/batch", [email("bob@example.com")])).status).toBe(200);
    const third = await post("/emails", email("cy@example.com"));
    expect(third.status).toBe(429);
    expect(fake.counts.rateLimited).toBe(1);
  });

  it("answers every call 503 during an outage, and recovers after it", async () => {
    fake = await startFakeResend({ ratePerSecond: 100 });
    fake.setFaults({ outageForMs: 300 });
    expect((await post("/emails", email("ada@example.com"))).status).toBe(503);
    expect((await post("/emails/batch", [email("ada@example.com")])).status).toBe(503);
    await sleep(350);
    expect((await post("/emails", email("ada@example.com"))).status).toBe(200);
    expect(fake.counts.outage).toBe(2);
  });

  it("allows only the lower limit while it holds, then the configured rate again", async () => {
    fake = await startFakeResend({ ratePerSecond: 10 });
    fake.setFaults({ limitRate: 1, limitForMs: 400 });
    expect((await post("/emails", email("ada@example.com"))).status).toBe(200);
    const limited = await post("/emails", email("bob@example.com"));
    expect(limited.status).toBe(429);
    await sleep(450);
    const statuses = [];
    for (const to of ["cy@example.com", "dee@example.com"])
      statuses.push((await post("/emails", email(to))).status);
    expect(statuses).toEqual([200, 200]);
  });
});
