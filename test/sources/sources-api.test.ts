// The sources API against the local feed server: formats, caps, failures, skip rules, idempotency.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { api } from "../fixtures/api";
import { platformUsage, resetPlatformUsage } from "../platform/platform-limits";

declare module "vitest" {
  export interface ProvidedContext {
    feedServer: string;
  }
}

const FEEDS = inject("feedServer");

async function addSource(body: Record<string, unknown>) {
  const response = await api("/api/sources", { method: "POST", json: body });
  return { response, body: (await response.json()) as any };
}

async function fetchNow(id: string) {
  const response = await api(`/api/sources/${id}/fetch`, { method: "POST" });
  return { response, body: (await response.json()) as any };
}

async function articlesBy(editor: string) {
  const response = await api("/api/articles?limit=100");
  const { articles } = (await response.json()) as { articles: any[] };
  return articles.filter((article) => article.editor === editor);
}

describe("the sources API", () => {
  it("creates a source with defaults, and the same URL twice is one source", async () => {
    const first = await addSource({ url: `${FEEDS}/rss.xml#top`, topics: ["dev"] });
    expect(first.response.status).toBe(201);
    expect(first.body.source).toMatchObject({
      url: `${FEEDS}/rss.xml`,
      name: "127.0.0.1",
      topics: ["dev"],
      everyMinutes: 60,
      failures: 0,
      lastFetchAt: null,
    });
    const again = await addSource({ url: `${FEEDS}/rss.xml?utm_source=x`, name: "Other" });
    expect(again.response.status).toBe(200);
    expect(again.body.source.id).toBe(first.body.source.id);
    const list = (await (await api("/api/sources")).json()) as any;
    expect(list.sources.filter((s: any) => s.url === `${FEEDS}/rss.xml`)).toHaveLength(1);
  });

  it("refuses bad input with a clear 4xx and stores nothing", async () => {
    for (const body of [
      { url: "ftp://example.com/feed" },
      { url: `${FEEDS}/x`, everyMinutes: 5 },
      { url: `${FEEDS}/x`, everyMinutes: 2000 },
      { url: `${FEEDS}/x`, extra: true },
      { url: `${FEEDS}/x`, topics: ["Not A Slug"] },
    ]) {
      const { response, body: answer } = await addSource(body);
      expect(response.status).toBe(400);
      expect(answer.error.code).toBe("invalid_request");
    }
    const list = (await (await api("/api/sources")).json()) as any;
    expect(list.sources.some((s: any) => s.url === `${FEEDS}/x`)).toBe(false);
    expect((await api("/api/sources/nope/fetch", { method: "POST" })).status).toBe(404);
  });

  it("fetches an RSS feed into articles once, then costs a 304 and creates nothing", async () => {
    // Another query string: another source than the first test's, the same feed.
    const { body } = await addSource({
      url: `${FEEDS}/rss.xml?v=2`,
      name: "Good RSS",
      topics: ["dev"],
    });
    const id = body.source.id;
    const first = await fetchNow(id);
    expect(first.response.status).toBe(200);
    expect(first.body.fetch).toMatchObject({
      status: "fetched",
      httpStatus: 200,
      items: 2,
      created: 2,
    });
    const articles = await articlesBy(`feed:${id}`);
    expect(articles.map((a) => a.title).sort()).toEqual([
      "Rust 2.0 ships with a new borrow checker",
      "SQLite adds a vector index",
    ]);
    const rust = articles.find((a) => a.title.startsWith("Rust"));
    expect(rust).toMatchObject({
      url: `${FEEDS}/posts/rust-2`,
      source: "Good RSS",
      topics: ["dev"],
      summary: "The Rust team & friends released Rust 2.0.",
    });
    resetPlatformUsage();
    const second = await fetchNow(id);
    // The validators live in the registry's SQLite: an unchanged feed costs no KV operation.
    expect(platformUsage().totalsByKind.kv ?? 0).toBeLessThanOrEqual(2);
    expect(platformUsage().totalsByKind.fetch).toBe(1);
    expect(second.body.fetch).toMatchObject({ status: "not_modified", created: 0 });
    expect(second.body.source).toMatchObject({ lastStatus: 304, failures: 0, itemsLastFetch: 2 });
    expect(await articlesBy(`feed:${id}`)).toHaveLength(2);
  });

  it("reads RSS 1.0 (RDF), Atom 1.0, JSON Feed 1.1, a gzip-encoded feed and one redirect", async () => {
    const expected: Record<string, string> = {
      "rdf.xml": "RDF item about Postgres 19",
      "atom.xml": "Atom entry on WebAssembly GC",
      "feed.json": "JSON Feed item: Deno 3 released",
      "gzip.xml": "Atom entry on WebAssembly GC",
      moved: "Atom entry on WebAssembly GC",
    };
    for (const [path, title] of Object.entries(expected)) {
      const { body } = await addSource({ url: `${FEEDS}/${path}` });
      const { body: result } = await fetchNow(body.source.id);
      expect(result.fetch, path).toMatchObject({ status: "fetched", items: 1 });
      const articles = await articlesBy(`feed:${body.source.id}`);
      // The same item URL from two sources is one article: only its first source created it.
      if (path === "rdf.xml" || path === "atom.xml" || path === "feed.json") {
        expect(
          articles.map((a) => a.title),
          path,
        ).toEqual([title]);
      }
    }
  });

  it("keeps only plain text from script and markup in titles and descriptions", async () => {
    const { body } = await addSource({ url: `${FEEDS}/hostile.xml` });
    await fetchNow(body.source.id);
    const [article] = await articlesBy(`feed:${body.source.id}`);
    expect(article.title).toBe("Breaking: Chips & dips");
    // `&lt;world&gt;` is text the outlet wrote: it stays, while markup and scripts go.
    expect(article.summary).not.toMatch(/script|evil|onclick|javascript|p\{\}|<p|<a|<\//);
    expect(article.summary.startsWith("Hello <world> — click word word")).toBe(true);
    expect(article.summary.endsWith("…")).toBe(true);
    expect(article.summary.length).toBeLessThanOrEqual(2000);
  });

  it("skips items older than 7 days and more than a day ahead", async () => {
    const { body } = await addSource({ url: `${FEEDS}/dated.xml` });
    const { body: result } = await fetchNow(body.source.id);
    expect(result.fetch).toMatchObject({ items: 3, created: 1, skipped: 2 });
    expect((await articlesBy(`feed:${body.source.id}`)).map((a) => a.title)).toEqual([
      "Fresh today",
    ]);
    // No validators on this feed: the second fetch reads it all again and creates nothing.
    const { body: again } = await fetchNow(body.source.id);
    expect(again.fetch).toMatchObject({ status: "fetched", items: 3, created: 0 });
    expect(await articlesBy(`feed:${body.source.id}`)).toHaveLength(1);
  });

  it("lets one caller fetch a source at a time: a racing fetch is told it is busy", async () => {
    const { body } = await addSource({ url: `${FEEDS}/atom.xml?race=1` });
    const [first, second] = await Promise.all([fetchNow(body.source.id), fetchNow(body.source.id)]);
    const statuses = [first.response.status, second.response.status].sort();
    expect(statuses).toEqual([200, 409]);
    const busy = first.response.status === 409 ? first.body : second.body;
    expect(busy.error.code).toBe("busy");
    expect((await fetchNow(body.source.id)).response.status).toBe(200);
  });

  it("records each kind of failure, backs off, and never answers 500", async () => {
    const cases: Record<string, RegExp> = {
      "invalid.xml": /The feed stops at line 1, column \d+, inside <title>, before its first item/,
      "page.html": /an HTML page, not a feed/,
      gone: /HTTP 404/,
      broken: /HTTP 500/,
      loop: /More than 3 redirects/,
      "huge.xml": /larger than 2097152 bytes/,
    };
    for (const [path, error] of Object.entries(cases)) {
      const { body } = await addSource({ url: `${FEEDS}/${path}`, everyMinutes: 15 });
      const before = Date.now();
      const { response, body: result } = await fetchNow(body.source.id);
      expect(response.status, path).toBe(200);
      expect(result.fetch.status, path).toBe("failed");
      expect(result.source.lastError, path).toMatch(error);
      expect(result.source.failures, path).toBe(1);
      const wait = Date.parse(result.source.nextFetchAt) - before;
      expect(wait, path).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
      const again = await fetchNow(body.source.id);
      expect(again.body.source.failures, path).toBe(2);
      expect(Date.parse(again.body.source.nextFetchAt) - before, path).toBeGreaterThanOrEqual(
        30 * 60_000 - 1000,
      );
    }
  });

  it(
    "gives up on a server that does not answer within 10 seconds",
    { timeout: 30_000 },
    async () => {
      const { body } = await addSource({ url: `${FEEDS}/slow` });
      const { body: result } = await fetchNow(body.source.id);
      expect(result.fetch.status).toBe("failed");
      expect(result.source.lastError).toMatch(/No answer within 10 s/);
    },
  );

  it("changes and deletes a source", async () => {
    const { body } = await addSource({ url: `${FEEDS}/patch-me.xml` });
    const id = body.source.id;
    const patched = await api(`/api/sources/${id}`, {
      method: "PATCH",
      json: { name: "Renamed", everyMinutes: 30 },
    });
    expect(((await patched.json()) as any).source).toMatchObject({
      name: "Renamed",
      everyMinutes: 30,
    });
    expect(
      (await api(`/api/sources/${id}`, { method: "PATCH", json: { url: "https://x.test/" } }))
        .status,
    ).toBe(400);
    expect((await api(`/api/sources/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/sources/${id}`)).status).toBe(404);
    expect((await api(`/api/sources/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("imports an OPML list, nested outlines included, known URLs once", async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
      <outline text="Tech"><outline type="rss" text="Atom one" xmlUrl="${FEEDS}/opml-a.xml"/>
      <outline type="rss" text="Again" xmlUrl="${FEEDS}/opml-a.xml"/></outline>
      <outline type="rss" title="JSON" xmlUrl="${FEEDS}/opml-b.json"/>
      <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/></body></opml>`;
    const response = await api("/api/sources/opml", {
      method: "POST",
      body: opml,
      headers: { "Content-Type": "text/xml" },
    });
    expect(response.status).toBe(201);
    const result = (await response.json()) as any;
    expect(result.created.map((s: any) => s.name)).toEqual(["Atom one", "JSON"]);
    expect(result.existing).toHaveLength(1);
    expect(result.invalid).toHaveLength(1);
    const notOpml = await api("/api/sources/opml", {
      method: "POST",
      body: "hello",
      headers: { "Content-Type": "text/xml" },
    });
    expect(notOpml.status).toBe(400);
    const wrongType = await api("/api/sources/opml", { method: "POST", json: { opml } });
    expect(wrongType.status).toBe(415);
  });

  it("needs the editor token", async () => {
    expect((await api("/api/sources", { token: null })).status).toBe(401);
    expect(env.ALLOW_PRIVATE_FEEDS).toBe("true");
  });
});
