// Real-world feeds through the sources API and the local feed server: encodings from the HTTP
// charset, links after a redirect, cut-off feeds, undated items, and the reasons an editor reads.
import { describe, expect, inject, it } from "vitest";
import { api } from "../fixtures/api";

const FEEDS = inject("feedServer");

async function addAndFetch(path: string) {
  const added = (await (
    await api("/api/sources", { method: "POST", json: { url: `${FEEDS}/${path}` } })
  ).json()) as any;
  return fetchNow(added.source.id);
}

async function fetchNow(id: string) {
  const response = await api(`/api/sources/${id}/fetch`, { method: "POST" });
  expect(response.status).toBe(200);
  return (await response.json()) as any;
}

async function articlesOf(sourceId: string) {
  const { articles } = (await (await api("/api/articles?limit=100")).json()) as { articles: any[] };
  return articles.filter((article) => article.editor === `feed:${sourceId}`);
}

describe("feeds from the real world", () => {
  it("decodes a windows-1252 feed by its HTTP charset", async () => {
    const result = await addAndFetch("latin.xml");
    expect(result.fetch).toMatchObject({ status: "fetched", created: 1 });
    expect((await articlesOf(result.source.id)).map((a) => a.title)).toEqual(["Café “quoted”"]);
  });

  it("resolves relative links against the address a redirect ended at", async () => {
    const result = await addAndFetch("moved-relative");
    const [article] = await articlesOf(result.source.id);
    expect(article.url).toBe(`${FEEDS}/sub/dir/posts/1`);
  });

  it("takes the items before a cut-off and keeps the warning for the editor", async () => {
    const result = await addAndFetch("cut.xml");
    expect(result.fetch).toMatchObject({ status: "fetched", items: 1, created: 1 });
    expect(result.fetch.warning).toMatch(
      /^The feed stops at line \d+, column \d+, inside <\w+>, as if cut off/,
    );
    expect(result.source).toMatchObject({ failures: 0, lastError: null });
    expect(result.source.lastWarning).toBe(result.fetch.warning);
  });

  it("says why a feed is refused: an unknown encoding, an HTML page", async () => {
    const klingon = await addAndFetch("klingon.xml");
    expect(klingon.source.lastError).toMatch(
      /names the encoding "x-klingon", which Tidings does not know/,
    );
    const page = await addAndFetch("html-page");
    expect(page.source.lastError).toBe(
      `This address serves an HTML page, not a feed. The page names its feed: ${FEEDS}/rss.xml`,
    );
  });
});

describe("undated items", () => {
  it("are dated when first seen once the feed is known, never on its first fetch, never re-dated", async () => {
    await fetch(`${FEEDS}/set-undated?feed=micro&items=1,2`);
    const added = (await (
      await api("/api/sources", {
        method: "POST",
        json: { url: `${FEEDS}/undated.xml?feed=micro` },
      })
    ).json()) as any;
    const id = added.source.id;
    // The first fetch sees a backlog of unknown age: none of it is today's news.
    expect((await fetchNow(id)).fetch).toMatchObject({ items: 2, created: 0, skipped: 2 });
    await fetch(`${FEEDS}/set-undated?feed=micro&items=1,2,3`);
    const before = Date.now();
    expect((await fetchNow(id)).fetch).toMatchObject({ items: 3, created: 1 });
    const [third] = await articlesOf(id);
    expect(third.title).toBe("Undated 3");
    const firstSeen = Date.parse(third.publishedAt);
    expect(firstSeen).toBeGreaterThanOrEqual(before - 1000);
    expect(firstSeen).toBeLessThanOrEqual(Date.now());
    // Fetched again, nothing is created or re-dated.
    expect((await fetchNow(id)).fetch).toMatchObject({ items: 3, created: 0 });
    expect((await articlesOf(id)).map((a) => a.publishedAt)).toEqual([third.publishedAt]);
  });

  it("are skipped when the feed's dated items are old news", async () => {
    const result = await addAndFetch("stale.xml");
    expect(result.fetch).toMatchObject({ items: 3, created: 0, skipped: 3 });
  });
});
