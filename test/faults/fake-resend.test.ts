// The fake Resend against Resend's documented behaviour (../shared/resend/README.md and the spec),
// checked in Node before the fault suites lean on it: every row of the error table with its name,
// message and headers, rate headers on every answer, batch validation for addresses and for other
// fields, idempotency (replay, another payload, a key in progress), quotas, latency and outages.
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { ERROR_TABLE, INVALID_ADDRESS_MESSAGE } from "../../bench/fake-resend-answers.mjs";
// prettier-ignore
// @ts-expect-error: plain ESM shared with `npm run bench`
import { DEFAULT_LATENCY_MS, DEFAULT_LATENCY_MS_PER_MB, startFakeResend } from "../../bench/fake-resend.mjs";

// Answers at once: these tests are about what the fake answers, not when (the default latency is
// realistic, and the tests of time say so).
const INSTANT = { latencyMs: 0, latencyMsPerMB: 0 };

let fake: any;
afterEach(async () => fake?.close());

const email = (to: string, extra: Record<string, unknown> = {}) => ({
  from: "Tidings <digest@tidings.example>",
  to: [to],
  subject: "Hi",
  html: "<p>Hi</p>",
  ...extra,
});

/** One call; a header set to null is left out (an empty User-Agent stands for a missing one). */
async function call(
  path: string,
  body: unknown,
  headers: Record<string, string | null> = {},
  method = "POST",
) {
  const all: Record<string, string | null> = {
    Authorization: `Bearer ${fake.apiKey}`,
    "User-Agent": "fake-resend-test",
    "Content-Type": "application/json",
    ...headers,
  };
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) if (value !== null) sent[name] = value;
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: sent,
    ...(method === "GET" ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as any,
  };
}
const post = (path: string, body: unknown, headers: Record<string, string | null> = {}) =>
  call(path, body, headers);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const batch = [email("ada@example.com"), email("invalid-bob@example.com"), email("cy@example.com")];
const permissive = { "x-batch-validation": "permissive" };

