// The fake Resend on a thread of its own, for the benchmark (the fault tests keep it in their own
// thread, where they can change its faults between steps). At 800 MB of JSON a second (100,000
// readers at 50 calls a second at the field maxima) most of the fake's cost was not its handlers but
// V8's collector: every socket read is a new buffer, and each few dozen MB of them started a full
// collection that marked the whole bench process's heap (Miniflare, wrangler, the harness: ~90 MB).
// On its own thread the fake has its own small heap to mark, its own event loop to read its sockets
// without waiting on the bench's, and the second core to run on.
//
// The same object as `startFakeResend` answers, for what the bench reads after a send: its numbers
// come from the last `refresh()` (a snapshot from the thread), so the bench calls `await
// fake.refresh()` before reading them. `onEvent` is called here, on the bench's thread.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { startFakeResend } from "./fake-resend.mjs";

const EMPTY = {
  counts: {},
  perReader: new Map(),
  totals: {},
  perSecond: [],
  duplicateTrace: [],
  suppressedTo: [],
  violations: [],
  handlerSeconds: 0,
  loop: undefined,
};

/** `startFakeResend(options)` on a worker thread; options must be plain data (no functions). */
export async function startFakeResendThread(options = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { fakeResend: options } });
  const waiting = new Map();
  let nextCall = 0;
  let snapshot = EMPTY;
  const call = (name) =>
    new Promise((resolve, reject) => {
      const id = ++nextCall;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, call: name });
    });
  const fake = {
    onEvent: undefined,
    get counts() {
      return snapshot.counts;
    },
    perReader: () => snapshot.perReader,
    totals: () => snapshot.totals,
    perSecond: () => snapshot.perSecond,
    duplicateTrace: () => snapshot.duplicateTrace,
    suppressedTo: () => snapshot.suppressedTo,
    violations: () => snapshot.violations,
    handlerSeconds: () => snapshot.handlerSeconds,
    /** The fake thread's event loop (idle and active ms) at the last refresh. */
    loop: () => snapshot.loop,
    async refresh() {
      snapshot = await call("snapshot");
    },
    eventsSettled: () => call("eventsSettled"),
    async close() {
      await fake.refresh();
      await call("close");
      await worker.terminate();
    },
  };
  const ready = new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (message) => {
      if (message.ready) return resolve(message.ready);
      if (message.event) {
        // A webhook event: delivered by the bench's thread, then the fake's emit settles.
        const delivered = Promise.resolve(fake.onEvent?.(message.event)).catch(() => {});
        return void delivered.then(() => worker.postMessage({ eventDone: message.eventId }));
      }
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error));
      else pending?.resolve(message.result);
    });
  });
  Object.assign(fake, await ready);
  return fake;
}

/** The thread's side: the fake itself, answering the bench's calls. */
async function serveThread(options) {
  const delivered = new Map();
  let nextEvent = 0;
  const fake = await startFakeResend(options);
  fake.onEvent = (event) =>
    new Promise((resolve) => {
      const eventId = ++nextEvent;
      delivered.set(eventId, resolve);
      parentPort.postMessage({ event, eventId });
    });
  const calls = {
    snapshot: () => ({
      counts: { ...fake.counts },
      perReader: fake.perReader(),
      totals: fake.totals(),
      perSecond: fake.perSecond(),
      duplicateTrace: fake.duplicateTrace(),
      suppressedTo: fake.suppressedTo(),
      violations: fake.violations(),
      handlerSeconds: fake.handlerSeconds(),
      // How busy the fake's thread has been since it started (idle and active ms).
      loop: performance.eventLoopUtilization(),
    }),
    eventsSettled: () => fake.eventsSettled(),
    close: () => fake.close(),
  };
  parentPort.on("message", async (message) => {
    if (message.eventDone) {
      delivered.get(message.eventDone)?.();
      return void delivered.delete(message.eventDone);
    }
    try {
      parentPort.postMessage({ id: message.id, result: await calls[message.call]() });
    } catch (error) {
      parentPort.postMessage({ id: message.id, error: String(error) });
    }
  });
  parentPort.postMessage({ ready: { url: fake.url, apiKey: fake.apiKey } });
}

if (!isMainThread && workerData?.fakeResend) await serveThread(workerData.fakeResend);
