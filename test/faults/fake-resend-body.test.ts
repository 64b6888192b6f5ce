// How the fake Resend reads a big batch body: long html and text values are measured on the bytes and
// left out of the parse (bench/fake-resend-body.mjs). Everything else must read exactly as JSON.parse
// reads it, whatever the long values hold: escaped quotes, a trailing backslash, text that looks like
// a key, characters beyond ASCII.
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { parseBody, sizeOf, skim, wholeEmail } from "../../bench/fake-resend-body.mjs";

const SKIM_ALL = 0;
const tricky = (i: number) =>
  `<p title="x">Story ${i}: é ✓ 🚀 a \\ backslash, ,"html":"not a key", {"text":"nor this"}</p>`.repeat(
    20,
  ) + "\\";

function batch(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    from: "Tidings <digest@tidings.example>",
    headers: { "List-Unsubscribe": `<https://t.example/u/${i}>` },
    html: tricky(i),
    subject: `Ünïcode “subject” ${i}`,
    tags: [{ name: "text", value: "html" }],
    text: `${tricky(i)}\n"quoted"`,
    to: [`reader-${i}@example.com`],
  }));
}

const bytesOfValue = (value: string) => Buffer.byteLength(JSON.stringify(value)) - 2;

describe("the fake's skim of a big body", () => {
  it("reads every other field exactly and measures html and text as the bytes sent", () => {
    const emails = batch(30);
    const raw = Buffer.from(JSON.stringify(emails));
    const read = parseBody(raw, SKIM_ALL);
    expect(read).toHaveLength(30);
    read.forEach((email: Record<string, unknown>, i: number) => {
      const { html, text, ...rest } = emails[i]!;
      expect({ ...email, html: undefined, text: undefined }).toEqual({
        ...rest,
        html: undefined,
        text: undefined,
      });
      expect(email.html).not.toBe(html);
      expect(sizeOf(email)).toBe(bytesOfValue(html) + bytesOfValue(text));
    });
  });

  it("cuts nothing but the values: the skimmed bytes plus the sizes are the body", () => {
    const raw = Buffer.from(JSON.stringify(batch(3)));
    const { skimmed, sizes } = skim(raw);
    expect(sizes).toHaveLength(6);
    const placeholders = skimmed.toString().match(/\\u0001skim:\d+/g) ?? [];
    const placeholderBytes = placeholders.reduce((sum: number, p: string) => sum + p.length, 0);
    expect(skimmed.length - placeholderBytes + sizes.reduce((a: number, b: number) => a + b)).toBe(
      raw.length,
    );
  });

  it("keeps short values, reads spaced JSON whole, and still refuses a broken body", () => {
    const short = [{ from: "a@b.example", to: ["c@d.example"], subject: "s", html: "<p>é</p>" }];
    expect(parseBody(Buffer.from(JSON.stringify(short)), SKIM_ALL).map(wholeEmail)).toEqual(short);
    const spaced = Buffer.from(JSON.stringify(batch(2), null, 2));
    expect(parseBody(spaced, SKIM_ALL).map(wholeEmail)).toEqual(JSON.parse(spaced.toString()));
    const broken = Buffer.from(JSON.stringify(batch(2)).slice(0, -40));
    expect(() => parseBody(broken, SKIM_ALL)).toThrow();
    const unterminated = Buffer.from(`[{"from":"a@b.example","html":"${"x".repeat(2000)}`);
    expect(() => parseBody(unterminated, SKIM_ALL)).toThrow();
  });
});
