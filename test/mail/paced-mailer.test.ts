import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../src/env";
import { createMailer } from "../../src/mail/create-mailer";
import { createPacedMailer } from "../../src/mail/paced-mailer";
import { createResendMailer } from "../../src/mail/resend-mailer";

const email = {
  to: "ada@example.com",
  from: "Tidings <digest@tidings.example>",
  subject: "Hello",
  html: "<p>Hi</p>",
  text: "Hi",
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
const tooMany = () =>
  json(
    429,
    { statusCode: 429, name: "rate_limit_exceeded", message: "Too many" },
    {
      "retry-after": "1",
    },
  );

/** The provider at the edge: each call takes the next answer (or the last one, again). */
function fakeResend(...responses: (() => Response)[]) {
  const calls: { at: number; request: Request }[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    calls.push({ at: Date.now(), request: new Request(input as RequestInfo, init) });
    const next = responses.length > 1 ? responses.shift()! : responses[0];
    if (!next) throw new TypeError("network connection lost");
    return next();
  });
  return calls;
}

/** A limiter of its own per test, so one test's pause never holds the next. */
const freshLimiter = () =>
  env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(crypto.randomUUID()));

function pacedMailer(maxWaitSeconds: number, limiter = freshLimiter()) {
  const resend = createResendMailer({ apiKey: "re_test_key", baseUrl: "http://fake-resend.local" });
  return {
    limiter,
    mailer: createPacedMailer(resend, { limiter, ratePerSecond: 10, maxWaitSeconds }),
  };
}

afterEach(() => vi.restoreAllMocks());

describe("the paced mailer", () => {
  it("waits out a 429 inside the call and sends again with the same idempotency key", async () => {
    const calls = fakeResend(tooMany, () => json(200, { data: [{ id: "e1" }] }));
    const { limiter, mailer } = pacedMailer(10);
    const result = await mailer.sendBatch([email], "digest:2026-11-26:abc");
    expect(result).toEqual({ ok: true, ids: ["e1"], rejected: [] });
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
    const calls = fakeResend(tooMany);
    const { mailer } = pacedMailer(1.5);
    const started = Date.now();
    const result = await mailer.send(email, "confirm:ada");
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429 });
    expect(calls).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("makes no call while the limiter is paused past the wait, and says how long to wait", async () => {
    const calls = fakeResend(() => json(200, { id: "e1" }));
    const { limiter, mailer } = pacedMailer(1);
    await limiter.pauseUntil(Date.now() + 30_000);
    const result = await mailer.send(email, "confirm:ada");
    expect(calls).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429 });
    expect(!result.ok && result.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    // It booked no slot it would never use.
    expect((await limiter.state()).starts).toEqual([]);
  });

  it("returns a 5xx at once for the caller to back off", async () => {
    const calls = fakeResend(() =>
      json(503, { statusCode: 503, name: "service_unavailable", message: "down" }),
    );
    const { mailer } = pacedMailer(10);
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      retryable: true,
      status: 503,
    });
    expect(calls).toHaveLength(1);
  });

  it("returns a network error at once", async () => {
    const calls = fakeResend();
    const { mailer } = pacedMailer(10);
    expect(await mailer.send(email, "k")).toMatchObject({
      ok: false,
      retryable: true,
      status: null,
    });
    expect(calls).toHaveLength(1);
  });

  it("is what createMailer gives everyone when RESEND_API_KEY is set: calls book the shared limiter", async () => {
    const calls = fakeResend(() => json(200, { id: "e1" }));
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
});
