// The pure rules for the next version of an article.
import { describe, expect, it } from "vitest";
import { newArticle, patchArticle, repostArticle } from "../../src/articles/article-merge";

const created = new Date("2026-01-01T00:00:00.000Z");
const later = new Date("2026-01-02T00:00:00.000Z");
const url = "https://example.com/story";
const first = newArticle("ID1", url, { url, title: "First" }, "alice", created, created);

describe("article merge rules", () => {
  it("defaults a new article's summary, source, topics and publishedAt", () => {
    expect(first).toMatchObject({
      summary: null,
      source: "example.com",
      topics: [],
      publishedAt: created.toISOString(),
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
    });
  });

  it("lets no feed item overwrite an article already at its URL", () => {
    const next = repostArticle(
      first,
      { url, title: "From a feed", source: "Feed" },
      "feed:abc",
      later,
    );
    expect(next).toEqual(first);
  });

  it("keeps what a re-post does not send and takes its title and editor", () => {
    const base = { ...first, summary: "kept", topics: ["ai"] };
    const next = repostArticle(base, { url, title: "Second" }, "bob", later);
    expect(next).toMatchObject({ id: "ID1", title: "Second", summary: "kept", topics: ["ai"] });
    expect([next.editor, next.createdAt, next.updatedAt]).toEqual([
      "bob",
      created.toISOString(),
      later.toISOString(),
    ]);
  });

  it("clears the summary on an empty patch value and leaves the editor as it was", () => {
    const base = { ...first, summary: "old" };
    const next = patchArticle(base, "https://example.com/moved", { summary: "" }, later);
    expect(next).toMatchObject({
      url: "https://example.com/moved",
      summary: null,
      editor: "alice",
    });
  });
});
