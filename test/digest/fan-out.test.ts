import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runDeps } from "../../src/digest/digest-handlers";
import { SendJob } from "../../src/digest/digest-schema";
import { runDigest } from "../../src/digest/run-digest";
import { queueWithSendBatch, seedArticle, seedReaders } from "../fixtures/digest";

// Its own file: storage is per file, and this test counts every reader in the store.
const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

describe("fan-out", () => {
  it("resumes a fan-out that died half-way with the very same chunks", async () => {
    const readers = await seedReaders(2500, "resume");
    const cutoff = at("2046-03-03T07:00:00Z");
    await seedArticle({ url: "https://r.test/x", title: "x" }, new Date(cutoff.getTime() - HOUR));
    const enqueued: SendJob[] = [];
    let calls = 0;
    const dyingQueue = queueWithSendBatch(async (messages) => {
      if (++calls === 2) throw new Error("worker died mid fan-out");
      enqueued.push(...messages.map((m) => SendJob.parse(m.body)));
    });
    const base = runDeps(env);
    const dying = {
      ...base,
      fanOut: { ...base.fanOut, queue: dyingQueue, jobsPerEnqueue: 5, checkpointEvery: 5 },
    };
    await expect(runDigest(dying, { id: "2046-03-03", cutoff })).rejects.toThrow("worker died");
    const before = enqueued.length;
    expect(before).toBe(5);
    const resumed = await runDigest(dying, { id: "2046-03-03", cutoff });
    expect(resumed.checkpoint).toMatchObject({ done: true, nextChunk: 25, recipients: 2500 });
    expect(enqueued.map((job) => job.chunk)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(enqueued.flatMap((job) => job.recipients)).toEqual(readers);
  }, 30_000);
});
