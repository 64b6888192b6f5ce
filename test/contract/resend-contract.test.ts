// The contract check itself (bench/resend-contract.mjs), in Node: it is derived from resend.yaml,
// passes the requests the Resend SDK makes for Tidings' emails, and refuses what the spec or the
// documented limits refuse, with the rule it broke.
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { requestViolations, SPEC_WEBHOOK_TYPES } from "../../bench/resend-contract.mjs";
import { createResendMailer } from "../../src/mail/resend-mailer";

const email = {
  to: "ada@example.com",
  from: "Tidings <digest@tidings.example>",
  subject: "Tidings for 26 November",
  html: "<p>Hi</p>",
  text: "Hi",
  headers: {
    "List-Unsubscribe": "<https://tidings.test/unsubscribe?token=t>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  },
  tags: [
    { name: "digest", value: "2026-11-26T0700" },
    { name: "chunk", value: "12" },
  ],
};

/** The request the real adapter (and the SDK under it) makes, captured instead of sent. */
async function captured(send: (mailer: ReturnType<typeof createResendMailer>) => Promise<unknown>) {
  const real = globalThis.fetch;
  let request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string;
  } | null = null;
  globalThis.fetch = async (input, init) => {
    const sent = new Request(input as RequestInfo, init);
    const headers: Record<string, string> = {};
    sent.headers.forEach((value, name) => (headers[name] = value));
    request = {
      method: sent.method,
      path: new URL(sent.url).pathname,
      headers,
      body: await sent.text(),
    };
    return new Response(JSON.stringify({ data: [] }), { status: 200 });
  };
  try {
    await send(createResendMailer({ apiKey: "re_test", baseUrl: "http://resend.test" }));
  } finally {
    globalThis.fetch = real;
  }
  return request!;
}

describe("the contract derived from resend.yaml", () => {
  it("passes the batch and single requests Tidings makes", async () => {
    const batch = await captured((m) =>
      m.sendBatch([email, { ...email, to: "bo@example.com" }], "digest/2026-11-26/0/ab"),
    );
    expect(batch.path).toBe("/emails/batch");
    expect(requestViolations(batch)).toEqual([]);
    const single = await captured((m) =>
      m.send(email, "confirm:ada@example.com:2026-11-26T07:00:00.000Z"),
    );
    expect(requestViolations(single)).toEqual([]);
  });

  it("refuses what the spec's schema refuses: a missing subject, a `to` of 51 addresses", () => {
    const headers = {
      authorization: "Bearer re_x",
      "user-agent": "resend-node:6",
      "content-type": "application/json",
    };
    const { subject: _subject, ...noSubject } = email;
    expect(
      requestViolations({ method: "POST", path: "/emails", headers, body: noSubject }),
    ).toEqual(["body: must have required property 'subject'"]);
    const many = { ...email, to: Array.from({ length: 51 }, (_, i) => `r${i}@example.com`) };
    expect(
      requestViolations({ method: "POST", path: "/emails", headers, body: many }).join(),
    ).toMatch(/body\/to: must NOT have more than 50 items/);
  });

  it("refuses what the documented limits refuse: tag characters, 101 emails, key length, headers", async () => {
    const request = await captured((m) =>
      m.sendBatch(
        Array.from({ length: 101 }, () => ({
          ...email,
          tags: [{ name: "digest", value: "26 Nov" }],
        })),
        "",
      ),
    );
    const found = requestViolations({
      ...request,
      headers: { ...request.headers, "idempotency-key": "", "x-idempotency-key": "k" },
    });
    expect(found).toContain("header x-idempotency-key: not a header Resend's API defines");
    expect(found).toContain("header Idempotency-Key: must be 1 to 256 characters, is 0");
    expect(found).toContain("body: a batch holds 1 to 100 emails, this one 101");
    expect(found).toContain('body/0/tags/0/value: must match pattern "^[A-Za-z0-9_-]+$"');
    const noAuth = requestViolations({ method: "POST", path: "/emails", headers: {}, body: email });
    expect(noAuth).toEqual([
      "header Authorization: must be `Bearer <API key>` (securitySchemes.bearerAuth)",
      "header User-Agent: required",
    ]);
  });

  it("knows the spec's operations and webhook types", () => {
    const headers = { authorization: "Bearer re_x", "user-agent": "t" };
    expect(requestViolations({ method: "POST", path: "/email", headers })).toEqual([
      "POST /email: not an operation of Resend's API",
    ]);
    expect(SPEC_WEBHOOK_TYPES).toEqual(
      expect.arrayContaining(["email.suppressed", "email.failed"]),
    );
  });
});
