// The dead-letter queue's consumer through the Worker's real queue handler: a job that exhausted
// its retries is recorded as a failed chunk, the edition finishes `failed` and the chunk is redriven
// through the real send queue; a dead letter whose recording fails is handed back, never dropped.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { setFaultHook } from "../platform/platform-limits";
import { api } from "../fixtures/api";
import { queuedEdition, waitFor } from "../fixtures/digest";
import { mailTo } from "../fixtures/reader";

let days = 0;

/** An edition whose owner holds `chunks` as queued (a finished walk), on a day of its own. */
async function edition(chunks: string[][]) {
  const id = `2042-03-${String(++days).padStart(2, "0")}`;
  return { id, owner: await queuedEdition(id, chunks) };
}

/** One delivery of `bodies` to the consumer of `queue`, through the Worker's queue handler. */
async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({
      id: `${queue}-${Date.now()}-${i}`,
      timestamp: new Date(),
      attempts,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue!(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const digestsTo = async (email: string) =>
  (await mailTo(email)).filter((mail) => mail.tags.some((tag) => tag.name === "digest"));

afterEach(() => setFaultHook(null));

describe("dead letters", () => {
  it("finishes an edition with a dead-lettered chunk as failed, and redrives that chunk", async () => {
    const sent = ["dl-sent-0@dead.test", "dl-sent-1@dead.test"];
    const dead = ["dl-dead-0@dead.test", "dl-dead-1@dead.test", "dl-dead-2@dead.test"];
    const { id, owner } = await edition([sent, dead]);

    await deliver("tidings-send", [{ digestId: id, chunk: 0 }]);
    // Chunk 1's job exhausted its 20 attempts: the queue moved it to the dead-letter queue.
    const result = await deliver("tidings-send-dead", [{ digestId: id, chunk: 1 }], 21);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);

    const shown = ((await (await api(`/api/digests/${id}`)).json()) as any).digest;
    expect(shown).toMatchObject({ status: "failed", sent: 2, failed: 3, queued: 0 });
    expect(shown.finishedAt).not.toBeNull();
    expect(shown.failedReaders).toEqual(dead);

    const redrive = await api(`/api/digests/${id}/redrive`, { method: "POST" });
    expect(redrive.status).toBe(202);
    expect(((await redrive.json()) as any).redriven).toBe(3);
    const after = await waitFor(async () => {
      const status = await owner.status();
      return status?.status === "sent" ? status : null;
    });
    expect(after).toMatchObject({ sent: 5, failed: 0 });
    for (const email of [...sent, ...dead]) expect(await digestsTo(email)).toHaveLength(1);
  });

  it("hands a dead letter whose recording failed back to its queue until it is recorded", async () => {
    const readers = ["dl-retry-0@dead.test", "dl-retry-1@dead.test"];
    const { id, owner } = await edition([readers]);
    let refused = 0;
    // The owner cannot be reached for the first recording (an overloaded or restarting object).
    setFaultHook((call) => {
      if (call.kind === "durable-object" && call.method === "settle" && refused++ === 0)
        throw new Error("injected: the edition's owner is unreachable");
    });

    // Delivered for the last time the queue would allow: thrown, it would have been dropped.
    const result = await deliver("tidings-send-dead", [{ digestId: id, chunk: 0 }], 101);
    expect(refused).toBe(1);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await owner.status())?.status).toBe("sending");

    // The fresh message comes back after the backoff (2 s) and is recorded.
    const recorded = await waitFor(async () => {
      const status = await owner.status();
      return status?.status === "failed" ? status : null;
    });
    expect(refused).toBe(2);
    expect(recorded).toMatchObject({ failed: 2, queued: 0 });
    expect(await owner.failedReaders(10)).toEqual(readers);
  });

  it("retries a dead letter through the queue when it can be neither recorded nor handed back", async () => {
    const { id, owner } = await edition([["dl-stuck-0@dead.test"]]);
    setFaultHook((call) => {
      if (call.kind === "durable-object" && call.method === "settle")
        throw new Error("injected: the edition's owner is unreachable");
      if (call.kind === "queue" && call.target === "DEAD_LETTER_QUEUE")
        throw new Error("injected: the queue refused the message");
    });
    const result = await deliver("tidings-send-dead", [{ digestId: id, chunk: 0 }], 3);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    expect((await owner.status())?.status).toBe("sending");
  });
});