describe("the fake Resend's answers, as Resend documents them", () => {
  it("answers each documented status and name with Resend's body and the rate headers", async () => {
    fake = await startFakeResend({
      ...INSTANT,
      ratePerSecond: 1000,
      restrictedApiKey: "re_send_only",
    });
    const seen: Record<string, Awaited<ReturnType<typeof call>>> = {};
    const note = (reply: Awaited<ReturnType<typeof call>>) =>
      (seen[`${reply.status} ${reply.body.name}`] = reply);
    const one = email("a@example.com");
    note(await post("/emails", one, { Authorization: null }));
    note(await call("/domains", null, { Authorization: "Bearer re_send_only" }, "GET"));
    note(await post("/emails", one, { Authorization: "Bearer re_wrong" }));
    note(await post("/emails", one, { "User-Agent": "" }));
    note(await post("/emails/unknown", one));
    note(await call("/emails/batch", null, {}, "GET"));
    note(await post("/emails", "{not json"));
    note(await post("/emails", one, { "Idempotency-Key": "k".repeat(257) }));
    note(await post("/emails/batch", [one, email("invalid@example.com")]));
    note(await post("/emails", email("a@example.com", { subject: undefined, from: undefined })));
    note(await post("/emails", email("a@example.com", { from: "not an address" })));
    note(await post("/emails/batch", [email("a@example.com", { attachments: [{ path: "x" }] })]));
    for (const [row] of Object.entries(ERROR_TABLE).filter(([r]) => !seen[r])) {
      const [status, name] = row.split(" ");
      fake.setFaults({ answer: { status: Number(status), name, count: 1 } });
      note(await post("/emails", one));
    }
    expect(Object.keys(seen).sort()).toEqual(Object.keys(ERROR_TABLE).sort());
    for (const [row, reply] of Object.entries(seen)) {
      const [status, name] = row.split(" ");
      expect(reply.body).toMatchObject({ statusCode: Number(status), name });
      expect(reply.body.message.length).toBeGreaterThan(10);
      for (const header of ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"])
        expect(reply.headers.get(header), `${row} ${header}`).toMatch(/^\d+$/);
    }
    expect(seen["422 missing_required_field"]!.body.message).toBe("The `from` field is missing.");
    expect(seen["422 invalid_from_address"]!.body.message).toMatch(/Invalid `from` field/);
    expect(seen["422 validation_error"]!.body.message).toBe(INVALID_ADDRESS_MESSAGE);
    expect(fake.perReader().size).toBe(0);
  });

  it("sends the rate headers on a success too, and counts the team's calls down", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 5 });
    const first = await post("/emails", email("a@example.com"));
    const second = await post("/emails", email("b@example.com"));
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("5");
    expect(Number(second.headers.get("ratelimit-remaining"))).toBeLessThan(
      Number(first.headers.get("ratelimit-remaining")),
    );
    expect(first.headers.get("retry-after")).toBeNull();
  });

  it("answers 429 rate_limit_exceeded with retry-after when the team's rate is spent", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 2 });
    expect((await post("/emails", email("ada@example.com"))).status).toBe(200);
    expect((await post("/emails/batch", [email("bob@example.com")])).status).toBe(200);
    const third = await post("/emails", email("cy@example.com"));
    expect(third).toMatchObject({ status: 429, body: { name: "rate_limit_exceeded" } });
    expect(third.headers.get("retry-after")).toBe("1");
    expect(third.headers.get("ratelimit-remaining")).toBe("0");
    expect(fake.counts.rateLimited).toBe(1);
  });

  it("spends a daily quota per recipient, answers 429 daily_quota_exceeded, and resets with the day", async () => {
    fake = await startFakeResend({
      ...INSTANT,
      ratePerSecond: 1000,
      dailyQuota: 3,
      quotaDayMs: 600,
    });
    await sleep(600 - (Date.now() % 600) + 5);
    expect((await post("/emails/batch", [email("a@x.com"), email("b@x.com")])).status).toBe(200);
    const spent = await post("/emails/batch", [email("c@x.com"), email("d@x.com")]);
    expect(spent).toMatchObject({ status: 429, body: { name: "daily_quota_exceeded" } });
    expect(spent.headers.get("ratelimit-reset")).toMatch(/^\d+$/);
    expect((await post("/emails", email("c@x.com"))).status).toBe(200);
    expect((await post("/emails", email("d@x.com"))).body.name).toBe("daily_quota_exceeded");
    await sleep(600 - (Date.now() % 600) + 5);
    expect((await post("/emails/batch", [email("e@x.com"), email("f@x.com")])).status).toBe(200);
    expect(fake.counts.quotaRefused).toBe(2);
    expect(fake.counts.callsAfterQuota).toBe(2);
  });

  it("answers 429 monthly_quota_exceeded when the monthly quota is spent", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 1000, monthlyQuota: 1 });
    expect((await post("/emails", email("a@x.com"))).status).toBe(200);
    expect((await post("/emails", email("b@x.com"))).body.name).toBe("monthly_quota_exceeded");
  });
});

describe("the fake Resend's batch validation", () => {
  it("refuses a whole batch with one invalid address in strict validation", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100 });
    const reply = await post("/emails/batch", batch);
    expect(reply).toMatchObject({ status: 422, body: { name: "validation_error" } });
    expect(fake.perReader().size).toBe(0);
  });

  it("delivers the valid ones and lists the invalid address in permissive validation", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100 });
    const reply = await post("/emails/batch", batch, permissive);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toHaveLength(2);
    expect(reply.body.errors).toEqual([{ index: 1, message: INVALID_ADDRESS_MESSAGE }]);
    expect([...fake.perReader().keys()]).toEqual(["ada@example.com", "cy@example.com"]);
    expect(fake.counts.rejectedEmails).toBe(1);
  });

  it("lists an email refused for another field with a message naming that field, and records the breach", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100 });
    const badTag = email("bob@example.com", { tags: [{ name: "bad tag", value: "x" }] });
    const reply = await post("/emails/batch", [email("ada@example.com"), badTag], permissive);
    expect(reply.body.errors).toEqual([{ index: 1, message: expect.stringMatching(/`tags`/) }]);
    expect(fake.counts.violations).toBe(1);
    expect(fake.violations()[0]).toMatch(/body\/1\/tags\/0\/name/);
  });

  it("refuses valid emails for a field other than the address when told to (fieldErrors)", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100, faults: { fieldErrors: 1 } });
    const reply = await post("/emails/batch", [email("ada@example.com")], permissive);
    expect(reply.body).toEqual({
      data: [],
      errors: [{ index: 0, message: expect.stringMatching(/`tags`/) }],
    });
    expect(fake.counts.violations).toBe(0);
  });

  it("answers 413 to a body over the size limit", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100, maxBodyBytes: 1000 });
    const big = [{ ...email("ada@example.com"), html: "x".repeat(2000) }];
    expect((await post("/emails/batch", big)).status).toBe(413);
    expect((await post("/emails/batch", [email("ada@example.com")])).status).toBe(200);
    expect(fake.counts.tooLarge).toBe(1);
  });
});

