// The bench's queues keep delivering on a loaded machine (bench/miniflare-queues.mjs). A Miniflare
// queue broker logs each delivered batch to the loopback server in this Node process; if that log
// call is cut off, the broker never delivers again. Here a consumer holds workerd's thread past the
// moment Node times out the idle loopback connection: workerd has not seen the close when the broker
// logs the batch on that connection. With Node's keep-alive timeout on, the broker stops for good.
import { afterAll, beforeAll, expect, it } from "vitest";
// @ts-expect-error: plain ESM shared with `npm run bench`
import { startHarness } from "../../bench/harness.mjs";

let harness: any;

beforeAll(async () => {
  harness = await startHarness({ rate: 50, consumers: 1 });
}, 120_000);

afterAll(async () => harness?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Consumer invocations so far (a job the consumer cannot read is acked at once). */
const invocations = async () => (await harness.limits()).invocations as number;

async function deliveredWithin(count: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await invocations()) >= count) return true;
    await sleep(20);
  }
  return false;
}

/** Loops of the Worker's hold that take at least about `ms` on this machine now (timed warm). */
async function loopsFor(ms: number): Promise<number> {
  const loops = 10_000_000;
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await harness.mf.dispatchFetch(`https://tidings.bench/__bench/hold?loops=${loops}`);
    fastest = Math.min(fastest, performance.now() - started);
  }
  return Math.round((loops / fastest) * ms);
}

it("a queue broker keeps delivering after a consumer held the thread past a keep-alive timeout", async () => {
  await harness.limits(true);
  const holdLoops = await loopsFor(5_000);
  const queue = await harness.mf.getQueueProducer("SEND_QUEUE");
  // The first batch: the broker's log call leaves a loopback connection idle from about now.
  await queue.send({ unreadable: 1 });
  expect(await deliveredWithin(1, 10_000)).toBe(true);
  // The next batch 4 s later; its consumer holds the thread until after Node's 5 s (+1 s) timeout.
  await harness.settings({ holdLoops });
  await queue.send({ unreadable: 2 }, { delaySeconds: 4 });
  expect(await deliveredWithin(2, 15_000)).toBe(true);
  await harness.settings({ holdLoops: 0 });
  // The broker flushes again: a third job is delivered.
  await queue.send({ unreadable: 3 });
  expect(await deliveredWithin(3, 5_000)).toBe(true);
}, 60_000);
