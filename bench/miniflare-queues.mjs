// Miniflare started so that its queue brokers keep flushing on a loaded machine, and a broker that
// stopped all the same told apart from a slow or hung consumer.
//
// Each Miniflare queue broker (node_modules/miniflare/dist/src/workers/queues/broker.worker.js)
// logs every batch it delivered by a POST to Miniflare's loopback server in this Node process, and
// awaits that POST inside `#flush` before it clears `#pendingFlush`. If the POST fails, `#flush`
// throws there, `#pendingFlush` stays set, and that broker never flushes again: its messages sit in
// its backlog for good, with no consumer invocation running (the bench's send stalled that way, with
// 125 of 1,000 jobs never delivered, when two benches ran at once).
//
// The POST fails when Node has closed the keep-alive connection workerd reuses for it. Node's HTTP
// server closes a connection idle for `keepAliveTimeout` (5 s; in practice about 6 s after the last
// request); workerd drops its own idle ones after about 5 s, so on a quiet machine it lets go first.
// When workerd's one thread is busy (a loaded machine, a long consumer batch), it has seen neither
// Node's close nor its own idle deadline when the consumer returns, and the broker's log POST goes
// straight out on the dead connection: "Network connection lost." (test/faults/queue-broker.test.ts
// makes it happen every time). Miniflare does not expose its loopback server, so it is made with the
// keep-alive timeout off: Node never closes an idle connection, workerd closes its own, and no log
// POST is cut off. Production has no such broker: Cloudflare Queues delivers the batches, and no
// log call stands between one batch and the next.
import http from "node:http";
import { Miniflare } from "miniflare";

/** `new Miniflare(options)`, ready, its Node servers (the loopback among them) never timing out idle connections. */
export async function startMiniflare(options) {
  const createServer = http.createServer;
  http.createServer = function (...args) {
    const server = createServer.apply(this, args);
    server.keepAliveTimeout = 0;
    return server;
  };
  try {
    const mf = new Miniflare(options);
    await mf.ready;
    return mf;
  } finally {
    http.createServer = createServer;
  }
}

/**
 * The send queue's twins with due messages and no consumer invocation running, in two looks 2 s
 * apart: brokers that stopped delivering. A working broker hands a due message to its consumer at
 * once (no batch timeout), so the two looks never both see it idle with a backlog; a consumer that
 * hangs shows as running. `call` reads the bench's routes, `producers` the harness's queue bindings.
 */
export async function stalledQueues(call, producers) {
  const look = async () => {
    const { backlogs, running, waiting } = await call("/__bench/queues");
    const stalled = Object.entries(backlogs)
      .map(([binding, backlog]) => ({ queue: producers[binding].queueName, backlog }))
      .filter(({ queue, backlog }) => backlog > 0 && !running[queue]);
    // Jobs in the twins' one backlog while no twin runs or holds any: nothing would hand them out.
    const idle = Object.values(backlogs).every((n) => n === 0);
    if (waiting > 0 && idle && Object.values(running).every((n) => n === 0))
      stalled.push({ queue: "the twins' one backlog", backlog: waiting });
    return stalled;
  };
  const first = await look();
  if (first.length === 0) return [];
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const again = new Set((await look()).map(({ queue }) => queue));
  return first.filter(({ queue }) => again.has(queue));
}
