// The send queue's twins behave as production's one queue: a message waits in one backlog until a
// twin is free and is then handed to it, never pinned behind a busy twin while another sits idle.
import { describe, expect, it } from "vitest";
import { asTwinConsumer, spreadQueue, waitingInBacklog } from "./concurrent-queues";

/** A twin that records each batch it is handed (its broker would deliver them). */
function twin() {
  const handed: MessageSendRequest<unknown>[][] = [];
  const queue = {
    handed,
    async sendBatch(messages: Iterable<MessageSendRequest<unknown>>) {
      handed.push([...messages]);
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    },
    async send() {
      throw new Error("the spread sends batches only");
    },
    async metrics() {
      return { backlogCount: 0, backlogBytes: 0 };
    },
  };
  return queue;
}

function twins() {
  const [a, b, c] = [twin(), twin(), twin()];
  const env = {
    SEND_QUEUE: a,
    SEND_QUEUE_1: b,
    SEND_QUEUE_2: c,
    BENCH_SEND_BATCH: "6",
    BENCH_SEND_QUEUES: JSON.stringify(["send", "send-1", "send-2"]),
  };
  const queue = (spreadQueue(env) as unknown as { SEND_QUEUE: Queue }).SEND_QUEUE;
  return { env, queue, twins: [a, b, c] };
}

const jobs = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ body: { chunk: from + i } }));
const chunks = (batch: MessageSendRequest<unknown>[] | undefined) =>
  (batch ?? []).map((message) => (message.body as { chunk: number }).chunk);

describe("the send queue's twins", () => {
  it("hand free twins full batches, keep the rest in one backlog, and hand it to the first twin done", async () => {
    const { env, queue, twins: all } = twins();
    await queue.sendBatch(jobs(0, 14));
    expect(all.map((t) => t.handed.map((batch) => batch.length))).toEqual([[6], [6], [2]]);

    // Every twin holds jobs it has not delivered yet: the next jobs wait, pinned to none.
    await queue.sendBatch(jobs(14, 5));
    expect(waitingInBacklog()).toBe(5);
    expect(all.map((t) => t.handed.length)).toEqual([1, 1, 1]);

    // The second twin's invocation takes its 6 and ends: it alone is free, and is handed all 5.
    let duringRun = -1;
    await asTwinConsumer(env, "send-1", 6, async () => {
      duringRun = waitingInBacklog();
    });
    expect(duringRun).toBe(5);
    expect(chunks(all[1]!.handed[1])).toEqual([14, 15, 16, 17, 18]);
    expect(waitingInBacklog()).toBe(0);
    expect(all.map((t) => t.handed.length)).toEqual([1, 2, 1]);

    // Deliveries clear what each twin holds, so the test leaves the one backlog as it found it.
    await asTwinConsumer(env, "send", 6, async () => {});
    await asTwinConsumer(env, "send-1", 5, async () => {});
    await asTwinConsumer(env, "send-2", 2, async () => {});
  });

  it("send a delayed job to a twin at once, to wait out its delay there", async () => {
    const { env, queue, twins: all } = twins();
    await queue.sendBatch([{ body: { chunk: 1 }, delaySeconds: 2 }]);
    expect(waitingInBacklog()).toBe(0);
    expect(all.flatMap((t) => t.handed.flat()).map((m) => m.delaySeconds)).toEqual([2]);
    // Not counted as held: a delivery of it finds its twin free.
    const held = all.findIndex((t) => t.handed.length === 1);
    await asTwinConsumer(env, ["send", "send-1", "send-2"][held]!, 1, async () => {});
    await queue.sendBatch(jobs(0, 18));
    expect(all.map((t) => t.handed.at(-1)!.length)).toEqual([6, 6, 6]);
  });
});
