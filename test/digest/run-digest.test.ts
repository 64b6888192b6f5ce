import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createArticleStore } from "../../src/articles/article-store";
import { groupSections } from "../../src/digest/compile-digest";
import { runDeps } from "../../src/digest/digest-handlers";
import { createDigestStore } from "../../src/digest/digest-store";
import { runDigest, type RunDeps } from "../../src/digest/run-digest";
import { seedArticle, seedReaders } from "../fixtures/digest";

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const titles = (digest: { sections: { articles: { title: string }[] }[] }) =>
  digest.sections.flatMap((section) => section.articles.map((article) => article.title));

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return { ...runDeps(env), ...overrides };
}

describe("compiling", () => {
  it("heads sections with the topic's label from TOPICS (AI, not Ai)", async () => {
    const cutoff = at("2042-06-01T07:00:00Z");
    await seedArticle(
      { url: "https://w.test/label-ai", title: "labelled", topics: ["ai"] },
      new Date(cutoff.getTime() - HOUR),
    );
    await seedArticle(
      { url: "https://w.test/label-os", title: "open", topics: ["open-source"] },
      new Date(cutoff.getTime() - 2 * HOUR),
    );
    const { digest } = await runDigest(deps(), { id: "2042-06-01", cutoff });
    expect(digest.sections.map((s) => s.topic)).toEqual(["AI", "Open source"]);
    expect(digest.webHtml).toContain(">AI</h2>");
    expect(digest.webHtml).not.toContain(">Ai</h2>");
  });

  it("takes the window from the previous cutoff to this one, nothing twice and nothing missed", async () => {
    const c1 = at("2041-03-01T07:00:00Z");
    const c2 = at("2041-03-02T07:00:00Z");
    await seedArticle(
      { url: "https://w.test/too-old", title: "too old" },
      new Date(c1.getTime() - 25 * HOUR),
    );
    await seedArticle(
      { url: "https://w.test/day1-early", title: "day1 early" },
      new Date(c1.getTime() - 23 * HOUR),
    );
    await seedArticle({ url: "https://w.test/day1-at-cutoff", title: "day1 at cutoff" }, c1);
    await seedArticle(
      { url: "https://w.test/day2-just-after", title: "day2 just after" },
      new Date(c1.getTime() + 1),
    );
    await seedArticle({ url: "https://w.test/day2-at-cutoff", title: "day2 at cutoff" }, c2);
    await seedArticle({ url: "https://w.test/day3", title: "day3" }, new Date(c2.getTime() + 1));

    const first = await runDigest(deps(), { id: "2041-03-01", cutoff: c1 });
    expect(titles(first.digest)).toEqual(["day1 at cutoff", "day1 early"]);
    const second = await runDigest(deps(), { id: "2041-03-02", cutoff: c2 });
    expect(second.digest.windowStart).toBe(c1.toISOString());
    expect(titles(second.digest)).toEqual(["day2 at cutoff", "day2 just after"]);
    // "No. N" counts published digests: the next day's is one more, and it is kept with the digest.
    expect(first.digest.issueNumber).toBeGreaterThanOrEqual(1);
    expect(second.digest.issueNumber).toBe(first.digest.issueNumber! + 1);
    expect((await createDigestStore(env.DIGESTS).get("2041-03-02"))?.issueNumber).toBe(
      second.digest.issueNumber,
    );
  });

  it("leaves out deleted articles and keeps at most DIGEST_MAX_ARTICLES, newest first", async () => {
    const cutoff = at("2042-05-05T07:00:00Z");
    const store = createArticleStore(env.ARTICLES, env.ARTICLE_URLS);
    for (let i = 0; i < 6; i++)
      await seedArticle(
        { url: `https://m.test/${i}`, title: `story ${i}` },
        new Date(cutoff.getTime() - (6 - i) * HOUR),
      );
    const gone = await seedArticle(
      { url: "https://m.test/gone", title: "gone" },
      new Date(cutoff.getTime() - 30 * 60_000),
    );
    await store.remove(gone.id);
    const { digest } = await runDigest(deps({ maxArticles: 3 }), { id: "2042-05-05", cutoff });
    expect(titles(digest)).toEqual(["story 5", "story 4", "story 3"]);
    expect(digest.articleCount).toBe(3);
  });

  it("groups sections by first topic in order of their newest article, untagged last", () => {
    const article = (title: string, topics: string[]) => ({
      id: title,
      url: "https://s.test",
      title,
      summary: null,
      source: "s.test",
      topics,
      publishedAt: "2040-01-01T00:00:00.000Z",
      createdAt: "2040-01-01T00:00:00.000Z",
      updatedAt: "2040-01-01T00:00:00.000Z",
      editor: "a",
    });
    const sections = groupSections([
      article("a", ["ai"]),
      article("b", []),
      article("c", ["rust", "ai"]),
      article("d", ["ai"]),
    ]);
    expect(sections.map((s) => [s.topic, s.articles.map((a) => a.title)])).toEqual([
      ["ai", ["a", "d"]],
      ["rust", ["c"]],
      [null, ["b"]],
    ]);
  });

  it("records a day with too few articles as skipped, mails nobody, and carries its articles over", async () => {
    await seedReaders(3, "skip-day");
    const c1 = at("2043-07-01T07:00:00Z");
    await seedArticle(
      { url: "https://k.test/lonely", title: "lonely" },
      new Date(c1.getTime() - HOUR),
    );
    const skipped = await runDigest(deps({ minArticles: 2 }), { id: "2043-07-01", cutoff: c1 });
    expect(skipped.digest.status).toBe("skipped");
    expect(skipped.status).toMatchObject({ status: "skipped", recipients: 0, steps: 0 });
    const c2 = at("2043-07-02T07:00:00Z");
    await seedArticle({ url: "https://k.test/next", title: "next" }, new Date(c2.getTime() - HOUR));
    const next = await runDigest(deps({ minArticles: 2 }), { id: "2043-07-02", cutoff: c2 });
    expect(next.digest.status).toBe("compiled");
    expect(titles(next.digest)).toEqual(["next", "lonely"]);
    // A skipped day is no issue: it has no number and the next one does not count it.
    expect(skipped.digest.issueNumber).toBeUndefined();
    const before = await createDigestStore(env.DIGESTS).index(1000, {
      before: "2043-07-02",
      published: true,
    });
    expect(next.digest.issueNumber).toBe(before.length + 1);
  });

  it("freezes the digest: editing an article later does not change it", async () => {
    const cutoff = at("2044-01-10T07:00:00Z");
    const article = await seedArticle(
      { url: "https://f.test/x", title: "Original title" },
      new Date(cutoff.getTime() - HOUR),
    );
    await runDigest(deps(), { id: "2044-01-10", cutoff });
    await createArticleStore(env.ARTICLES, env.ARTICLE_URLS).patch(
      article.id,
      { title: "Edited later" },
      new Date(),
    );
    const stored = await createDigestStore(env.DIGESTS).get("2044-01-10");
    expect(titles(stored!)).toEqual(["Original title"]);
    expect(stored!.webHtml).toContain("Original title");
    expect(stored!.webHtml).not.toContain("Edited later");
  });
});
