// Stories in the digest and in GET /api/stories: one item per story, its "Also" line and source count,
// ranked by coverage; the subject names the top story.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createArticleStore } from "../../src/articles/article-store";
import { createArticleRecords } from "../../src/articles/article-records";
import { newArticleId } from "../../src/articles/article-id";
import { runDeps } from "../../src/digest/digest-handlers";
import { runDigest } from "../../src/digest/run-digest";
import { renderDigestEmailParts } from "../../templates/digest-email";
import { api } from "../fixtures/api";

const HOUR = 3_600_000;

async function post(url: string, title: string, source: string, editor: string, at: Date) {
  const store = createArticleStore(env.ARTICLES, env.ARTICLE_URLS);
  return (await store.upsert({ url, title, source }, editor, at)).article;
}

describe("stories in the digest", () => {
  it("shows a story covered three times once, with its Also line and source count, first", async () => {
    const cutoff = new Date("2042-05-02T07:00:00Z");
    const t = (h: number) => new Date(cutoff.getTime() - h * HOUR);
    const lone = await post(
      "https://blog.test/lone",
      "A small library ships version 1.0",
      "Blog",
      "ada",
      t(1),
    );
    const a = await post(
      "https://verge.test/x",
      "OpenAI releases GPT-6 with <b>video</b> reasoning",
      "The Verge",
      "feed:v",
      t(5),
    );
    const b = await post(
      "https://ars.test/y",
      "GPT-6 released: OpenAI adds video reasoning",
      "Ars & Co",
      "feed:a",
      t(4),
    );
    const c = await post(
      "https://reuters.test/z",
      "OpenAI GPT-6 launch brings video reasoning",
      "Reuters",
      "feed:r",
      t(3),
    );
    const { digest } = await runDigest(runDeps(env), { id: "2042-05-02", cutoff, dryRun: true });
    const items = digest.sections.flatMap((section) => section.articles);
    expect(items.map((item) => item.id)).toEqual([a.id, lone.id]);
    expect(items[0]).toMatchObject({
      sources: 3,
      also: [
        { source: "Ars & Co", url: b.url },
        { source: "Reuters", url: c.url },
      ],
    });
    expect(digest.articleCount).toBe(2);
    expect(digest.subject).toBe(
      "Tidings: OpenAI releases GPT-6 with <b>video</b> reasoning (+1 more)",
    );

    const email = renderDigestEmailParts(digest, {
      siteTitle: "Tidings",
      siteUrl: "https://tidings.test",
      postalAddress: "P",
    });
    const html = email.html.join("");
    // The story once: the other outlets' headlines are not items of their own.
    expect(html).not.toContain("GPT-6 released: OpenAI adds");
    expect(html).not.toContain("OpenAI GPT-6 launch brings");
    // Attributes aside (the brand colour and its dark-mode class), the Also line names two outlets.
    expect(html.replace(/ (class|style)='[^']*'/g, "")).toContain(
      "Also: <a href='https://ars.test/y'>Ars &amp; Co</a>, <a href='https://reuters.test/z'>Reuters</a>",
    );
    expect(html).toContain("3 sources");
    expect(html).not.toContain("<b>video</b>");
    expect(email.text.join("")).toContain("\nAlso: Ars & Co, Reuters");
    expect(digest.webHtml).toContain("Also: ");

    const response = await api(
      `/api/stories?since=${t(6).toISOString()}&until=${cutoff.toISOString()}`,
    );
    expect(response.status).toBe(200);
    const { stories } = (await response.json()) as any;
    expect(stories).toEqual([
      { id: a.id, lead: a.id, articles: [a.id, b.id, c.id], sources: 3 },
      { id: lone.id, lead: lone.id, articles: [lone.id], sources: 1 },
    ]);
  });

  it("answers a clear 400 for a bad window", async () => {
    expect((await api("/api/stories?since=yesterday")).status).toBe(400);
    const reversed = await api(
      "/api/stories?since=2042-01-02T00:00:00Z&until=2042-01-01T00:00:00Z",
    );
    expect(reversed.status).toBe(400);
    expect((await api("/api/stories?other=1")).status).toBe(400);
  });

  it(
    "makes a day of 2,000 articles into at most DIGEST_MAX_ARTICLES stories, the most covered first",
    { timeout: 120_000 },
    async () => {
      const cutoff = new Date("2043-06-02T07:00:00Z");
      const records = createArticleRecords(env.ARTICLES);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 2000; i++) {
        const createdMs = cutoff.getTime() - 1 - i * 30_000;
        const wide = i < 40; // one story, 40 outlets
        const at = new Date(createdMs).toISOString();
        writes.push(
          records.put({
            id: newArticleId(createdMs),
            url: `https://o${i}.test/a`,
            title: wide
              ? `Intel agrees to sell its foundry business to TSMC, report ${i % 3}`
              : `Unrelated item number ${i} about topic${i}`,
            summary: null,
            source: `Outlet ${i}`,
            topics: [],
            publishedAt: at,
            createdAt: at,
            updatedAt: at,
            editor: "feed:x",
          }),
        );
        if (writes.length === 5) await Promise.all(writes.splice(0));
      }
      await Promise.all(writes);
      const { digest } = await runDigest(runDeps(env), { id: "2043-06-02", cutoff, dryRun: true });
      const items = digest.sections.flatMap((section) => section.articles);
      expect(items.length).toBe(Number(env.DIGEST_MAX_ARTICLES));
      expect(items[0]?.sources).toBe(40);
      expect(digest.subject).toContain("Intel agrees to sell its foundry business");
    },
  );
});
