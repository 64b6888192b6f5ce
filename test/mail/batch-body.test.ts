// The batch body made from pieces: byte for byte what JSON.stringify writes for the same emails in
// the SDK's field order, whatever the text holds, and the same over a real connection, streamed.
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { batchBody, BODY_SLICE_BYTES, bodyBytes, writeBody } from "../../src/mail/batch-body";
import { emailWithPieces, type OutgoingEmail, type SharedText } from "../../src/mail/mailer";
import { postBatch } from "../../src/mail/resend-batch";

// What the resend SDK sent for each email (its parseEmailToApiOptions, fields in that order).
const sdkShape = (email: OutgoingEmail) => ({
  from: email.from,
  headers: email.headers,
  html: email.html,
  subject: email.subject,
  tags: email.tags,
  text: email.text,
  to: [email.to],
});
const sdkJson = (emails: OutgoingEmail[]) => JSON.stringify(emails.map(sdkShape));
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function sha256(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Shared text with everything JSON must escape or encode: quotes, backslashes, controls, newlines,
// non-ASCII, a surrogate pair, U+2028; and a piece longer than a slice.
const head: SharedText = { text: `<p class='a'>"Quoted" \\ back\u0001slash · naïve 😀 \u2028</p>` };
const big: SharedText = { text: `<div>${"x".repeat(BODY_SLICE_BYTES + 17)}</div>` };
const tail: SharedText = { text: "\n</body>\n" };

const reader = (n: number, own: string) =>
  emailWithPieces(
    {
      to: `reader-${n}@example.com`,
      from: "Tidings <digest@tidings.example>",
      subject: `Tidings: AI · Thu ${n} "news"`,
      headers: { "List-Unsubscribe": `<https://tidings.test/u?token=${own}>` },
      tags: [{ name: "digest", value: "2026-11-26" }],
    },
    [head, own, big, own, tail],
    ['Text "part"\n', own, "\tmore\n"],
  );

describe("the batch body from pieces", () => {
  it("is the bytes JSON.stringify writes, for any text", async () => {
    const emails = [
      reader(1, "tok_A-1"),
      reader(2, "own \ud800 lone and \udc00 lone, \u0000 and 😀"),
      // An email without pieces, headers or tags, as a transactional one.
      { to: "ada@example.com", from: "a@b.example", subject: "Hi", html: "<p>é</p>", text: "é" },
    ];
    const body = batchBody(emails);
    const bytes = await bodyBytes(body);
    expect(body.length).toBe(bytes.length);
    expect(decode(bytes)).toBe(sdkJson(emails));
    expect(decode(await bodyBytes(batchBody([])))).toBe("[]");
  });

  it("is those bytes when emails share a subject and tags, and when either changes between emails", async () => {
    const tags = [
      { name: "digest", value: "2026-11-26T0700" },
      { name: "chunk", value: "3" },
    ];
    const email = (n: number, subject: string, tagged: OutgoingEmail["tags"] = tags) =>
      emailWithPieces(
        { to: `reader-${n}@example.com`, from: "a@b.example", subject, tags: tagged },
        [head, `t${n}`, tail],
        ["Text ", `t${n}`],
      );
    const emails = [
      email(1, "Tidings: AI · Thu 26 Nov"),
      email(2, "Tidings: AI · Thu 26 Nov"),
      email(3, 'Tidings: "Web"'),
      email(4, "Tidings: AI · Thu 26 Nov"),
      // The same subject with other tags (an equal copy, then others), then none.
      email(
        5,
        "Tidings: AI · Thu 26 Nov",
        tags.map((tag) => ({ ...tag })),
      ),
      email(6, "Tidings: AI · Thu 26 Nov", [{ name: "digest", value: "other" }]),
      email(7, "Tidings: AI · Thu 26 Nov", undefined),
    ];
    const body = batchBody(emails);
    const bytes = await bodyBytes(body);
    expect(body.length).toBe(bytes.length);
    expect(decode(bytes)).toBe(sdkJson(emails));
  });

  it("encodes a shared piece once: every email writes the same bytes, never copied", async () => {
    const written: Uint8Array[] = [];
    await writeBody(batchBody([reader(1, "a"), reader(2, "b")]), async (slice) => {
      written.push(slice);
    });
    const whole = written.filter((slice) => slice.length > BODY_SLICE_BYTES);
    expect(whole).toHaveLength(2);
    expect(whole[0]).toBe(whole[1]);
  });

  it("arrives over a real connection as those bytes, with its Content-Length", async () => {
    const emails = Array.from({ length: 100 }, (_, n) => reader(n, `token-${n}`));
    const reply = await postBatch(
      { baseUrl: `${inject("resendContract")}/echo`, apiKey: "re_test", userAgent: "test" },
      emails,
      "k",
    );
    const expected = sdkJson(emails);
    const bytes = new TextEncoder().encode(expected).length;
    expect(bytes).toBeGreaterThan(10 * BODY_SLICE_BYTES);
    expect(reply.data).toEqual({
      sha256: await sha256(expected),
      bytes,
      contentLength: String(bytes),
    });
  });
});
