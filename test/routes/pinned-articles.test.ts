// "pinned": true in the article API: stored, answered, changed by PATCH, and leading /api/stories.
import { describe, expect, it } from "vitest";
import { api, postArticle } from "../fixtures/api";

describe("pinned articles", () => {
  it("pins an article through the API and puts its story first", async () => {
    const wide = [];
    for (const source of ["One", "Two", "Three"]) {
      wide.push(
        await postArticle({
          url: `https://${source.toLowerCase()}.test/p`,
          title: "Linux 7.0 kernel released with new scheduler",
          source,
        }),
      );
    }
    const pinned = await postArticle({
      url: "https://tidings.test/note",
      title: "A note from the editors",
      pinned: true,
    });
    expect(pinned.response.status).toBe(201);
    expect(pinned.body.article.pinned).toBe(true);
    const stories = (await (await api("/api/stories")).json()) as any;
    expect(stories.stories[0]).toMatchObject({
      lead: pinned.body.article.id,
      pinned: true,
      sources: 1,
    });
    expect(stories.stories[1]).toMatchObject({ lead: wide[0]!.body.article.id, sources: 3 });

    const unpinned = await api(`/api/articles/${pinned.body.article.id}`, {
      method: "PATCH",
      json: { pinned: false },
    });
    expect(((await unpinned.json()) as any).article.pinned).toBe(false);
    const after = (await (await api("/api/stories")).json()) as any;
    expect(after.stories[0].lead).toBe(wide[0]!.body.article.id);
    expect(
      (
        await api("/api/articles", {
          method: "POST",
          json: { url: "https://x.test/", title: "x", pinned: "yes" },
        })
      ).status,
    ).toBe(400);
  });
});
