// The Worker isolate's memory during a bench run, read through workerd's V8 inspector (Miniflare's
// `inspectorPort`). Every second a full garbage collection (`HeapProfiler.collectGarbage`), then
// `Runtime.getHeapUsage`: the live JS heap plus the memory behind ArrayBuffers (request bodies,
// encoded pieces: `backingStorageSize`). The most of that over the run is the peak reported: what
// an isolate must hold, and what Workers' 128 MB an isolate limits (V8 collects garbage before it
// gives up). Between those, a sample every 20 ms of the heap in use, garbage included, and of the
// heap V8 committed, for context: they depend on when V8 chose to collect. Sampled, so a peak
// between two samples can be missed; the forced collections' CPU is counted with the send's.
//
// In the bench the one isolate runs everything of the Worker: the consumer invocations, the fetch
// handlers and the Durable Objects (in production each object runs elsewhere). Its peak is an
// upper bound for the consumer's own.
import { createServer } from "node:net";
import WebSocket from "ws";

const SAMPLE_MS = 20;
const LIVE_EVERY_MS = 1000;

/** A free loopback port for the inspector. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts sampling the isolate of worker `name`; `peak()` reads the maxima, `reset()` clears them. */
export async function watchHeap(port, name) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((t) => t.id === `core:user:${name}`);
  if (!target) throw new Error(`no inspector target for ${name}: ${targets.map((t) => t.id)}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let id = 0;
  const waiting = new Map();
  let snapshot = null;
  socket.on("message", (raw) => {
    const message = JSON.parse(String(raw));
    if (message.method === "HeapProfiler.addHeapSnapshotChunk")
      snapshot?.push(message.params.chunk);
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  const command = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const usage = () => command("Runtime.getHeapUsage");
  // BENCH_HEAP_SNAPSHOT_MS=N (a debugging aid): N ms in, a heap snapshot's live objects by
  // constructor, the largest first, on stderr.
  if (process.env.BENCH_HEAP_SNAPSHOT_MS)
    setTimeout(async () => {
      const before = await usage();
      snapshot = [];
      await command("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      const parsed = JSON.parse(snapshot.join(""));
      snapshot = null;
      process.stderr.write(`\n${summarise(parsed, before)}\n`);
    }, Number(process.env.BENCH_HEAP_SNAPSHOT_MS));

  const empty = () => ({
    bytes: 0,
    heapUsed: 0,
    backing: 0,
    inUse: 0,
    committed: 0,
    samples: 0,
    liveSamples: 0,
  });
  const total = (u) => u.usedSize + (u.backingStorageSize ?? 0) + (u.embedderHeapUsedSize ?? 0);
  let peak = empty();
  let stopped = false;
  let lastLive = 0;
  const loop = (async () => {
    while (!stopped) {
      if (Date.now() - lastLive >= LIVE_EVERY_MS) {
        lastLive = Date.now();
        await command("HeapProfiler.collectGarbage");
        const live = await usage();
        if (live) {
          peak.liveSamples++;
          if (total(live) > peak.bytes)
            Object.assign(peak, {
              bytes: total(live),
              heapUsed: live.usedSize,
              backing: live.backingStorageSize ?? 0,
            });
        }
      }
      const u = await usage();
      if (u) {
        peak.samples++;
        peak.inUse = Math.max(peak.inUse, total(u));
        peak.committed = Math.max(peak.committed, u.totalSize);
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    /**
     * Since the last reset: `bytes` the most live (heap `heapUsed` + buffers `backing`, after a
     * collection), `inUse` the most in use between collections, `committed` V8's committed heap.
     */
    peak: () => ({ ...peak }),
    reset: () => void (peak = empty()),
    async stop() {
      stopped = true;
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 500))]);
      socket.close();
    },
  };
}

/** A snapshot's live objects: self size by type and name, the 25 largest. */
function summarise({ snapshot, nodes, strings }, before) {
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const totals = new Map();
  let live = 0;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    const name = type === "object" || type === "native" ? strings[nodes[i + nameAt]] : `(${type})`;
    const size = nodes[i + sizeAt];
    live += size;
    const entry = totals.get(name) ?? { size: 0, count: 0 };
    entry.size += size;
    entry.count++;
    totals.set(name, entry);
  }
  const mib = (n) => (n / 2 ** 20).toFixed(1);
  const top = [...totals].sort((a, b) => b[1].size - a[1].size).slice(0, 25);
  return [
    `heap snapshot: ${mib(live)} MiB live (in use before it: ${mib(before.usedSize)} MiB, buffers ${mib(before.backingStorageSize ?? 0)} MiB)`,
    ...top.map(
      ([name, { size, count }]) =>
        `  ${mib(size).padStart(7)} MiB  ${String(count).padStart(8)}  ${name.slice(0, 80)}`,
    ),
  ].join("\n");
}
