// The parser on real feeds (../shared/data/feeds/dev): each file fetched from the local feed server
// as the cron would (its sidecar's Content-Type as the header), read by readFeed in workerd, and
// scored by the README's rules (scripts/feed-scoring.mjs, the same as `npm run feeds:score`).
// Targets: titles >= 99 %, links >= 99.5 %, dates >= 98 %, no U+FFFD title from a WHATWG encoding.
// Time per file is measured by `npm run feeds:score`, not here.
import { describe, expect, inject, it } from "vitest";
import { readFeed } from "../../src/sources/read-feed";
import {
  DEFAULT_BASE,
  type ExpectedFile,
  missedTargets,
  scoreFile,
  totalScore,
} from "../../scripts/feed-scoring.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    feedCorpus: boolean;
    ci: boolean;
  }
}

const FEEDS = inject("feedServer");
const HAS_CORPUS = inject("feedCorpus");

async function corpusFile(path: string): Promise<Response> {
  return fetch(`${FEEDS}/corpus/${path.split("/").map(encodeURIComponent).join("/")}`);
}

describe("the real-feed corpus", () => {
  it("is there when CI runs", () => {
    // CI has ../shared beside the clone: a missing corpus there is a broken setup, not a pass.
    if (inject("ci")) expect(HAS_CORPUS, "../shared/data/feeds/dev is missing").toBe(true);
  });

  it.runIf(HAS_CORPUS)(
    "meets the README's targets for titles, links, dates and U+FFFD",
    { timeout: 120_000 },
    async () => {
      const expected = (await (await corpusFile("expected.jsonl")).text())
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as ExpectedFile);
      expect(expected.length).toBeGreaterThan(80);
      const results = [];
      for (const file of expected) {
        const response = await corpusFile(file.file);
        expect(response.status, file.file).toBe(200);
        const sidecar = await corpusFile(`${file.file}.url`);
        const base = sidecar.ok ? (await sidecar.text()).trim() : DEFAULT_BASE;
        if (!sidecar.ok) await sidecar.body?.cancel();
        const bytes = new Uint8Array(await response.arrayBuffer());
        let answer;
        try {
          const feed = readFeed(bytes, {
            url: base,
            contentType: response.headers.get("Content-Type"),
          });
          answer = { file: file.file, ok: true, items: feed.items };
        } catch (error) {
          answer = { file: file.file, ok: false, error: String(error), items: [] };
        }
        if (file.ok === false) expect(answer.ok, `${file.file} is not a feed`).toBe(false);
        results.push(scoreFile(file, answer, base));
      }
      const total = totalScore(results);
      expect(total.items).toBeGreaterThan(1500);
      expect(missedTargets(total), JSON.stringify(total)).toEqual([]);
    },
  );
});
