// What an editor reads when a feed is refused, and what a damaged feed still yields.
import { describe, expect, it } from "vitest";
import { readFeed } from "../../src/sources/read-feed";
import { MAX_XML_DEPTH } from "../../src/sources/xml-walker";

const read = (text: string) =>
  readFeed(new TextEncoder().encode(text), {
    url: "https://feed.example/feed.xml",
    contentType: null,
  });
const refusal = (text: string) => {
  try {
    read(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("the feed was not refused");
};
const item = (n: number) =>
  `<item><title>Item ${n}</title><link>https://feed.example/${n}</link></item>`;

describe("a damaged feed", () => {
  it("yields the items before a cut-off, with a warning that says where", () => {
    const feed = read(
      `<?xml version="1.0"?><rss><channel>${item(1)}${item(2)}\n<item><title>Cut in ha`,
    );
    expect(feed.items.map((i) => i.title)).toEqual(["Item 1", "Item 2"]);
    expect(feed.warnings[0]).toBe(
      "The feed stops at line 2, column 23, inside <title>, as if cut off: the 2 items before it were read.",
    );
    expect(refusal(`<rss><channel><item><title>Cut`)).toMatch(
      /^The feed stops at line 1, column 31, inside <title>, before its first item is complete/,
    );
  });

  it("reads past a stray or misplaced end tag and names it in a warning", () => {
    const feed = read(
      `<rss><channel>${item(1)}</b>\n<item><title>Two</item>${item(3)}</channel></rss>`,
    );
    expect(feed.items.map((i) => i.title)).toEqual(["Item 1", "Two", "Item 3"]);
    expect(feed.warnings).toEqual([
      "XML error at line 1, column 84: </b> closes no open element.",
      "XML error at line 2, column 17: </item> comes before </title>.",
    ]);
  });

  it("reads 100 levels of nesting, and refuses more than the limit by saying so", () => {
    const deep = (levels: number) =>
      `<rss><channel>${item(1)}${"<x>".repeat(levels)}${"</x>".repeat(levels)}</channel></rss>`;
    expect(read(deep(100)).items).toHaveLength(1);
    expect(refusal(deep(MAX_XML_DEPTH + 5))).toMatch(
      /^The feed nests elements more than 1000 levels deep \(at line 1, column \d+\)/,
    );
  });

  it("never expands an external entity, and reads the feed around it", () => {
    const feed =
      read(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
      <rss><channel><item><title>Safe &xxe; title</title><link>https://feed.example/1</link></item></channel></rss>`);
    expect(feed.items.map((i) => i.title)).toEqual(["Safe &xxe; title"]);
  });
});

describe("a refused feed says why", () => {
  it("names an HTML page, and the feed it links to", () => {
    expect(
      refusal("<!DOCTYPE html><html><head><title>Blog</title></head><body>hi</body></html>"),
    ).toBe("This address serves an HTML page, not a feed.");
    expect(
      refusal(
        `<!doctype html><html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head></html>`,
      ),
    ).toBe(
      "This address serves an HTML page, not a feed. The page names its feed: https://feed.example/atom.xml",
    );
  });

  it("names the root element that is not a feed's, the empty body, JSON that is not a feed", () => {
    expect(refusal(`<?xml version="1.0"?>\n<foo></foo>`)).toBe(
      "Not a feed: the document's root element is <foo> (line 2, column 6), where a feed has <rss>, <feed> or <rdf:RDF>.",
    );
    expect(refusal("   ")).toBe("Not a feed: the body is empty.");
    expect(refusal("Service unavailable")).toBe(
      'Not a feed: the body is neither XML nor JSON (it begins "Service unavailable").',
    );
    expect(refusal(`{"items": []}`)).toMatch(/^Not a feed: this JSON is not a JSON Feed/);
    expect(refusal(`{"version": `)).toMatch(
      /^Not a feed: the body starts like JSON but is not valid JSON/,
    );
  });
});
