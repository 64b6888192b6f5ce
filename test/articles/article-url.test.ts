// One article per canonical URL under concurrency: real HTTP through SELF, real local KV and ArticleUrl objects.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newArticleId } from "../../src/articles/article-id";
import { articleKeys } from "../../src/articles/article-keys";
import type { Article } from "../../src/articles/article-schema";
import { api, BOB, postArticle } from "../fixtures/api";
import { uniqueUrl } from "../fixtures/kv";

const TRIALS = 5;
const RACERS = 20;

/** Every article the API lists, following cursors. */
async function listed(): Promise<Article[]> {
  const all: Article[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const page = await (await api(`/api/articles?limit=100${query}`)).json<any>();
    all.push(...page.articles);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

const getArticle = async (id: string) =>
  (await (await api(`/api/articles/${id}`)).json<any>()).article;
const patch = (id: string, json: unknown) => api(`/api/articles/${id}`, { method: "PATCH", json });
const sortedStatuses = (responses: Response[]) => responses.map((r) => r.status).sort();

async function sha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** An article as an older deploy left it: a KV record and the `v1:article-url` index naming it. */
async function seedLegacy(url: string, createdAtMs: number): Promise<Article> {
  const id = newArticleId(createdAtMs);
  const at = new Date(createdAtMs).toISOString();
  const article: Article = {
    ...{ id, url, title: "Legacy", summary: null, source: "example.com", topics: ["old"] },
    ...{ publishedAt: at, createdAt: at, updatedAt: at, editor: "alice" },
  };
  await env.ARTICLES.put(articleKeys.article(id, createdAtMs), JSON.stringify(article), {
    metadata: { topics: article.topics },
  });
  await env.ARTICLES.put(articleKeys.byUrl(await sha256Hex(url)), id);
  return article;
}

describe("simultaneous posts of one URL", () => {
  // KV takes one write a second per key: each trial waits out the second between writes of one record.
  it("make one article: one 201, the rest 200 with the same id, one listing entry", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const url = uniqueUrl("race");
      // Spellings that share one canonical URL race as one.
      const spellings = [url, `${url}?utm_source=x`, `${url}#top`, `${url}?fbclid=1`];
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          postArticle({ url: spellings[i % spellings.length], title: `racer ${i}` }),
        ),
      );
      expect(sortedStatuses(results.map((r) => r.response))).toEqual([
        ...Array(RACERS - 1).fill(200),
        201,
      ]);
      const ids = new Set(results.map((r) => r.body.article.id));
      expect(ids.size).toBe(1);
      const atUrl = (await listed()).filter((article) => article.url === url);
      expect(atUrl.map((article) => article.id)).toEqual([...ids]);
    }
  }, 30_000);

  // KV takes one write a second per key: each trial waits out the second between writes of one record.
  it("make one article when the posts arrive in simultaneous batches", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const url = uniqueUrl("batch-race");
      const responses = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          api("/api/articles/batch", {
            method: "POST",
            json: {
              articles: [
                { url: uniqueUrl("other"), title: "other" },
                { url, title: `b${i}` },
              ],
            },
          }),
        ),
      );
      const shared = await Promise.all(
        responses.map(async (response) => (await response.json<any>()).results[1]),
      );
      expect(shared.map((result) => result.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(shared.map((result) => result.article.id)).size).toBe(1);
      expect((await listed()).filter((article) => article.url === url)).toHaveLength(1);
    }
  }, 30_000);
});

