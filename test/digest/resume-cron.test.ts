// Its own file: it counts every reader in the store.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runDeps } from "../../src/digest/digest-handlers";
import { createDigestStore } from "../../src/digest/digest-store";
import { runDigest } from "../../src/digest/run-digest";
import worker from "../../src/index";
import { queueWithSendBatch, seedArticle, seedReaders } from "../fixtures/digest";

async function resumeCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: "*/10 * * * *" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

describe("the resume cron", () => {
  it("leaves a live fan-out alone and finishes one that stalled", async () => {
    await seedReaders(1500, "stalled");
    const now = new Date();
    const id = now.toISOString().slice(0, 10);
    await seedArticle(
      { url: "https://stall.test/x", title: "x" },
      new Date(now.getTime() - 60_000),
    );
    let calls = 0;
    const dying = queueWithSendBatch(async (messages) => {
      if (++calls === 2) throw new Error("worker died");
      await env.SEND_QUEUE.sendBatch(messages);
    });
    const store = createDigestStore(env.DIGESTS);

    // A fan-out that died just now: its checkpoint is fresh, so the resume cron waits.
    const base = runDeps(env);
    await expect(
      runDigest(
        {
          ...base,
          fanOut: { ...base.fanOut, queue: dying, jobsPerEnqueue: 5, checkpointEvery: 5 },
        },
        { id, cutoff: now },
      ),
    ).rejects.toThrow();
    await resumeCron();
    expect((await store.checkpoints(id)).at(-1)).toMatchObject({ done: false, nextChunk: 5 });

    // The same, six minutes later: the resume cron carries it on to the end.
    const staleCheckpoint = (await store.checkpoints(id))[0]!;
    await store.addCheckpoint(id, 0, {
      ...staleCheckpoint,
      at: new Date(Date.now() - 6 * 60_000).toISOString(),
    });
    await resumeCron();
    expect((await store.checkpoints(id)).at(-1)).toMatchObject({
      done: true,
      nextChunk: 15,
      recipients: 1500,
    });
  }, 30_000);
});
