import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, BOB, postArticle } from "../fixtures/api";
import { kvSnapshot, uniqueUrl } from "../fixtures/kv";

let slugs = 0;
/** A fresh article each call: storage is shared by the tests of one file. */
function sampleArticle() {
  const slug = `pytorch-foundation-${++slugs}`;
  return {
    slug,
    article: {
      url: `https://www.example.com/${slug}?utm_source=x#top`,
      title: "  PyTorch moves to the Linux Foundation  ",
      summary: "Meta hands PyTorch to a new foundation.",
      topics: ["ai", "open-source"],
      publishedAt: "2022-09-12T15:00:00+02:00",
    },
  };
}
const sample = () => sampleArticle().article;

async function listAll(query = ""): Promise<any[]> {
  return ((await (await api(`/api/articles?limit=100${query}`)).json()) as any).articles;
}

/** Runs `act` and asserts that ARTICLES is byte-for-byte the same afterwards. */
async function expectNoWrites(act: () => Promise<unknown>) {
  const before = await kvSnapshot(env.ARTICLES);
  await act();
  expect(await kvSnapshot(env.ARTICLES)).toBe(before);
}

describe("POST /api/articles", () => {
  it("creates an article with 201, a Location header and every field", async () => {
    const { slug, article } = sampleArticle();
    const { response, body } = await postArticle(article);
    expect(response.status).toBe(201);
    expect(response.headers.get("Location")).toBe(`/api/articles/${body.article.id}`);
    expect(body.article).toMatchObject({
      url: `https://www.example.com/${slug}`,
      title: "PyTorch moves to the Linux Foundation",
      summary: "Meta hands PyTorch to a new foundation.",
      source: "example.com",
      topics: ["ai", "open-source"],
      publishedAt: "2022-09-12T13:00:00.000Z",
      editor: "alice",
    });
    expect(body.article.createdAt).toBe(body.article.updatedAt);
    expect(Object.keys(body.article).sort()).toEqual(
      [
        "createdAt",
        "editor",
        "id",
        "publishedAt",
        "source",
        "summary",
        "title",
        "topics",
        "updatedAt",
        "url",
      ].sort(),
    );
  });

  it("defaults source, topics and publishedAt", async () => {
    const before = Date.now();
    const { body } = await postArticle({
      url: "https://news.ycombinator.com/item?id=1",
      title: "HN",
    });
    expect(body.article.source).toBe("news.ycombinator.com");
    expect(body.article.topics).toEqual([]);
    expect(body.article.summary).toBeNull();
    expect(Date.parse(body.article.publishedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("updates the same canonical URL with 200, keeping id and createdAt", async () => {
    const { slug, article } = sampleArticle();
    const first = await postArticle(article);
    const again = await postArticle(
      {
        ...article,
        url: `HTTPS://WWW.EXAMPLE.COM:443/${slug}?fbclid=1&gclid=2&utm_medium=y`,
        title: "New title",
      },
      BOB,
    );
    expect(again.response.status).toBe(200);
    expect(again.body.article.id).toBe(first.body.article.id);
    expect(again.body.article.createdAt).toBe(first.body.article.createdAt);
    expect(again.body.article.title).toBe("New title");
    expect(again.body.article.editor).toBe("bob");
    const sameUrl = (await listAll()).filter((a) => a.url === first.body.article.url);
    expect(sameUrl.map((a) => a.id)).toEqual([first.body.article.id]);
  });

  it("keeps query parameters that are not tracking parameters", async () => {
    const base = uniqueUrl();
    const a = await postArticle({ url: `${base}?id=1`, title: "one" });
    const b = await postArticle({ url: `${base}?id=2`, title: "two" });
    expect(a.body.article.id).not.toBe(b.body.article.id);
  });

  it.each([
    ["missing url", { title: "x" }, "url"],
    ["relative url", { url: "/relative", title: "x" }, "url"],
    ["javascript url", { url: "javascript:alert(1)", title: "x" }, "url"],
    ["data url", { url: "data:text/html,<b>x</b>", title: "x" }, "url"],
    ["ftp url", { url: "ftp://example.com/x", title: "x" }, "url"],
    ["long url", { url: `https://example.com/${"a".repeat(2048)}`, title: "x" }, "url"],
    // 1,014 characters as sent, 6,014 once percent-encoded for storage.
    ["long url once encoded", { url: `https://a.com/${"é".repeat(1000)}`, title: "x" }, "url"],
    ["blank title", { url: "https://example.com/x", title: "   " }, "title"],
    ["long title", { url: "https://example.com/x", title: "t".repeat(301) }, "title"],
    ["title of wrong type", { url: "https://example.com/x", title: 42 }, "title"],
    [
      "long summary",
      { url: "https://example.com/x", title: "x", summary: "s".repeat(2001) },
      "summary",
    ],
    [
      "long source",
      { url: "https://example.com/x", title: "x", source: "s".repeat(101) },
      "source",
    ],
    [
      "too many topics",
      {
        url: "https://example.com/x",
        title: "x",
        topics: Array.from({ length: 11 }, (_, i) => `t${i}`),
      },
      "topics",
    ],
    [
      "bad topic slug",
      { url: "https://example.com/x", title: "x", topics: ["Not A Slug"] },
      "topics.0",
    ],
    [
      "long topic",
      { url: "https://example.com/x", title: "x", topics: ["a".repeat(33)] },
      "topics.0",
    ],
    [
      "publishedAt without offset",
      { url: "https://example.com/x", title: "x", publishedAt: "2026-11-25T08:00:00" },
      "publishedAt",
    ],
    [
      "publishedAt not a date",
      { url: "https://example.com/x", title: "x", publishedAt: "yesterday" },
      "publishedAt",
    ],
    ["unknown field", { url: "https://example.com/x", title: "x", author: "me" }, "(body)"],
    ["control character in title", { url: "https://example.com/x", title: "a\u0000b" }, "title"],
  ])("answers 400 invalid_request for %s and stores nothing", async (_name, article, path) => {
    await expectNoWrites(async () => {
      const { response, body } = await postArticle(article);
      expect(response.status).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.issues.map((issue: any) => issue.path)).toContain(path);
    });
  });

  it.each([
    ["malformed JSON", 400, "invalid_json", '{"url": "https://example.com/j",', "application/json"],
    [
      "a JSON array",
      400,
      "invalid_request",
      '[{"url": "https://example.com/j", "title": "x"}]',
      "application/json",
    ],
    [
      "a form body",
      415,
      "unsupported_media_type",
      "url=https://example.com/j&title=x",
      "application/x-www-form-urlencoded",
    ],
    [
      "no content type",
      415,
      "unsupported_media_type",
      '{"url": "https://example.com/j", "title": "x"}',
      "",
    ],
    [
      "a body over 64 KiB",
      413,
      "payload_too_large",
      JSON.stringify({ url: "https://example.com/j", title: "x", summary: "s".repeat(70 * 1024) }),
      "application/json",
    ],
  ])("answers %s with %i %s and stores nothing", async (_name, status, code, body, contentType) => {
    await expectNoWrites(async () => {
      const headers: Record<string, string> = contentType ? { "Content-Type": contentType } : {};
      const response = await api("/api/articles", { method: "POST", body, headers });
      expect(response.status).toBe(status);
      expect(((await response.json()) as any).error.code).toBe(code);
    });
  });

  it("stores titles as plain text, markup and all", async () => {
    const { body } = await postArticle({ url: uniqueUrl(), title: "<script>alert(1)</script>" });
    const stored = await (await api(`/api/articles/${body.article.id}`)).json<any>();
    expect(stored.article.title).toBe("<script>alert(1)</script>");
  });
});

describe("auth", () => {
  it.each([
    ["no header", null],
    ["a wrong token", "not-a-real-token"],
  ])("answers 401 with WWW-Authenticate for %s", async (_name, token) => {
    const response = await api("/api/articles", { token });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect(((await response.json()) as any).error.code).toBe("unauthorized");
  });

  it("refuses a write with a wrong token and stores nothing", async () => {
    await expectNoWrites(async () => {
      const { response } = await postArticle({ url: uniqueUrl(), title: "x" }, "wrong-token-123");
      expect(response.status).toBe(401);
    });
  });

  it("answers unknown /api routes with 404 JSON", async () => {
    const response = await api("/api/nothing-here");
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe("not_found");
  });
});

describe("GET, PATCH and DELETE /api/articles/:id", () => {
  it("answers 404 not_found for an unknown id", async () => {
    for (const id of ["01JZZZZZZZZZZZZZZZZZZZZZZZ", "nope", "..%2Fetc"]) {
      const response = await api(`/api/articles/${id}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as any).error.code).toBe("not_found");
    }
  });

  it("patches fields and keeps the rest", async () => {
    const article = sample();
    const { body } = await postArticle(article);
    const response = await api(`/api/articles/${body.article.id}`, {
      method: "PATCH",
      json: { title: "Edited", topics: ["ml"] },
    });
    expect(response.status).toBe(200);
    const patched = ((await response.json()) as any).article;
    expect(patched).toMatchObject({
      id: body.article.id,
      title: "Edited",
      topics: ["ml"],
      summary: article.summary,
    });
    expect(patched.createdAt).toBe(body.article.createdAt);
  });

  it("answers 409 conflict when a new url belongs to another article", async () => {
    const [urlA, urlB] = [uniqueUrl("a"), uniqueUrl("b")];
    const a = await postArticle({ url: urlA, title: "a" });
    await postArticle({ url: urlB, title: "b" });
    const response = await api(`/api/articles/${a.body.article.id}`, {
      method: "PATCH",
      json: { url: `${urlB}#frag` },
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as any).error.code).toBe("conflict");
    expect((await (await api(`/api/articles/${a.body.article.id}`)).json<any>()).article.url).toBe(
      urlA,
    );
  });

  it("moves the url so the old one is free and the new one upserts", async () => {
    const [oldUrl, newUrl] = [uniqueUrl("old"), uniqueUrl("new")];
    const a = await postArticle({ url: oldUrl, title: "a" });
    await api(`/api/articles/${a.body.article.id}`, { method: "PATCH", json: { url: newUrl } });
    expect((await postArticle({ url: newUrl, title: "again" })).body.article.id).toBe(
      a.body.article.id,
    );
    expect((await postArticle({ url: oldUrl, title: "fresh" })).response.status).toBe(201);
  });

  it("refuses an empty or invalid patch with 400", async () => {
    const { body } = await postArticle(sample());
    for (const json of [{}, { title: "" }, { url: "javascript:x" }, { id: "x" }]) {
      const response = await api(`/api/articles/${body.article.id}`, { method: "PATCH", json });
      expect(response.status).toBe(400);
    }
  });

  it("deletes with 204; the article is then gone from GET and lists", async () => {
    const article = sample();
    const { body } = await postArticle(article);
    expect((await listAll()).map((a) => a.id)).toContain(body.article.id);
    expect((await api(`/api/articles/${body.article.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/articles/${body.article.id}`)).status).toBe(404);
    expect((await listAll()).map((a) => a.id)).not.toContain(body.article.id);
    expect((await api(`/api/articles/${body.article.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await postArticle(article)).response.status).toBe(201);
  });
});

describe("POST /api/articles/batch", () => {
  it("answers 207 with one result per article, in order, and a bad one does not stop the rest", async () => {
    const existing = uniqueUrl("existing");
    await postArticle({ url: existing, title: "old" });
    const response = await api("/api/articles/batch", {
      method: "POST",
      json: {
        articles: [
          { url: uniqueUrl("new"), title: "new" },
          { url: "javascript:alert(1)", title: "bad" },
          { url: existing, title: "updated" },
        ],
      },
    });
    expect(response.status).toBe(207);
    const { results } = (await response.json()) as any;
    expect(results.map((r: any) => r.status)).toEqual([201, 400, 200]);
    expect(results[1].error.code).toBe("invalid_request");
    expect(results[1].error.issues[0].path).toBe("articles.1.url");
    expect(results[2].article.title).toBe("updated");
  });

  it("refuses an empty batch and one of more than 100", async () => {
    await expectNoWrites(async () => {
      for (const articles of [
        [],
        Array.from({ length: 101 }, (_, i) => ({ url: `https://e.com/${i}`, title: "t" })),
      ]) {
        const response = await api("/api/articles/batch", { method: "POST", json: { articles } });
        expect(response.status).toBe(400);
      }
    });
  });
});