describe("the fake Resend's idempotency keys", () => {
  it("replays the first answer for the same key and payload, and refuses another payload", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100 });
    const key = { "Idempotency-Key": "digest/1" };
    const first = await post("/emails/batch", [email("a@x.com")], key);
    expect(await post("/emails/batch", [email("a@x.com")], key)).toMatchObject({
      status: 200,
      body: first.body,
    });
    const other = await post("/emails/batch", [email("b@x.com")], key);
    expect(other).toMatchObject({ status: 409, body: { name: "invalid_idempotent_request" } });
    expect([...fake.perReader()]).toEqual([["a@x.com", 1]]);
  });

  it("answers 409 concurrent_idempotent_requests while the first request with a key is in progress", async () => {
    fake = await startFakeResend({ ratePerSecond: 100, latencyMs: 300 });
    const key = { "Idempotency-Key": "digest/2" };
    const [first, second] = await Promise.all([
      post("/emails", email("a@x.com"), key),
      sleep(50).then(() => post("/emails", email("a@x.com"), key)),
    ]);
    expect(first.status).toBe(200);
    expect(second).toMatchObject({ status: 409, body: { name: "concurrent_idempotent_requests" } });
    expect((await post("/emails", email("a@x.com"), key)).body).toEqual(first.body);
    expect(fake.perReader().get("a@x.com")).toBe(1);
  });

  it("simulates an earlier request still running (inProgress) that is then accepted", async () => {
    fake = await startFakeResend({
      ...INSTANT,
      ratePerSecond: 100,
      faults: { inProgress: 1, inProgressMs: 100, inProgressFails: 0 },
    });
    const key = { "Idempotency-Key": "digest/3" };
    const first = await post("/emails", email("a@x.com"), key);
    expect(first.body.name).toBe("concurrent_idempotent_requests");
    await sleep(150);
    fake.setFaults({});
    expect((await post("/emails", email("a@x.com"), key)).status).toBe(200);
    expect(fake.counts.replayed).toBe(1);
    expect(fake.perReader().get("a@x.com")).toBe(1);
  });
});

describe("the fake Resend's time", () => {
  it("takes a fixed latency plus a part per MB of body", async () => {
    fake = await startFakeResend({ ratePerSecond: 100, latencyMs: 100, latencyMsPerMB: 1000 });
    let started = Date.now();
    await post("/emails", email("a@x.com"));
    const small = Date.now() - started;
    started = Date.now();
    await post("/emails", email("b@x.com", { html: "x".repeat(300_000) }));
    const large = Date.now() - started;
    expect(small).toBeGreaterThanOrEqual(95);
    expect(large - small).toBeGreaterThanOrEqual(250);
  });

  it("takes 300 ms plus 150 ms per MB unless told otherwise", async () => {
    expect([DEFAULT_LATENCY_MS, DEFAULT_LATENCY_MS_PER_MB]).toEqual([300, 150]);
    fake = await startFakeResend({ ratePerSecond: 100 });
    const started = Date.now();
    await post("/emails", email("a@x.com", { html: "x".repeat(1_000_000) }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(440);
  });

  it("answers every call 503 during an outage, and recovers after it", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 100 });
    fake.setFaults({ outageForMs: 300 });
    expect((await post("/emails", email("ada@example.com"))).status).toBe(503);
    expect((await post("/emails/batch", [email("ada@example.com")])).status).toBe(503);
    await sleep(350);
    expect((await post("/emails", email("ada@example.com"))).status).toBe(200);
    expect(fake.counts.outage).toBe(2);
  });

  it("allows only the lower limit while it holds, then the configured rate again", async () => {
    fake = await startFakeResend({ ...INSTANT, ratePerSecond: 10 });
    fake.setFaults({ limitRate: 1, limitForMs: 400 });
    expect((await post("/emails", email("ada@example.com"))).status).toBe(200);
    expect((await post("/emails", email("bob@example.com"))).status).toBe(429);
    await sleep(450);
    const statuses = [];
    for (const to of ["cy@example.com", "dee@example.com"])
      statuses.push((await post("/emails", email(to))).status);
    expect(statuses).toEqual([200, 200]);
  });
});
