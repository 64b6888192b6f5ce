// Which link, title and summary each item gets: alternates before anything, atom:link and a10:link in
// RSS, xml:base at every level, relative links against the final address, base64 Atom content.
import { describe, expect, it } from "vitest";
import { titleFromSummary } from "../../src/sources/ingest-items";
import { readFeed } from "../../src/sources/read-feed";

const read = (text: string, url = "https://feed.example/feed.xml") =>
  readFeed(new TextEncoder().encode(text), { url, contentType: null });
const urls = (text: string, url?: string) => read(text, url).items.map((item) => item.url);

describe("item links", () => {
  it("take an Atom entry's alternate, never its enclosure, self, edit or replies link", () => {
    expect(
      urls(`<feed xmlns="http://www.w3.org/2005/Atom">
        <entry><link rel="enclosure" href="https://cdn.example/show.mp3"/><link rel="self" href="https://api.example/1"/>
          <link rel="edit" href="https://api.example/1/edit"/><link rel="replies" href="https://feed.example/1#c"/>
          <link rel="alternate" type="text/html" href="https://feed.example/posts/1"/></entry>
        <entry><link rel="self" href="https://api.example/2"/><link href="https://feed.example/posts/2"/></entry>
        <entry><link rel="enclosure" href="https://cdn.example/only.mp3"/><id>tag:feed.example,2025:3</id></entry>
        <entry><link rel="alternate" type="application/json" href="https://api.example/4.json"/>
          <link rel="alternate" type="application/xhtml+xml" href="https://feed.example/posts/4"/></entry>
      </feed>`),
    ).toEqual([
      "https://feed.example/posts/1",
      "https://feed.example/posts/2",
      null,
      "https://feed.example/posts/4",
    ]);
  });

  it("read atom:link and a10:link in RSS items that have no <link>, and a permalink guid", () => {
    expect(
      urls(`<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:a10="http://www.w3.org/2005/Atom"><channel>
        <item><title>a</title><atom:link rel="self" href="https://feed.example/self"/><atom:link href="https://feed.example/a"/></item>
        <item><title>b</title><a10:link href="https://feed.example/b"/></item>
        <item><title>c</title><guid>https://feed.example/c</guid></item>
        <item><title>d</title><guid isPermaLink="false">https://feed.example/d</guid></item>
        <item><title>e</title><guid>12345</guid></item>
        <item><title>f</title><link>tag:feed.example,2025:f</link></item>
      </channel></rss>`),
    ).toEqual([
      "https://feed.example/a",
      "https://feed.example/b",
      "https://feed.example/c",
      null,
      null,
      null,
    ]);
  });

  it("resolve xml:base at every level, and relative links against the final address", () => {
    expect(
      urls(
        `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/en/">
          <entry xml:base="2025/"><link href="post-1"/></entry>
          <entry><link xml:base="https://other.example/x/" href="post-2"/></entry>
          <entry><link href="/post-3"/></entry></feed>`,
      ),
    ).toEqual([
      "https://blog.example/en/2025/post-1",
      "https://other.example/x/post-2",
      "https://blog.example/post-3",
    ]);
    expect(
      urls(
        `<rss><channel><item><title>r</title><link>posts/4</link></item></channel></rss>`,
        "https://moved.example/feeds/rss.xml",
      ),
    ).toEqual(["https://moved.example/feeds/posts/4"]);
  });
});

describe("item text", () => {
  it("decodes base64 Atom content", () => {
    const [entry] = read(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title>
      <content type="application/octet-stream">${btoa("Plain words in base64")}</content></entry></feed>`).items;
    expect(entry?.summary).toBe("Plain words in base64");
    const [old] = read(`<feed xmlns="http://purl.org/atom/ns#"><entry><title>t</title>
      <content type="text/html" mode="base64">${btoa("<p>HTML in <b>base64</b></p>")}</content></entry></feed>`).items;
    expect(old?.summary).toBe("HTML in base64");
  });

  it("reads base64 titles, Media RSS titles of title-less items, and the last of a repeated field", () => {
    const feed = read(`<rss xmlns:media="http://search.yahoo.com/mrss/"><channel>
      <item><link>https://feed.example/1</link><media:group><media:title>Episode 12</media:title></media:group></item>
      <item><title>Old title</title><title>New title</title><pubDate>Mon, 02 Jun 2025 09:00:00 GMT</pubDate>
        <pubDate>Tue, 03 Jun 2025 09:00:00 GMT</pubDate></item></channel></rss>`);
    expect(feed.items.map((i) => [i.title, i.publishedAt])).toEqual([
      ["Episode 12", null],
      ["New title", "2025-06-03T09:00:00.000Z"],
    ]);
    const [entry] = read(`<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <title type="application/octet-stream">${btoa("Example <b>Atom</b>")}</title>
      <link rel="alternate" type="text/html">https://feed.example/text-link</link></entry></feed>`).items;
    expect(entry).toMatchObject({
      title: "Example <b>Atom</b>",
      url: "https://feed.example/text-link",
    });
  });

  it("keeps title-less items, for ingestion to title from their summary's first sentence", () => {
    const items = read(`<rss><channel><item><link>https://feed.example/1</link>
      <description>&lt;p&gt;Shipped a tiny parser today. It reads every feed.&lt;/p&gt;</description></item></channel></rss>`).items;
    expect(items[0]?.title).toBeNull();
    expect(titleFromSummary(items[0]?.summary ?? null)).toBe("Shipped a tiny parser today");
    const long = "word ".repeat(60);
    const title = titleFromSummary(long) ?? "";
    expect(title.length).toBeLessThanOrEqual(120);
    expect(title).toMatch(/^(word )+word…$/);
    expect(titleFromSummary("Is it out? Yes.")).toBe("Is it out?");
  });

  it("reads JSON Feed items without a title, and their external_url", () => {
    const json = JSON.stringify({
      version: "https://jsonfeed.org/version/1",
      items: [
        { id: "1", url: "https://feed.example/1", content_text: "A micro-post. With more." },
        {
          id: "2",
          external_url: "https://elsewhere.example/2",
          title: "Linked",
          date_modified: "2025-06-02T10:00:00Z",
        },
      ],
    });
    expect(read(json).items).toEqual([
      {
        title: null,
        url: "https://feed.example/1",
        publishedAt: null,
        summary: "A micro-post. With more.",
      },
      {
        title: "Linked",
        url: "https://elsewhere.example/2",
        publishedAt: "2025-06-02T10:00:00.000Z",
        summary: null,
      },
    ]);
  });
});
