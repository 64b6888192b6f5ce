// Story grouping and ranking: pure units, plus the CPU budget for 5,000 articles in workerd.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article-schema";
import {
  DEFAULT_STORY_MERGE_THRESHOLD,
  STORY_MAX_GAP_HOURS,
  groupStories,
} from "../../src/stories/group-stories";
import { modelNamesOf, wordsOf } from "../../src/stories/story-terms";
import { otherSources, rankStories } from "../../src/stories/rank-stories";

const T = DEFAULT_STORY_MERGE_THRESHOLD;
let seq = 0;
function article(title: string, source: string, fields: Partial<Article> = {}): Article {
  seq++;
  const createdAt = new Date(Date.UTC(2026, 10, 26, 6, 0, seq)).toISOString();
  return {
    id: `a${String(seq).padStart(5, "0")}`,
    url: `https://${source.toLowerCase().replace(/\W/g, "")}.example/${seq}`,
    title,
    summary: null,
    source,
    topics: [],
    publishedAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    editor: "feed:src",
    ...fields,
  };
}

describe("grouping headlines into stories", () => {
  it("puts different outlets' headlines on one event together and keeps other stories apart", () => {
    const headlines = [
      "Apple unveils the M5 MacBook Pro with a new chip",
      "Apple's new M5 MacBook Pro arrives with faster chip",
      "MacBook Pro M5 review: Apple's chip is fast",
      "Apple shares fall as investors weigh iPhone demand",
      "Rust 2.0 released with a new borrow checker",
      "Rust 2.0 is out: what the new borrow checker changes",
      "SQLite adds vector search",
    ];
    const [a, b, c, d, e, f, g] = groupStories(
      headlines.map((title) => ({ title })),
      T,
    );
    expect(new Set([a, b, c]).size).toBe(1);
    expect(e).toBe(f);
    expect([d, e, g].every((n) => n !== a)).toBe(true);
    expect(g).not.toBe(e);
  });

  it("does not merge headlines that share one word", () => {
    const stories = groupStories(
      [{ title: "Google opens Gemini 3" }, { title: "Google fined in Europe over ads" }],
      T,
    );
    expect(stories[0]).not.toBe(stories[1]);
  });
});

describe("the second stage and time", () => {
  // Each headline also carries four words of its own, as real headlines do: one headline is then
  // far from a story's centroid, while two parts' centroids, each summing five, are near.
  let word = 0;
  const own = () => Array.from({ length: 4 }, () => `w${(word++).toString(36)}x`).join(" ");
  const part = (core: string) => Array.from({ length: 5 }, () => ({ title: `${core} ${own()}` }));

  it("merges the parts of a broad story that the first pass kept apart", () => {
    const items = [
      ...part("titanfall respawn servers queue"),
      ...part("titanfall respawn review shooter"),
    ];
    const strict = groupStories(items, T, 0);
    expect(new Set(strict).size).toBe(2);
    expect(new Set(groupStories(items, T)).size).toBe(1);
  });

  it("does not merge parts that share only one word", () => {
    const items = [...part("titanfall respawn servers queue"), ...part("titanfall sales chart")];
    expect(new Set(groupStories(items, T)).size).toBe(2);
  });

  it(`keeps articles more than ${STORY_MAX_GAP_HOURS} hours apart in different stories`, () => {
    const day = 86_400_000;
    const at = (days: number) => Date.UTC(2026, 0, 1) + days * day;
    const titles = [
      "Apple unveils the M5 MacBook Pro with a new chip",
      "Apple's new M5 MacBook Pro arrives with faster chip",
    ];
    const near = groupStories(
      titles.map((title, i) => ({ title, at: at(i) })),
      T,
    );
    expect(near[0]).toBe(near[1]);
    const far = groupStories(
      titles.map((title, i) => ({ title, at: at(3 * i) })),
      T,
    );
    expect(far[0]).not.toBe(far[1]);
    // The second stage too: two parts days apart stay two.
    const parts = [
      ...part("titanfall respawn servers queue").map((item) => ({ ...item, at: at(0) })),
      ...part("titanfall respawn review shooter").map((item) => ({ ...item, at: at(5) })),
    ];
    expect(new Set(groupStories(parts, T)).size).toBe(2);
  });

  it("dates an article by its publication, never later than it was first seen", () => {
    const title = "Kubernetes 2.0 drops Docker shim entirely";
    const first = article(title, "A", { publishedAt: "2026-11-26T01:00:00.000Z" });
    // Published days later than first seen (a feed's clock running ahead): dated when seen.
    const ahead = article(title, "B", { publishedAt: "2026-12-20T06:00:00.000Z" });
    const stale = article(title, "C", { publishedAt: "2026-11-01T06:00:00.000Z" });
    const stories = rankStories([first, ahead, stale], T);
    expect(stories.map((story) => story.articles.length).sort()).toEqual([1, 2]);
    expect(stories.find((story) => story.articles.length === 1)?.lead.id).toBe(stale.id);
  });
});

