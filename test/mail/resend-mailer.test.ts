// The Resend adapter against Resend's documented answers: every request it makes is checked against
// the spec (test/fixtures/resend-fetch.ts), and every answer is read as Resend means it.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createResendMailer, isAddressError } from "../../src/mail/resend-mailer";
import {
  contractViolations,
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
  headers: { "List-Unsubscribe": "<https://tidings.test/unsubscribe?token=t>" },
  tags: [{ name: "digest", value: "2026-11-26" }],
};

afterEach(async () => {
  await expectContractKept();
  vi.restoreAllMocks();
});

describe("Resend adapter requests", () => {
  const mailer = createResendMailer({ apiKey: "re_test_key", baseUrl: "http://fake-resend.local" });

  it("sends a batch to /emails/batch with the key, the idempotency key and every field", async () => {
    const calls = spyOnResend(resendReply(200, { data: [{ id: "e1" }, { id: "e2" }] }));
    const result = await mailer.sendBatch(
      [email, { ...email, to: "bob@example.com" }],
      "digest:2026-11-26:abc",
    );
    expect(result).toMatchObject({ ok: true, ids: ["e1", "e2"], rejected: [] });
    const { request } = calls[0]!;
    expect(request.url).toBe("http://fake-resend.local/emails/batch");
    expect(request.method).toBe("POST");
    expect(request.headers.get("Authorization")).toBe("Bearer re_test_key");
    expect(request.headers.get("Idempotency-Key")).toBe("digest:2026-11-26:abc");
    expect(request.headers.get("User-Agent")).toMatch(/resend/);
    const body = (await request.json()) as any[];
    expect(body).toHaveLength(2);
    expect(body[0]).toMatchObject({
      from: email.from,
      to: ["ada@example.com"],
      subject: "Hello",
      html: "<p>Hi</p>",
      text: "Hi",
      headers: email.headers,
      tags: email.tags,
    });
  });

  it("sends one email to /emails", async () => {
    const calls = spyOnResend(resendReply(200, { id: "e9" }));
    expect(await mailer.send(email, "confirm:ada")).toMatchObject({ ok: true, ids: ["e9"] });
    expect(calls[0]!.request.url).toBe("http://fake-resend.local/emails");
    expect(calls[0]!.request.headers.get("Idempotency-Key")).toBe("confirm:ada");
  });

  it("keeps a key for the longest address within Resend's 256 characters, the same on a retry", async () => {
    const calls = spyOnResend(resendReply(200, { id: "e1" }));
    const long = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.test`;
    const key = `confirm:${long}:2026-11-26T07:00:00.000Z`;
    expect(key.length).toBeGreaterThan(256);
    await mailer.send({ ...email, to: long }, key);
    await mailer.send({ ...email, to: long }, key);
    const sent = calls.map((c) => c.request.headers.get("Idempotency-Key")!);
    expect(sent[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sent[1]).toBe(sent[0]);
  });

  it("makes a request the spec refuses fail the contract check: a tag value with a space", async () => {
    const calls = spyOnResend(resendReply(200, { id: "e1" }));
    await mailer.send({ ...email, tags: [{ name: "digest", value: "2026 11 26" }] }, "k");
    expect(await contractViolations(calls[0]!)).toEqual([
      'body/tags/0/value: must match pattern "^[A-Za-z0-9_-]+$"',
    ]);
    // Checked here; the afterEach check would fail this test on it.
    calls.length = 0;
  });

  it("makes a batch of 101 fail the contract check", async () => {
    const calls = spyOnResend(resendReply(200, { data: [] }));
    await mailer.sendBatch(
      Array.from({ length: 101 }, () => email),
      "k",
    );
    expect(await contractViolations(calls[0]!)).toEqual([
      "body: a batch holds 1 to 100 emails, this one 101",
    ]);
    calls.length = 0;
  });
});

describe("Resend adapter answers", () => {
  const mailer = createResendMailer({ apiKey: "re_test_key", baseUrl: "http://fake-resend.local" });

  it("asks for permissive validation and tells an address refusal from another field's", async () => {
    const calls = spyOnResend(
      resendReply(200, {
        data: [{ id: "e1" }],
        errors: [
          {
            index: 1,
            message:
              "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
          },
          {
            index: 2,
            message:
              "Invalid `tags` field. Tag names and values can only contain ASCII letters, numbers, underscores, or dashes.",
          },
        ],
      }),
    );
    const result = await mailer.sendBatch(
      [email, { ...email, to: "invalid-bob@example" }, { ...email, to: "cy@example.com" }],
      "digest:2026-11-26:def",
    );
    expect(calls[0]!.request.headers.get("x-batch-validation")).toBe("permissive");
    expect(result).toMatchObject({
      ok: true,
      ids: ["e1"],
      rejected: [
        { index: 1, to: "invalid-bob@example", address: true },
        { index: 2, to: "cy@example.com", address: false },
      ],
    });
  });

  it("never reads a missing `to` field as the reader's bad address", () => {
    expect(isAddressError("The `to` field is missing.")).toBe(false);
    expect(isAddressError("Invalid `headers` field.")).toBe(false);
    expect(isAddressError("Invalid `to` field. The email address needs to follow the ...")).toBe(
      true,
    );
  });

  it("reads the rate headers of every answer, accepted or not", async () => {
    spyOnResend(
      resendReply(200, { id: "e1" }, { "ratelimit-remaining": "0", "ratelimit-reset": "1" }),
    );
    expect(await mailer.send(email, "k")).toMatchObject({
      ok: true,
      rate: { limit: 5, remaining: 0, resetSeconds: 1 },
    });
  });

  it.each([
    [429, "rate_limit_exceeded", { reason: "rate_limited", retryable: true, retryAfterSeconds: 7 }],
    [429, "daily_quota_exceeded", { reason: "quota", retryable: false, quota: { kind: "daily" } }],
    [
      429,
      "monthly_quota_exceeded",
      { reason: "quota", retryable: false, quota: { kind: "monthly" } },
    ],
    [409, "concurrent_idempotent_requests", { reason: "in_progress", retryable: true }],
    [409, "invalid_idempotent_request", { reason: "key_used", retryable: false }],
    [400, "invalid_idempotency_key", { reason: "refused", retryable: false }],
    [401, "missing_api_key", { reason: "refused", retryable: false }],
    [403, "invalid_api_key", { reason: "refused", retryable: false }],
    [403, "validation_error", { reason: "refused", retryable: false }],
    [422, "validation_error", { reason: "refused", retryable: false }],
    [422, "invalid_from_address", { reason: "refused", retryable: false }],
    [422, "missing_required_field", { reason: "refused", retryable: false }],
    [451, "security_error", { reason: "refused", retryable: false }],
    [500, "application_error", { reason: "unavailable", retryable: true }],
    [500, "internal_server_error", { reason: "unavailable", retryable: true }],
  ] as const)("reads %i %s as it is documented", async (status, name, expected) => {
    spyOnResend(resendError(status, name, name, status === 429 ? { "retry-after": "7" } : {}));
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      status,
      name,
      ...expected,
    });
  });

  it("reports a 413 as too large, so the caller splits the batch", async () => {
    spyOnResend(new Response("<html>Request Entity Too Large</html>", { status: 413 }));
    expect(await mailer.sendBatch([email, email], "k")).toMatchObject({
      ok: false,
      reason: "too_large",
      status: 413,
    });
  });

  it("maps a dropped connection to retryable and unavailable", async () => {
    spyOnResend();
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      reason: "unavailable",
      retryable: true,
      status: null,
    });
  });
});