describe("simultaneous moves to one URL", () => {
  // KV takes one write a second per key: each trial waits out the second between writes of one record.
  it("let exactly one win; the loser answers 409 and keeps its URL", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const [urlX, urlY, target] = [uniqueUrl("x"), uniqueUrl("y"), uniqueUrl("target")];
      const x = (await postArticle({ url: urlX, title: "x" })).body.article;
      const y = (await postArticle({ url: urlY, title: "y" })).body.article;
      const [px, py] = await Promise.all([
        patch(x.id, { url: target }),
        patch(y.id, { url: `${target}#same` }),
      ]);
      expect(sortedStatuses([px, py])).toEqual([200, 409]);
      const [winner, loser, loserResponse] = px.status === 200 ? [x, y, py] : [y, x, px];
      expect((await loserResponse.json<any>()).error.code).toBe("conflict");
      expect((await getArticle(winner.id)).url).toBe(target);
      expect((await getArticle(loser.id)).url).toBe(loser.url);
      // The winner let go of its old URL; the loser still holds its own.
      expect((await postArticle({ url: winner.url, title: "fresh" })).response.status).toBe(201);
      const again = await postArticle({ url: loser.url, title: "loser again" }, BOB);
      expect([again.response.status, again.body.article.id]).toEqual([200, loser.id]);
      const atTarget = await postArticle({ url: target, title: "target again" });
      expect([atTarget.response.status, atTarget.body.article.id]).toEqual([200, winner.id]);
    }
    // About 3 s a trial on a quiet machine (the move waits out a write made by another object).
  }, 60_000);

  it("releases the old URL only for the article it names, once the new URL holds it", async () => {
    const [from, to] = [uniqueUrl("from"), uniqueUrl("to")];
    const x = (await postArticle({ url: from, title: "x" })).body.article;
    // The first half of a move, as if the request died before the release: `to` claims x.
    const stub = env.ARTICLE_URLS.get(env.ARTICLE_URLS.idFromName(to));
    const moved = await stub.moveIn(to, x.id, { url: to }, Date.now());
    expect(moved).toMatchObject({ status: "moved", from });
    const fromUrl = env.ARTICLE_URLS.get(env.ARTICLE_URLS.idFromName(from));
    // Another article cannot take `to`, and x's record already says `to`.
    const y = (await postArticle({ url: uniqueUrl("y"), title: "y" })).body.article;
    expect((await patch(y.id, { url: to })).status).toBe(409);
    expect((await getArticle(x.id)).url).toBe(to);
    expect(await fromUrl.release(from, y.id)).toBe(false);
    expect(await fromUrl.release(from, x.id)).toBe(true);
    expect((await postArticle({ url: from, title: "fresh" })).response.status).toBe(201);
  });
});

describe("crash repair and legacy data", () => {
  it("finishes a create that stopped after the claim under the same id", async () => {
    const url = uniqueUrl("half-made");
    const first = (await postArticle({ url, title: "first" })).body.article;
    // The object's row names the id, but the KV record never landed.
    await env.ARTICLES.delete(articleKeys.article(first.id, Date.parse(first.createdAt)));
    const retry = await postArticle({ url, title: "retry" });
    expect([retry.response.status, retry.body.article.id]).toEqual([201, first.id]);
    expect(retry.body.article.createdAt).toBe(first.createdAt);
    expect((await listed()).filter((article) => article.url === url)).toHaveLength(1);
  });

  it("frees a URL whose article moved away when the release never landed", async () => {
    const [from, to] = [uniqueUrl("from"), uniqueUrl("to")];
    const x = (await postArticle({ url: from, title: "x" })).body.article;
    const stub = env.ARTICLE_URLS.get(env.ARTICLE_URLS.idFromName(to));
    await stub.moveIn(to, x.id, { url: to }, Date.now());
    const fresh = await postArticle({ url: from, title: "a new story at the old link" });
    expect(fresh.response.status).toBe(201);
    expect(fresh.body.article.id).not.toBe(x.id);
    expect((await getArticle(x.id)).url).toBe(to);
  });

  it("adopts the article the legacy URL index names, keeping its id and createdAt", async () => {
    const url = uniqueUrl("legacy");
    const old = await seedLegacy(url, Date.now() - 3_600_000);
    const { response, body } = await postArticle({ url, title: "Re-posted" });
    expect(response.status).toBe(200);
    expect(body.article).toMatchObject({
      id: old.id,
      createdAt: old.createdAt,
      title: "Re-posted",
    });
    expect((await listed()).filter((article) => article.url === url)).toHaveLength(1);
  });

  it("refuses to move another article onto a URL the legacy index holds", async () => {
    const url = uniqueUrl("legacy-held");
    const old = await seedLegacy(url, Date.now() - 60_000);
    const other = (await postArticle({ url: uniqueUrl("other"), title: "other" })).body.article;
    const response = await patch(other.id, { url });
    expect(response.status).toBe(409);
    expect((await response.json<any>()).error.message).toContain(old.id);
  });

  it("does not adopt a legacy entry whose article now has another URL", async () => {
    const url = uniqueUrl("legacy-moved");
    const old = await seedLegacy(url, Date.now() - 60_000);
    const record = { ...old, url: uniqueUrl("elsewhere") };
    await env.ARTICLES.put(
      articleKeys.article(old.id, Date.parse(old.createdAt)),
      JSON.stringify(record),
    );
    const { response, body } = await postArticle({ url, title: "new" });
    expect(response.status).toBe(201);
    expect(body.article.id).not.toBe(old.id);
  });

  it("frees the URL on DELETE, so the next post creates a new article", async () => {
    const url = uniqueUrl("deleted");
    const first = (await postArticle({ url, title: "first" })).body.article;
    expect((await api(`/api/articles/${first.id}`, { method: "DELETE" })).status).toBe(204);
    const next = await postArticle({ url, title: "second" });
    expect(next.response.status).toBe(201);
    expect(next.body.article.id).not.toBe(first.id);
  });
});
