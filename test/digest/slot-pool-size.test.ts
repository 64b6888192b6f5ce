// A run slot's pool at its largest: 500 articles with 2,000-character summaries, in a daily and a
// weekly section, is far more than SQLite takes in one row (2 MB, which the harness enforces). Its
// own file: storage is per file, and the 500 articles would crowd another file's slots.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newArticleId } from "../../src/articles/article-id";
import { createArticleRecords } from "../../src/articles/article-records";
import type { Article } from "../../src/articles/article-schema";
import { editionSend } from "../../src/digest/edition-send";
import type { Digest } from "../../src/digest/digest-schema";
import { POOL_MAX_ARTICLES } from "../../src/digest/slot-pool";
import { readerLedger } from "../../src/subscribers/reader-ledger";
import { defaultPreferences, type Preferences } from "../../src/subscribers/preferences";
import { runScheduled, waitFor } from "../fixtures/digest";
import { mailTo } from "../fixtures/reader";

const personal = { ...env, DIGEST_DELIVERY: "personal" } as typeof env;
const HOUR = 3_600_000;

const run = (iso: string) => runScheduled(Date.parse(iso), "*/15 * * * *", personal);

const finished = (slotId: string) =>
  waitFor(async () => {
    const status = await editionSend(env, slotId).status();
    return status && (status.status === "sent" || status.status === "failed") ? status : null;
  });

async function reader(email: string, atIso: string, choices: Partial<Preferences>) {
  const preferences = { ...defaultPreferences("UTC"), ...choices };
  const ledger = readerLedger(env, email);
  await ledger.signUp({ source: "api", formVersion: "test", ipHash: null, preferences }, atIso);
  await ledger.confirm(atIso);
}

// Headlines of made-up words, none shared, so no two articles are one story.
const word = (n: number) =>
  Array.from(String(n).padStart(4, "0"), (digit) => "bdfgklmnpt"[Number(digit)]).join("a") + "o";

/** Articles straight into local KV, as the article API stores them, within the hours before `slotMs`. */
async function seedLongArticles(count: number, slotMs: number, prefix: string) {
  const records = createArticleRecords(env.ARTICLES);
  const articles: Article[] = Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(slotMs - HOUR - i * 60_000).toISOString();
    return {
      id: newArticleId(Date.parse(createdAt)),
      url: `https://long.example/${prefix}/${i}`,
      title: `${word(i * 3)} ${word(i * 3 + 1)} ${word(i * 3 + 2)} ${prefix}`,
      summary: `${i} `.padEnd(2000, "summary text of a feed that sends its whole first paragraph "),
      source: "long.example",
      topics: [["ai", "web", "security"][i % 3]!],
      publishedAt: createdAt,
      createdAt,
      updatedAt: createdAt,
      editor: "alice",
    };
  });
  for (let i = 0; i < articles.length; i += 50)
    await Promise.all(articles.slice(i, i + 50).map((article) => records.put(article)));
}

type Stored = { head: number; rows: number; largestRow: number };
const storedSizes = (slotId: string) =>
  runInDurableObject(editionSend(env, slotId), (_object, state): Stored => {
    const sql = state.storage.sql;
    const head = sql.exec<{ n: number }>(`SELECT length(digest) AS n FROM edition`).one().n;
    const rows = sql
      .exec<{ n: number; largest: number | null }>(
        `SELECT COUNT(*) AS n, MAX(length(item)) AS largest FROM digest_item`,
      )
      .one();
    return { head, rows: rows.n, largestRow: rows.largest ?? 0 };
  });

describe("a run slot's pool at its largest", () => {
  it("keeps 500 long articles and a weekly section a story a row, and sends from them", async () => {
    // 2030-05-02 is a Thursday: a daily and a weekly reader are due at 09:00 UTC.
    const slotMs = Date.parse("2030-05-02T09:00:00Z");
    await seedLongArticles(POOL_MAX_ARTICLES, slotMs, "pool");
    await reader("daily@pool-size.test", "2030-04-01T00:00:00.000Z", { deliveryHour: 9 });
    await reader("weekly@pool-size.test", "2030-04-01T00:00:00.000Z", {
      cadence: "weekly",
      weekday: "thu",
      deliveryHour: 9,
    });

    await run("2030-05-02T09:00:00Z");
    expect(await finished("2030-05-02T0900")).toMatchObject({ sent: 2, failed: 0 });

    const pool = (await editionSend(env, "2030-05-02T0900").digest()) as Digest;
    expect(pool.sections.map((s) => [s.topic, s.articles.length])).toEqual([
      ["daily", 500],
      ["weekly", 500],
    ]);
    // As one value it would be over 2 MB; stored a story a row, no row comes near.
    expect(JSON.stringify(pool).length).toBeGreaterThan(2_000_000);
    const sizes = await storedSizes("2030-05-02T0900");
    expect(sizes.rows).toBe(1000);
    expect(sizes.largestRow).toBeLessThan(3000);
    expect(sizes.head).toBeLessThan(2000);

    for (const email of ["daily@pool-size.test", "weekly@pool-size.test"]) {
      const digests = (await mailTo(email)).filter((m) => m.tags.some((t) => t.name === "digest"));
      expect(digests).toHaveLength(1);
      expect(digests[0]!.text).toContain(`${word(0)} ${word(1)} ${word(2)} pool`);
    }
  }, 20_000);

  it("reads and sends a pool an older deploy stored whole in the edition row", async () => {
    // 10:00, when no reader of the test above is due.
    const slotId = "2030-05-09T1000";
    const slotMs = Date.parse("2030-05-09T10:00:00Z");
    await reader("older@pool-size.test", "2030-04-01T00:00:00.000Z", { deliveryHour: 10 });
    const story = {
      id: newArticleId(slotMs - HOUR),
      url: "https://older.example/story",
      title: "A story frozen by an older deploy",
      summary: null,
      source: "older.example",
      topics: ["web"],
      publishedAt: new Date(slotMs - HOUR).toISOString(),
      createdAt: new Date(slotMs - HOUR).toISOString(),
      updatedAt: new Date(slotMs - HOUR).toISOString(),
      editor: "alice",
    };
    const older: Digest = {
      id: slotId,
      status: "compiled",
      heldReason: null,
      title: "Tidings",
      subject: "Tidings",
      windowStart: new Date(slotMs - 24 * HOUR).toISOString(),
      cutoff: new Date(slotMs).toISOString(),
      sections: [{ topic: "daily", articles: [story] }],
      articleCount: 1,
      webHtml: "",
      createdAt: new Date(slotMs).toISOString(),
      archiveId: null,
    };
    // The edition row as the deploy before stories had rows wrote it: the whole pool in `digest`.
    await runInDurableObject(editionSend(env, slotId), (_object, state) => {
      state.storage.sql.exec(
        `INSERT INTO edition (singleton, id, digest, created_ms, status, held_reason, article_count,
           phase, next_chunk, recipients, steps, adopted_at)
         VALUES (1, ?, ?, ?, 'compiled', NULL, 1, 'idle', 0, 0, 0, ?)`,
        slotId,
        JSON.stringify(older),
        slotMs,
        slotMs,
      );
    });
    expect(await editionSend(env, slotId).digest()).toEqual(older);

    await run("2030-05-09T10:00:00Z");
    // The readers of the test above are overdue since 09:00: this run sends them too.
    expect(await finished(slotId)).toMatchObject({ recipients: 3, sent: 3 });
    const [mail] = (await mailTo("older@pool-size.test")).filter((m) =>
      m.tags.some((t) => t.name === "digest"),
    );
    expect(mail!.text).toContain("A story frozen by an older deploy");
  });
});
