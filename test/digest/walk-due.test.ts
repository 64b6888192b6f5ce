// A run slot's walk cuts the readers the DueIndex hands it into chunks by selection: the index hands
// readers in schedule and address order, where every selection is mixed with every other, and a
// chunk's emails should share a few bodies, not one each. The same pages always make the same
// chunks, so a step that died before it was recorded is walked again into the very same chunks.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Digest, DigestItem } from "../../src/digest/digest-schema";
import { walkDue } from "../../src/digest/walk-due";
import { dueIndex } from "../../src/subscribers/due-index";
import { defaultPreferences, type Preferences } from "../../src/subscribers/preferences";

const TOPICS = ["ai", "web", "cloud"] as const;
const RULES = { maxArticles: 30, minArticles: 1 };

/** A slot's pool at `slotMs`: two stories of each topic in the hours before it. */
function poolAt(slotId: string, slotMs: number): Digest {
  const articles: DigestItem[] = TOPICS.flatMap((topic, t) =>
    [0, 1].map((k) => {
      const createdAt = new Date(slotMs - (1 + t * 2 + k) * 3_600_000).toISOString();
      return {
        id: `${topic}-${k}`,
        url: `https://walk.example/${topic}/${k}`,
        title: `${topic} story ${k}`,
        summary: `What happened in ${topic}.`,
        source: "walk.example",
        topics: [topic],
        publishedAt: createdAt,
        createdAt,
        updatedAt: createdAt,
        editor: "alice",
      };
    }),
  );
  return {
    id: slotId,
    status: "compiled",
    heldReason: null,
    title: "Tidings",
    subject: "Tidings",
    windowStart: new Date(slotMs - 86_400_000).toISOString(),
    cutoff: new Date(slotMs).toISOString(),
    sections: [{ topic: "daily", articles }],
    articleCount: articles.length,
    webHtml: "",
    createdAt: new Date(slotMs).toISOString(),
    archiveId: null,
  };
}

describe("a run slot's walk", () => {
  it("cuts the readers due into chunks by selection, the same chunks every time", async () => {
    const slotMs = Date.parse("2044-03-01T07:00:00Z");
    const slotId = "2044-03-01T0700";
    // 250 readers, their topics in turn by address: every page of the index mixes all three.
    const readers = Array.from({ length: 250 }, (_, i) => ({
      email: `walker-${String(i).padStart(3, "0")}@walk.test`,
      preferences: {
        ...defaultPreferences("UTC"),
        topics: [TOPICS[i % 3]!],
        deliveryHour: 7,
      } as Preferences,
    }));
    await dueIndex(env).scheduleMany(readers, slotMs - 3_600_000);

    const pool = poolAt(slotId, slotMs);
    const step = await walkDue(dueIndex(env), pool, "", 100, RULES);
    expect(step.cursor).toBeNull();
    expect(step.skipped).toBe(0);
    const topicsOf = (chunk: (typeof step.chunks)[number]) => [
      ...new Set(chunk.map((reader) => reader.preferences.topics?.[0])),
    ];
    // 84 ai, 83 web, 83 cloud readers in chunks of at most 100: a chunk holds one topic, or two where
    // one topic's readers end and the next one's begin.
    expect(step.chunks.map((chunk) => chunk.length)).toEqual([100, 100, 50]);
    expect(step.chunks.map(topicsOf)).toEqual([["ai", "cloud"], ["cloud", "web"], ["web"]]);
    // Every reader once, each with their own choice.
    const walked = step.chunks.flat();
    expect(new Set(walked.map((reader) => reader.email)).size).toBe(250);
    for (const reader of walked) {
      const i = Number(reader.email.slice(7, 10));
      expect(reader.preferences.topics).toEqual([TOPICS[i % 3]]);
    }

    // Walked again from the same cursor (a step that died before it was recorded): the same chunks.
    const again = await walkDue(dueIndex(env), pool, "", 100, RULES);
    expect(again.chunks.map((chunk) => chunk.map((reader) => reader.email))).toEqual(
      step.chunks.map((chunk) => chunk.map((reader) => reader.email)),
    );
  });
});
