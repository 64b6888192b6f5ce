// The paced mailer: every call books the shared ProviderLimiter first; a rate 429 is waited out with
// the same key, a quota 429 stops every caller (digest and transactional mail alike) until the quota
// resets, and the rate headers of each answer bound the next bookings.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../src/env";
import { createMailer } from "../../src/mail/create-mailer";
import { createPacedMailer } from "../../src/mail/paced-mailer";
import { createResendMailer } from "../../src/mail/resend-mailer";
import {
  expectContractKept,
  resendError,
  resendReply,
  spyOnResend,
} from "../fixtures/resend-fetch";

const email = {
  to: "ada@example.com",
  from: "Tidings <digest@tidings.example>",
  subject: "Hello",
  html: "<p>Hi</p>",
  text: "Hi",
};

const tooMany = () =>
  resendError(429, "rate_limit_exceeded", "Too many", {
    "retry-after": "1",
    "ratelimit-remaining": "0",
  });
const dailyQuota = () =>
  resendError(429, "daily_quota_exceeded", "You have reached your daily email sending quota.", {
    "retry-after": "1",
  });

/** A limiter of its own per test, so one test's pause never holds the next. */
const freshLimiter = () =>
  env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(crypto.randomUUID()));

function pacedMailer(maxWaitSeconds: number, limiter = freshLimiter(), quotaDaySeconds = 86_400) {
  const resend = createResendMailer({ apiKey: "re_test_key", baseUrl: "http://fake-resend.local" });
  return {
    limiter,
    mailer: createPacedMailer(resend, {
      limiter,
      ratePerSecond: 10,
      maxWaitSeconds,
      quotaDaySeconds,
    }),
  };
}

afterEach(async () => {
  await expectContractKept();
  vi.restoreAllMocks();
});

describe("the paced mailer", () => {
  it("waits out a 429 inside the call and sends again with the same idempotency key", async () => {
    const calls = spyOnResend(tooMany, () => resendReply(200, { data: [{ id: "e1" }] }));
    const { limiter, mailer } = pacedMailer(10);
    const result = await mailer.sendBatch([email], "digest:2026-11-26:abc");
    expect(result).toMatchObject({ ok: true, ids: ["e1"], rejected: [] });
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.request.headers.get("Idempotency-Key"))).toEqual([
      "digest:2026-11-26:abc",
      "digest:2026-11-26:abc",
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    // Every other caller was told to wait too.
    expect((await limiter.state()).pausedUntilMs).toBeGreaterThanOrEqual(calls[0]!.at + 950);
  });

  it("gives up after SEND_RATE_LIMIT_WAIT_SECONDS and hands back the retryable 429", async () => {
    const calls = spyOnResend(tooMany);
    const { mailer } = pacedMailer(1.5);
    const started = Date.now();
    const result = await mailer.send(email, "confirm:ada");
    expect(result).toMatchObject({
      ok: false,
      reason: "rate_limited",
      retryable: true,
      status: 429,
    });
    expect(calls).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("makes no call while the limiter is paused past the wait, and says how long to wait", async () => {
    const calls = spyOnResend(() => resendReply(200, { id: "e1" }));
    const { limiter, mailer } = pacedMailer(1);
    await limiter.pauseUntil(Date.now() + 30_000);
    const result = await mailer.send(email, "confirm:ada");
    expect(calls).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429 });
    expect(!result.ok && result.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    // It booked no slot it would never use.
    expect((await limiter.state()).starts).toEqual([]);
  });

  it("stops every caller at the first quota answer, until the next quota day, with no retry", async () => {
    const calls = spyOnResend(dailyQuota, () => resendReply(200, { id: "e1" }));
    const { limiter, mailer } = pacedMailer(10, freshLimiter(), 3600);
    // A quota day of an hour here: the stop ends on the next whole hour (UTC midnight for a day).
    const nextHour = (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000;
    const first = await mailer.sendBatch([email], "digest:1");
    expect(first).toMatchObject({ ok: false, reason: "quota", quota: { kind: "daily" } });
    const untilMs = !first.ok ? first.quota?.untilMs : 0;
    expect([nextHour, nextHour + 3_600_000]).toContain(untilMs);
    // Another caller of the same limiter (a confirmation email, say) makes no call at all.
    const other = pacedMailer(10, limiter).mailer;
    const second = await other.send(email, "confirm:bob");
    expect(second).toMatchObject({ ok: false, reason: "quota", status: 429 });
    expect(!second.ok && second.message).toMatch(/daily email quota is spent/);
    expect(calls).toHaveLength(1);
    expect((await limiter.quotaState()).stop).toMatchObject({ kind: "daily", untilMs });
  });

  it("follows ratelimit-remaining and ratelimit-reset when they leave fewer calls than it planned", async () => {
    const calls = spyOnResend(
      () => resendReply(200, { id: "e1" }, { "ratelimit-remaining": "0", "ratelimit-reset": "1" }),
      () => resendReply(200, { id: "e2" }),
    );
    const { mailer } = pacedMailer(10);
    await mailer.send(email, "k1");
    await mailer.send(email, "k2");
    // At 10 a second the second call could start at once; the provider said none are left for 1 s.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("dates the rate headers from the call's start: a second that passed before a slow answer holds nothing", async () => {
    const calls = spyOnResend(
      async () => {
        // A big batch: the provider counted the call on arrival; its answer comes 1.3 s later.
        await new Promise((resolve) => setTimeout(resolve, 1300));
        return resendReply(
          200,
          { id: "e1" },
          { "ratelimit-remaining": "0", "ratelimit-reset": "1" },
        );
      },
      () => resendReply(200, { id: "e2" }),
    );
    const { mailer } = pacedMailer(10);
    await mailer.send(email, "k1");
    const answeredAt = Date.now();
    await mailer.send(email, "k2");
    expect(calls[1]!.at - answeredAt).toBeLessThan(300);
  });

  it("returns a 5xx at once for the caller to back off", async () => {
    const calls = spyOnResend(() => resendError(503, "application_error", "down"));
    const { mailer } = pacedMailer(10);
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      reason: "unavailable",
      retryable: true,
      status: 503,
    });
    expect(calls).toHaveLength(1);
  });

  it("returns a network error at once", async () => {
    const calls = spyOnResend();
    const { mailer } = pacedMailer(10);
    expect(await mailer.send(email, "k")).toMatchObject({
      ok: false,
      retryable: true,
      status: null,
    });
    expect(calls).toHaveLength(1);
  });

  it("is what createMailer gives everyone when RESEND_API_KEY is set: calls book the shared limiter", async () => {
    const calls = spyOnResend(() => resendReply(200, { id: "e1" }));
    const config = {
      ...readConfig(env),
      RESEND_API_KEY: "re_test_key",
      RESEND_BASE_URL: "http://fake-resend.local",
    };
    const mailer = createMailer(config, env);
    expect(mailer.kind).toBe("resend");
    expect(await mailer.send(email, "welcome:ada")).toMatchObject({ ok: true, ids: ["e1"] });
    expect(calls).toHaveLength(1);
    const shared = env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName("resend"));
    expect((await shared.state()).starts).toHaveLength(1);
  });

  it("is the outbox, with no limiter, when RESEND_API_KEY is not set", async () => {
    const mailer = createMailer({ ...readConfig(env), RESEND_API_KEY: undefined }, env);
    expect(mailer.kind).toBe("outbox");
  });

  it("defaults to Resend's documented 5 calls a second", () => {
    expect(
      readConfig({ ...env, RESEND_RATE_PER_SECOND: undefined } as never).RESEND_RATE_PER_SECOND,
    ).toBe(5);
  });
});
