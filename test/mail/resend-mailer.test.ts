import { afterEach, describe, expect, it, vi } from "vitest";
import { createResendMailer } from "../../src/mail/resend-mailer";

const email = {
  to: "ada@example.com",
  from: "Tidings <digest@tidings.example>",
  subject: "Hello",
  html: "<p>Hi</p>",
  text: "Hi",
  headers: { "List-Unsubscribe": "<https://tidings.test/unsubscribe?token=t>" },
  tags: [{ name: "digest", value: "2026-11-26" }],
};

/** The fake provider at the edge: answers each call with the next canned response and records the request. */
function fakeResend(...responses: Response[]) {
  const calls: Request[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    calls.push(new Request(input as RequestInfo, init));
    const next = responses.shift();
    if (!next) throw new TypeError("network connection lost");
    return next;
  });
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });

afterEach(() => vi.restoreAllMocks());

describe("Resend adapter", () => {
  const mailer = createResendMailer({ apiKey: "re_test_key", baseUrl: "http://fake-resend.local" });

  it("sends a batch to /emails/batch with the key, the idempotency key and every field", async () => {
    const calls = fakeResend(json(200, { data: [{ id: "e1" }, { id: "e2" }] }));
    const result = await mailer.sendBatch(
      [email, { ...email, to: "bob@example.com" }],
      "digest:2026-11-26:abc",
    );
    expect(result).toEqual({ ok: true, ids: ["e1", "e2"], rejected: [] });
    const request = calls[0]!;
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
    const calls = fakeResend(json(200, { id: "e9" }));
    expect(await mailer.send(email, "confirm:ada")).toEqual({
      ok: true,
      ids: ["e9"],
      rejected: [],
    });
    expect(calls[0]!.url).toBe("http://fake-resend.local/emails");
    expect(calls[0]!.headers.get("Idempotency-Key")).toBe("confirm:ada");
  });

  it("asks for permissive validation and names the one address the provider refused", async () => {
    const calls = fakeResend(
      json(200, {
        data: [{ id: "e1" }, { id: "e3" }],
        errors: [{ index: 1, message: "Invalid `to` field." }],
      }),
    );
    const result = await mailer.sendBatch(
      [email, { ...email, to: "invalid-bob@example" }, { ...email, to: "cy@example.com" }],
      "digest:2026-11-26:def",
    );
    expect(calls[0]!.headers.get("x-batch-validation")).toBe("permissive");
    expect(result).toEqual({
      ok: true,
      ids: ["e1", "e3"],
      rejected: [{ index: 1, to: "invalid-bob@example", message: "Invalid `to` field." }],
    });
  });

  it("reports a 413 as such and not retryable, so the caller splits the batch", async () => {
    fakeResend(new Response("<html>Request Entity Too Large</html>", { status: 413 }));
    expect(await mailer.sendBatch([email, email], "k")).toMatchObject({
      ok: false,
      retryable: false,
      status: 413,
    });
  });

  it("maps 429 to retryable with the retry-after value", async () => {
    fakeResend(
      json(
        429,
        { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests" },
        { "retry-after": "7" },
      ),
    );
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterSeconds: 7,
      status: 429,
    });
  });

  it("maps 500 to retryable", async () => {
    fakeResend(json(500, { statusCode: 500, name: "internal_server_error", message: "boom" }));
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      retryable: true,
      status: 500,
    });
  });

  it("maps a dropped connection to retryable", async () => {
    fakeResend();
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      retryable: true,
      status: null,
    });
  });

  it("maps other 4xx to not retryable", async () => {
    fakeResend(json(422, { statusCode: 422, name: "validation_error", message: "bad from" }));
    expect(await mailer.sendBatch([email], "k")).toMatchObject({
      ok: false,
      retryable: false,
      status: 422,
    });
  });
});