describe("story terms", () => {
  it("keeps a version or an amount as one word and names a product by its digit", () => {
    expect(wordsOf("Apple releases iOS 7.1, Men's Wearhouse in $1.8B deal")).toEqual(
      expect.arrayContaining(["7.1", "1.8b"]),
    );
    expect(wordsOf("Stocks end. 10 things")).toEqual(["stock", "end", "10", "thing"]);
    expect(modelNamesOf("iPhone 6 rumours, Windows 8 and Season 4 on March 10")).toEqual([
      "iphone_6",
      "windows_8",
      "season_4",
    ]);
  });
});

describe("ranking stories", () => {
  it("leads with an editor's article, else the earliest, and ranks by distinct sources then recency", () => {
    const feedFirst = article("Nvidia reports record quarterly revenue from AI chips", "Reuters");
    const editors = article("Nvidia record revenue: AI chips drive the quarter", "Tidings", {
      editor: "ada",
    });
    const third = article("Nvidia posts record revenue on AI chip demand", "The Verge");
    const sameOutlet = article("Nvidia record revenue AI chips explained", "Reuters");
    const lone = article("A small library ships version 1.0", "Blog");
    const stories = rankStories([lone, third, feedFirst, sameOutlet, editors], T);
    expect(stories).toHaveLength(2);
    const [top, next] = stories;
    expect(top?.lead.id).toBe(editors.id);
    expect(top?.sources).toBe(3);
    expect(top?.articles.map((x) => x.id).sort()).toEqual(
      [feedFirst.id, editors.id, third.id, sameOutlet.id].sort(),
    );
    expect(next?.lead.id).toBe(lone.id);
    expect(otherSources(top!).map((o) => o.source)).toEqual(["Reuters", "The Verge"]);
  });

  it("puts a pinned story first whatever its coverage, and each article in exactly one story", () => {
    const wide = ["A", "B", "C"].map((s) =>
      article("Kubernetes 2.0 drops Docker shim entirely", s),
    );
    const pinned = article("Our own launch post", "Tidings", { pinned: true, editor: "ada" });
    const stories = rankStories([...wide, pinned], T);
    expect(stories[0]?.lead.id).toBe(pinned.id);
    expect(stories[0]?.pinned).toBe(true);
    expect(stories.flatMap((s) => s.articles.map((a) => a.id)).sort()).toEqual(
      [...wide, pinned].map((a) => a.id).sort(),
    );
  });
});

describe("the CPU budget", () => {
  it("groups 5,000 articles within 2 s in workerd", async () => {
    const words =
      "cloud chip model outage launch merger lawsuit rust python browser kernel vector gpu battery robot quantum".split(
        " ",
      );
    const articles: Article[] = [];
    for (let i = 0; i < 5000; i++) {
      const story = i % 1200;
      const w = (k: number) => words[(story * 7 + k * 3) % words.length];
      articles.push(
        article(
          `Company${story} ${w(1)} ${w(2)} news for product${story} and ${w(3)} team${i % 13}`,
          `Outlet${i % 300}`,
        ),
      );
    }
    // workerd's clock only moves across I/O: one KV read before and after brackets the work.
    await env.ARTICLES.get("clock");
    const start = Date.now();
    const stories = rankStories(articles, T);
    await env.ARTICLES.get("clock");
    const elapsedMs = Date.now() - start;
    console.log(
      JSON.stringify({ event: "stories.cpu", articles: 5000, stories: stories.length, elapsedMs }),
    );
    expect(stories.flatMap((s) => s.articles).length).toBe(5000);
    expect(elapsedMs).toBeLessThan(2000);
  });
});
