// The Worker isolate's memory during a bench run, read through workerd's V8 inspector (Miniflare's
// `inspectorPort`) with `Runtime.getHeapUsage`: the JS heap and the memory behind ArrayBuffers
// (request bodies, encoded pieces: `backingStorageSize`), together what Workers' 128 MB an isolate
// limits. Every 20 ms the heap in use, garbage not yet collected included: its peak is an upper
// bound of what the isolate needed, and depends on when V8 chose to collect (with no 128 MB cap
// locally, it lets garbage grow). Every 2 s a full collection (`HeapProfiler.collectGarbage`) and
// then the live memory: what the isolate must hold, the figure a row reports (V8 collects before it
// gives up). Sampled, so a peak between two samples can be missed.
//
// The forced collections are the watcher's, not the send's, and they are dear: `collectGarbage` runs
// V8's most thorough collection (repeated until nothing more is freed), 60-90 ms of workerd CPU each
// with a send's heap, every 2 s of wall, and the isolate spends more after each (taking only the
// collections' own CPU out still left a day 2-13 us a reader dearer than a day without them). A
// longer run pays more: a personal day of 100,000 readers (45 s) measured 11-26 us a reader more
// with the watcher, the edition (21 s) 5-20. So the bench measures CPU in runs without it and the
// memory in a run of its own (bench/run.mjs, bench/day.mjs). `collectionCpuSeconds`: workerd's CPU
// read just before and after each collection (10 ms ticks), shown on the memory run's line.
//
// In the bench the one isolate runs everything of the Worker: the consumer invocations, the fetch
// handlers and the Durable Objects (in production each object runs elsewhere). Its peak is an
// upper bound for the consumer's own.
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import WebSocket from "ws";

const SAMPLE_MS = 20;
const LIVE_EVERY_MS = 2000;

/** A free loopback port for the inspector. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts sampling the isolate of worker `name`; `peak()` reads the maxima, `reset()` clears them.
 * `cpuSeconds()`: workerd's CPU so far, read around each forced collection.
 */
export async function watchHeap(port, name, cpuSeconds) {
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
  // BENCH_CPU_PROFILE_MS=N (a debugging aid): a V8 CPU profile of the isolate for N ms from the
  // first reset (where a run's measured part begins), its functions by self time on stderr.
  let profiling = false;
  const profile = async () => {
    if (!process.env.BENCH_CPU_PROFILE_MS || profiling) return;
    profiling = true;
    await command("Profiler.enable");
    // BENCH_CPU_PROFILE_INTERVAL: µs between samples (default 200; 1000 slows the isolate less).
    const interval = Number(process.env.BENCH_CPU_PROFILE_INTERVAL ?? 200);
    await command("Profiler.setSamplingInterval", { interval });
    await command("Profiler.start");
    setTimeout(async () => {
      const { profile } = await command("Profiler.stop");
      process.stderr.write(`\n${profileSummary(profile)}\n`);
      // BENCH_CPU_PROFILE_FILE: the whole profile too, for DevTools or a closer look.
      if (process.env.BENCH_CPU_PROFILE_FILE)
        writeFileSync(process.env.BENCH_CPU_PROFILE_FILE, JSON.stringify(profile));
    }, Number(process.env.BENCH_CPU_PROFILE_MS));
  };
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
    collectionCpuSeconds: 0,
  });
  const total = (u) => u.usedSize + (u.backingStorageSize ?? 0) + (u.embedderHeapUsedSize ?? 0);
  let peak = empty();
  let stopped = false;
  let lastLive = Date.now();
  const loop = (async () => {
    while (!stopped) {
      if (Date.now() - lastLive >= LIVE_EVERY_MS) {
        lastLive = Date.now();
        const cpuBefore = cpuSeconds();
        await command("HeapProfiler.collectGarbage");
        peak.collectionCpuSeconds += cpuSeconds() - cpuBefore;
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
     * Since the last reset: `inUse` the most in use (heap and buffers, garbage included), `bytes`
     * the most live after a full collection (heap `heapUsed` + buffers `backing`), `committed` the
     * most heap V8 committed, `collectionCpuSeconds` workerd's CPU in the forced collections.
     */
    peak: () => ({ ...peak }),
    reset: () => void ((peak = empty()), profile()),
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

/** A CPU profile's functions by self time, the 30 largest, each with its two largest callers. */
function profileSummary(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node);
  const nameOf = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || "(anonymous)"} ${url.split("/").pop()}:${lineNumber + 1}`;
  };
  const self = new Map();
  for (const id of profile.samples) {
    const node = byId.get(id);
    const entry = self.get(nameOf(node)) ?? { n: 0, callers: new Map() };
    entry.n++;
    const caller = parentOf.get(id);
    const callerName = caller ? nameOf(caller) : "(root)";
    entry.callers.set(callerName, (entry.callers.get(callerName) ?? 0) + 1);
    self.set(nameOf(node), entry);
  }
  const total = profile.samples.length;
  const share = (n) => `${((100 * n) / total).toFixed(1)}%`;
  return [
    `CPU profile: ${total} samples`,
    ...[...self]
      .sort((a, b) => b[1].n - a[1].n)
      .slice(0, 30)
      .map(([name, { n, callers }]) => {
        const top = [...callers].sort((a, b) => b[1] - a[1]).slice(0, 2);
        const from = top.map(([caller, k]) => `${caller.slice(0, 40)} ${share(k)}`).join(", ");
        return `  ${share(n).padStart(6)}  ${name.slice(0, 60)}  <- ${from}`;
      }),
  ].join("\n");
}
