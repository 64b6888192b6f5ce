import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createArticleStore } from "../../src/articles/article-store";
import { canonicalUrl } from "../../src/articles/canonical-url";

const HOUR = 3_600_000;
const store = () => createArticleStore(env.ARTICLES, env.ARTICLE_URLS);

/** Seeds `count` articles one hour apart ending at `end`, in a year no other test uses. */
async function seed(prefix: string, count: number, end: number, topic?: (i: number) => string[]) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { article } = await store().upsert(
      { url: `https://example.com/${prefix}/${i}`, title: `${prefix} ${i}`, topics: topic?.(i) },
      "alice",
      new Date(end - (count - 1 - i) * HOUR),
    );
    ids.push(article.id);
  }
  return ids.reverse(); // newest first
}

async function pageThrough(query: {
  fromMs?: number;
  toMs?: number;
  topic?: string;
  limit: number;
}) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await store().list({ ...query, cursor });
    seen.push(...page.articles.map((article) => article.id));
    cursor = page.cursor;
    pages++;
  } while (cursor && pages < 100);
  return { seen, pages };
}

describe("canonicalUrl", () => {
  it("lower-cases scheme and host, drops default port, fragment and tracking parameters", () => {
    expect(
      canonicalUrl(
        "HTTPS://Example.COM:443/Path?utm_source=a&b=2&fbclid=x&gclid=y&UTM_Term=z#frag",
      ),
    ).toBe("https://example.com/Path?b=2");
    expect(canonicalUrl("http://example.com:80/")).toBe("http://example.com/");
    expect(canonicalUrl("http://example.com:8080/x")).toBe("http://example.com:8080/x");
  });
});

describe("article store listing", () => {
  it("pages through three days newest first, each article exactly once", async () => {
    const end = Date.parse("2031-03-03T20:00:00Z");
    const ids = await seed("three-days", 60, end); // spans 2031-03-01..03
    for (const limit of [1, 7, 50, 100]) {
      const { seen } = await pageThrough({ fromMs: end - 59 * HOUR, toMs: end, limit });
      expect(seen).toEqual(ids);
    }
  });

  it("bounds the window by createdAt, inclusive of both ends", async () => {
    const end = Date.parse("2032-05-10T12:00:00Z");
    const ids = await seed("window", 10, end);
    const { seen } = await pageThrough({ fromMs: end - 5 * HOUR, toMs: end - 2 * HOUR, limit: 3 });
    expect(seen).toEqual(ids.slice(2, 6));
  });

  it("filters by topic from key metadata", async () => {
    const end = Date.parse("2033-01-02T12:00:00Z");
    const ids = await seed("topics", 12, end, (i) => (i % 3 === 0 ? ["rust", "systems"] : ["web"]));
    const { seen } = await pageThrough({
      fromMs: end - 11 * HOUR,
      toMs: end,
      topic: "rust",
      limit: 2,
    });
    expect(seen).toEqual(ids.filter((_, i) => (11 - i) % 3 === 0));
  });

  it("does not repeat or skip articles when a newer one arrives between pages", async () => {
    const end = Date.parse("2034-07-07T10:00:00Z");
    const ids = await seed("arrivals", 6, end);
    const first = await store().list({ fromMs: end - 5 * HOUR, toMs: end + HOUR, limit: 3 });
    await store().upsert(
      { url: "https://example.com/arrivals/late", title: "late" },
      "bob",
      new Date(end + 30 * 60_000),
    );
    const second = await store().list({
      fromMs: end - 5 * HOUR,
      toMs: end + HOUR,
      limit: 3,
      cursor: first.cursor,
    });
    expect([...first.articles, ...second.articles].map((a) => a.id)).toEqual(ids);
  });

  it("refuses a cursor it did not give out", async () => {
    await expect(store().list({ limit: 5, cursor: "not-a-cursor" })).rejects.toMatchObject({
      status: 400,
    });
  });

  it("reads an article again when its listing names a newer version, and keys from before always", async () => {
    const end = Date.parse("2046-03-01T12:00:00Z");
    const [id] = await seed("versions", 1, end);
    const window = { fromMs: end - HOUR, toMs: end, limit: 10 };
    expect((await store().list(window)).articles[0]?.title).toBe("versions 0");
    // Edited (a new updatedAt, written to the key's metadata): the next listing reads it again.
    await store().patch(id!, { title: "versions 0, corrected" }, new Date(end + HOUR));
    const [edited] = (await store().list(window)).articles;
    expect(edited?.title).toBe("versions 0, corrected");
    // A key written before versions were kept (no `v`) is read every time.
    const key = (await env.ARTICLES.list({ prefix: "v1:article:2046-03-01" })).keys[0]!.name;
    await env.ARTICLES.put(key, JSON.stringify({ ...edited, title: "versions 0, rewritten" }), {
      metadata: { topics: edited!.topics },
    });
    expect((await store().list(window)).articles[0]?.title).toBe("versions 0, rewritten");
  });
});
