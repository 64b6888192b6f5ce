// Feeds in any encoding: byte-order mark, then the HTTP charset, then the XML declaration (JSON is
// UTF-8), decoded by workerd's TextDecoder; UTF-16 and UTF-32 too; unknown labels refused by name.
import { describe, expect, it } from "vitest";
import { decodeFeed } from "../../src/sources/feed-encoding";
import { readFeed } from "../../src/sources/read-feed";

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
/** An RSS feed whose one title is `title` (bytes already in the feed's encoding). */
const feed = (title: number[], declaration = "") =>
  new Uint8Array([
    ...ascii(`<?xml version="1.0"${declaration}?><rss version="2.0"><channel><item><title>`),
    ...title,
    ...ascii("</title><link>https://feed.example/1</link></item></channel></rss>"),
  ]);
const titleOf = (bytes: Uint8Array, contentType: string | null = null) =>
  readFeed(bytes, { url: "https://feed.example/feed.xml", contentType }).items[0]?.title;

describe("feed encodings", () => {
  it("reads the legacy encodings the issue names, from the XML declaration", () => {
    const cases: [string, number[], string][] = [
      ["ISO-8859-1", [0x43, 0x61, 0x66, 0xe9], "Café"],
      ["windows-1252", [0x93, 0x51, 0x94, 0x20, 0x80, 0x35], "“Q” €5"],
      ["Shift_JIS", [0x93, 0xfa, 0x96, 0x7b], "日本"],
      ["EUC-JP", [0xc6, 0xfc, 0xcb, 0xdc], "日本"],
      ["GB2312", [0xd6, 0xd0, 0xce, 0xc4], "中文"],
      ["windows-1251", [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2], "Привет"],
      ["EUC-KR", [0xb3, 0xe2], "년"],
      ["KOI8-R", [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], "Привет"],
      ["Big5", [0xa4, 0xa4, 0xa4, 0xe5], "中文"],
    ];
    for (const [label, title, text] of cases) {
      expect(titleOf(feed(title, ` encoding="${label}"`)), label).toBe(text);
    }
  });

  it("lets the HTTP charset win over the XML declaration, and a byte-order mark over both", () => {
    const latin = feed([0x43, 0x61, 0x66, 0xe9], ' encoding="utf-8"');
    expect(titleOf(latin, "application/rss+xml; charset=ISO-8859-1")).toBe("Café");
    expect(titleOf(latin, 'text/xml; charset="windows-1252"')).toBe("Café");
    const utf8 = feed([0x43, 0x61, 0x66, 0xc3, 0xa9], ' encoding="windows-1252"');
    expect(
      titleOf(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]), "text/xml; charset=iso-8859-1"),
    ).toBe("Café");
  });

  it("reads UTF-16 and UTF-32, with or without a byte-order mark", () => {
    const xml = `<?xml version="1.0" encoding="utf-16"?><rss><channel><item><title>Ünïcödé 🦀</title></item></channel></rss>`;
    const units = Array.from({ length: xml.length }, (_, i) => xml.charCodeAt(i));
    const le = units.flatMap((u) => [u & 0xff, u >> 8]);
    const be = units.flatMap((u) => [u >> 8, u & 0xff]);
    expect(titleOf(new Uint8Array([0xff, 0xfe, ...le]))).toBe("Ünïcödé 🦀");
    expect(titleOf(new Uint8Array(be))).toBe("Ünïcödé 🦀");
    const points = Array.from(xml.replace("utf-16", "utf-32"), (c) => c.codePointAt(0) ?? 0);
    const be32 = points.flatMap((p) => [p >>> 24, (p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff]);
    expect(titleOf(new Uint8Array([0, 0, 0xfe, 0xff, ...be32]))).toBe("Ünïcödé 🦀");
    expect(titleOf(new Uint8Array(be32))).toBe("Ünïcödé 🦀");
  });

  it("reads bytes that are not UTF-8 and declare nothing as windows-1252", () => {
    const decoded = decodeFeed(feed([0x64, 0x6f, 0x6e, 0x92, 0x74]), null);
    expect(decoded.encoding).toBe("windows-1252");
    expect(decoded.text).toContain("don’t");
    expect(decoded.warnings[0]).toMatch(/not valid UTF-8/);
  });

  it("refuses an unknown encoding with a message naming it and where it was named", () => {
    expect(() => titleOf(feed([0x41], ' encoding="x-klingon"'))).toThrow(
      /XML declaration names the encoding "x-klingon", which Tidings does not know/,
    );
    expect(() => titleOf(feed([0x41]), "text/xml; charset=bogus-8")).toThrow(
      /Content-Type header names the encoding "bogus-8"/,
    );
  });

  it("reads JSON Feed as UTF-8", () => {
    const json = new TextEncoder().encode(
      JSON.stringify({
        version: "https://jsonfeed.org/version/1.1",
        items: [{ url: "https://feed.example/1", title: "Grüße" }],
      }),
    );
    expect(titleOf(json)).toBe("Grüße");
  });
});
