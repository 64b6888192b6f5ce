// Titles and summaries as the outlet wrote them, in each of the ways feeds carry text.
import { describe, expect, it } from "vitest";
import { htmlToText, looksLikeHtml } from "../../src/sources/feed-text";
import { readFeed } from "../../src/sources/read-feed";

const BASE = "https://feed.example/feed.xml";
const bytes = (text: string) => new TextEncoder().encode(text);
const read = (xml: string) => readFeed(bytes(xml), { url: BASE, contentType: null });
const titles = (xml: string) => read(xml).items.map((item) => item.title);

const rss = (items: string) =>
  `<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`;
const atom = (entries: string) => `<feed xmlns="http://www.w3.org/2005/Atom">${entries}</feed>`;

// The headlines, as an outlet means them.
const HEADLINES = ["Vec<T> in Rust 2.0", "Why x < y breaks", "A <canvas> game", "AT&T & Map<K, V>"];
const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

describe("titles with code in them", () => {
  it("keep every word in RSS, escaped", () => {
    const items = HEADLINES.map((h) => `<item><title>${escape(h)}</title></item>`).join("");
    expect(titles(rss(items))).toEqual(HEADLINES);
  });

  it("keep every word in RSS, in CDATA", () => {
    const items = HEADLINES.map((h) => `<item><title><![CDATA[${h}]]></title></item>`).join("");
    expect(titles(rss(items))).toEqual(HEADLINES);
  });

  it("keep every word in Atom type=text", () => {
    const entries = HEADLINES.map((h) => `<entry><title type="text">${escape(h)}</title></entry>`);
    expect(titles(atom(entries.join("")))).toEqual(HEADLINES);
  });

  it("keep every word in Atom type=html, escaped twice as HTML text must be", () => {
    const entries = HEADLINES.map(
      (h) => `<entry><title type="html">${escape(escape(h))}</title></entry>`,
    );
    expect(titles(atom(entries.join("")))).toEqual(HEADLINES);
  });

  it("lose markup that is markup: Atom html and xhtml, RSS titles that read as HTML", () => {
    expect(
      titles(
        atom(`<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; claims</title></entry>
          <entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <em>xhtml</em> title &amp;amp; more</div></title></entry>
          <entry><title type="html">Caf&amp;eacute; &amp;amp; bar</title></entry>`),
      ),
    ).toEqual(["Bold claims", "An xhtml title &amp; more", "Café & bar"]);
    expect(
      titles(
        rss(`<item><title>&lt;b&gt;Bold&lt;/b&gt; claims</title></item>
          <item><title>AT&amp;amp;T doubles down</title></item>
          <item><title><![CDATA[<script>alert(1)</script>Breaking: <img src=x>Chips &amp; dips]]></title></item>`),
      ),
    ).toEqual(["Bold claims", "AT&T doubles down", "Breaking: Chips & dips"]);
  });

  it("decode entities once: &amp;lt; is the text &lt; in a text title", () => {
    expect(titles(rss(`<item><title>Write &amp;lt; in HTML</title></item>`))).toEqual([
      "Write < in HTML",
    ]);
    expect(titles(atom(`<entry><title>Write &amp;lt; in HTML</title></entry>`))).toEqual([
      "Write &lt; in HTML",
    ]);
  });

  it("collapse whitespace and control characters", () => {
    expect(titles(rss(`<item><title>  Two\n\tlines&#x7;here  </title></item>`))).toEqual([
      "Two lines here",
    ]);
  });
});

describe("summaries", () => {
  it("keep text after a stray < and angle brackets the outlet escaped", () => {
    const [item] = read(
      rss(
        `<item><title>t</title><description>&lt;p&gt;Why x &lt; y breaks, and Vec&amp;lt;T&amp;gt; &amp;amp; Vec&lt;T&gt; too&lt;/p&gt;&lt;p&gt;Second</description></item>`,
      ),
    ).items;
    expect(item?.summary).toBe("Why x < y breaks, and Vec<T> & Vec<T> too Second");
  });

  it("drop scripts, styles and comments, and keep the words after an unclosed tag", () => {
    expect(htmlToText("<style>p{}</style><p>One<script>evil()</script> two<!-- c --></p>")).toBe(
      "One two",
    );
    expect(htmlToText("Ends with x <y and the rest")).toBe("Ends with x <y and the rest");
    expect(htmlToText("a </ b> c <? d > e")).toBe("a </ b> c <? d > e");
    expect(htmlToText("<![CDATA[kept]]> and &copy; 2026")).toBe("kept and © 2026");
  });

  it("read a 2 MB description of unclosed openers in linear time", () => {
    const hostile = "<script><style><![CDATA[<!--<a ".repeat(64_000);
    const started = performance.now();
    expect(htmlToText(`Intro ${hostile}`, 2000)).toBe("Intro");
    expect(htmlToText(`Text ${"&lt;x ".repeat(350_000)}`, 2000).startsWith("Text <x <x")).toBe(
      true,
    );
    // workerd's clock only moves on I/O; this guards against a hang, the bench measures the time.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("looksLikeHtml", () => {
  it("needs a closing tag or an entity, and only HTML tag names", () => {
    expect(looksLikeHtml("Vec<T>")).toBe(false);
    expect(looksLikeHtml("x < y")).toBe(false);
    expect(looksLikeHtml("A <canvas> game")).toBe(false);
    expect(looksLikeHtml("<b>Bold</b>")).toBe(true);
    expect(looksLikeHtml("Caf&eacute;")).toBe(true);
    expect(looksLikeHtml("Vec<T> and </T>")).toBe(false);
    expect(looksLikeHtml("Tom &notanentity; Jerry")).toBe(false);
  });
});
