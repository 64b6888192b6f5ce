// Runs the real Worker in workerd through the Miniflare API, against the fake Resend on loopback:
// the same bundle wrangler would deploy (plus bench/bench-entry.ts), the bindings of wrangler.toml.
// Shared by `npm run bench` and the fault tests.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { startFakeResend } from "./fake-resend.mjs";
import { startFakeResendThread } from "./fake-resend-thread.mjs";
import { freePort, watchHeap } from "./heap-watch.mjs";
import { objectsDirectory } from "./object-dirs.mjs";
import { stalledQueues, startMiniflare } from "./miniflare-queues.mjs";

const BUILD_DIR = ".bench-build";
const EDITOR_TOKEN = "bench-editor-token";
let built = false;

export function buildBenchWorker() {
  if (!built) {
    execFileSync(
      "npx",
      ["wrangler", "deploy", "--dry-run", "--outdir", BUILD_DIR, "bench/bench-entry.ts"],
      {
        stdio: "pipe",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
    built = true;
  }
  return `${BUILD_DIR}/bench-entry.js`;
}

/** The workerd processes Miniflare started (children of this process). */
function workerdPids() {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return ppid === process.pid && stat.includes("(workerd)");
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU seconds (user + system) and peak resident memory (bytes) of workerd, from /proc. */
export function workerdUsage() {
  let cpuSeconds = 0;
  let userSeconds = 0;
  let peakBytes = 0;
  for (const pid of workerdPids()) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    cpuSeconds += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
    userSeconds += Number(fields[11]) / 100;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    peakBytes = Math.max(peakBytes, Number(hwm?.[1] ?? 0) * 1024);
  }
  return { cpuSeconds, userSeconds, peakBytes };
}

const SEND_QUEUE = "tidings-send";
const WORKER_NAME = "tidings-bench";

/** The send queue's consumer settings in wrangler.toml (max_concurrency, max_batch_size, ...). */
export function sendConsumer() {
  const config = unstable_readConfig({ config: "wrangler.toml" });
  return config.queues.consumers.find((consumer) => consumer.queue === SEND_QUEUE);
}

// The webhook secret the harness signs the fake's events with, as Resend (Svix) signs them.
const WEBHOOK_SECRET = `whsec_${Buffer.from("bench-webhook-secret-0123456789").toString("base64")}`;

/** Standard Webhooks headers for `body`: HMAC-SHA256 of `id.timestamp.body` with the secret. */
export function signWebhook(body, id, secret = WEBHOOK_SECRET) {
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "svix-id": id, "svix-timestamp": String(timestamp), "svix-signature": `v1,${mac}` };
}

/**
 * @param {{ rate: number, faults?: object, maxRetries?: number, seed?: number, keepEmails?: number,
 *   kvDir?: string, inspectorPort?: number, pagesPerStep?: number, delivery?: string,
 *   bindings?: object, latencyMs?: number, latencyMsPerMB?: number, dailyQuota?: number,
 *   monthlyQuota?: number, quotaDayMs?: number, consumers?: number, watchHeap?: boolean,
 *   fakeThread?: boolean }} options
 *   delivery: DIGEST_DELIVERY (default edition); kvDir: keep local KV in this folder (a seeded
 *   template, copied per run) instead of in memory; pagesPerStep: the Worker var
 *   FANOUT_PAGES_PER_STEP; latencyMs, latencyMsPerMB: the fake's latency (its defaults unless set);
 *   dailyQuota, monthlyQuota, quotaDayMs: its quotas (quotaDayMs is also the Worker's
 *   RESEND_QUOTA_DAY_SECONDS, so both agree when a quota day ends, as Resend and Tidings do on UTC
 *   days); consumers: send-consumer invocations at once (default: wrangler.toml's max_concurrency);
 *   watchHeap: sample the Worker isolate's memory through the inspector (`harness.heap`);
 *   fakeThread: the fake on its own thread (its numbers read after `await harness.fake.refresh()`)
 */
export async function startHarness(options) {
  const scriptPath = buildBenchWorker();
  const inspectorPort = options.inspectorPort ?? (options.watchHeap ? await freePort() : undefined);
  // The bench runs the fake on a thread of its own (bench/fake-resend-thread.mjs); tests keep it here.
  const fake = await (options.fakeThread ? startFakeResendThread : startFakeResend)({
    ratePerSecond: options.rate,
    faults: options.faults,
    seed: options.seed,
    keepEmails: options.keepEmails,
    latencyMs: options.latencyMs,
    latencyMsPerMB: options.latencyMsPerMB,
    dailyQuota: options.dailyQuota,
    monthlyQuota: options.monthlyQuota,
    quotaDayMs: options.quotaDayMs,
  });
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  const consumers = structuredClone(workerOptions.queueConsumers);
  const producers = structuredClone(workerOptions.queueProducers);
  const runtimeErrors = [];
  if (options.maxRetries !== undefined) {
    for (const consumer of Object.values(consumers)) consumer.maxRetries = options.maxRetries;
  }
  // Concurrent consumer invocations, as production runs max_concurrency of them: the send queue's
  // twins, each with its own broker and the same settings (test/platform/concurrent-queues.ts).
  const concurrency = options.consumers ?? sendConsumer().max_concurrency ?? 1;
  const twinNames = [SEND_QUEUE];
  for (let i = 1; i < concurrency; i++) {
    consumers[`${SEND_QUEUE}-${i}`] = { ...consumers[SEND_QUEUE] };
    producers[`SEND_QUEUE_${i}`] = { queueName: `${SEND_QUEUE}-${i}` };
    twinNames.push(`${SEND_QUEUE}-${i}`);
  }
  // The Durable Objects' SQLite files in memory (tmpfs) where there is one, not on the disk: a
  // personal day writes some 450 MB to them against an edition's 116 MB, and their fsyncs and
  // writeback were kernel time (a day's fell from 15.5 to 9-10 us a reader) that production's
  // storage, replicated off the isolate, does not spend there. SQLite's own work is counted.
  const objectsDir = objectsDirectory();
  // Its queue brokers kept flushing however loaded the machine (bench/miniflare-queues.mjs).
  const mf = await startMiniflare({
    ...workerOptions,
    name: WORKER_NAME,
    // The bundle as one explicit module: the resend SDK keeps an optional dynamic import of
    // @react-email/render that Miniflare's module walker cannot resolve (and we never use).
    modules: [{ type: "ESModule", path: scriptPath, contents: readFileSync(scriptPath, "utf8") }],
    queueConsumers: consumers,
    queueProducers: producers,
    bindings: {
      ...workerOptions.bindings,
      SITE_URL: "https://tidings.bench",
      EDITOR_TOKENS: `bench:${EDITOR_TOKEN}`,
      SIGNING_SECRET: "bench-signing-secret",
      RESEND_API_KEY: fake.apiKey,
      RESEND_BASE_URL: fake.url,
      RESEND_RATE_PER_SECOND: String(options.rate),
      // The twins' one backlog hands a free twin up to a batch (test/platform/concurrent-queues.ts).
      BENCH_SEND_QUEUES: JSON.stringify(twinNames),
      BENCH_SEND_BATCH: String(consumers[SEND_QUEUE].maxBatchSize ?? 10),
      RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...(options.quotaDayMs
        ? { RESEND_QUOTA_DAY_SECONDS: String(options.quotaDayMs / 1000) }
        : {}),
      ...(options.pagesPerStep ? { FANOUT_PAGES_PER_STEP: String(options.pagesPerStep) } : {}),
      // The fault suites and the unpersonalised rows send the day's edition to everyone.
      DIGEST_DELIVERY: options.delivery ?? "edition",
      // Scaled time for the fault tests: shorter backoff, the same logic.
      ...(options.bindings ?? {}),
    },
    cf: false,
    verbose: false,
    ...(options.kvDir ? { kvPersist: options.kvDir } : {}),
    ...(objectsDir ? { durableObjectsPersist: objectsDir } : {}),
    // The Worker's log lines would bury the benchmark's output; errors are kept for the run's report.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.on("data", (chunk) => runtimeErrors.push(String(chunk)));
    },
    ...(inspectorPort ? { inspectorPort } : {}),
  });
  const heap = options.watchHeap
    ? await watchHeap(inspectorPort, WORKER_NAME, () => workerdUsage().cpuSeconds)
    : null;

  const call = async (path, init = {}) => {
    const response = await mf.dispatchFetch(`https://tidings.bench${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${EDITOR_TOKEN}`,
        "Content-Type": "application/json",
        // The harness's own requests run under the limits but stay out of the send's totals.
        "x-bench-observer": "1",
        ...init.headers,
      },
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const post = (path, body) => call(path, { method: "POST", body: JSON.stringify(body) });
  // The fake's webhook events reach the Worker signed, as Resend's reach it in production.
  let events = 0;
  fake.onEvent = async (event) => {
    const body = JSON.stringify(event);
    const response = await mf.dispatchFetch("https://tidings.bench/webhooks/resend", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...signWebhook(body, `msg_bench_${++events}`),
      },
      body,
    });
    await response.text();
    if (response.status !== 200) runtimeErrors.push(`webhook ${event.type}: ${response.status}`);
  };

  return {
    mf,
    fake,
    runtimeErrors,
    /** With `watchHeap`: the Worker isolate's memory, sampled (bench/heap-watch.mjs). */
    heap,
    concurrency,
    async seedReaders(emails) {
      for (let i = 0; i < emails.length; i += 5000)
        await post("/__bench/seed-readers", { emails: emails.slice(i, i + 5000) });
    },
    seedArticles: (count, at, maxima = false) =>
      post("/__bench/seed-articles", { count, at, maxima }),
    /**
     * { total, confirmed, notConfirmed: [{ email, status }], sample }: every reader read back through
     * KV list pages, one record parsed.
     */
    countReaders: () => call("/__bench/count-readers"),
    unsubscribe: (emails) => post("/__bench/unsubscribe", { emails }),
    /** Erases readers through the editors' API, as an editor would. */
    async erase(emails) {
      for (const email of emails)
        await call(`/api/subscribers/${encodeURIComponent(email)}`, { method: "DELETE" });
    },
    settings: (values) => post("/__bench/settings", values),
    kvOps: (reset = false) => call("/__bench/kv-ops", { method: reset ? "POST" : "GET" }),
    /**
     * The per-invocation maxima since the last reset: { limits, invocations, mostKvOps, mostSubrequests,
     * mostConnections (each { count, invocation }), violations, violationCount, totals, crashes }.
     * `reset` clears them first; `limits` (e.g. { subrequests: 10000, overConnections: "queue" }) also
     * changes what is enforced.
     */
    limits: (reset = false, limits = undefined) =>
      reset ? post("/__bench/limits", { limits }) : call("/__bench/limits"),
    status: async (id) => (await call(`/api/digests/${id}`)).digest,
    /** Every failed reader of a send (the API lists the first 1,000). */
    failedReaders: async (id) => (await call(`/__bench/failed-readers?id=${id}`)).readers,
    /** An editor sends the failed readers again. */
    redrive: (id) => post(`/api/digests/${id}/redrive`, {}),
    /** An editor presses Resume on a send paused for the provider's quota. */
    resume: (id) => post(`/api/digests/${id}/resume`, {}),
    async cron(scheduledTime, cron = "0 7 * * *") {
      const worker = await mf.getWorker();
      await worker.scheduled({ cron, scheduledTime: new Date(scheduledTime) });
    },
    /** Twins whose broker stopped delivering (bench/miniflare-queues.mjs). */
    stalledQueues: () => stalledQueues(call, producers),
    /**
     * Polls the digest's status until every chunk is accounted for (sent or failed). No progress for
     * `stallMs` while a twin holds due messages that no consumer takes fails the run at once.
     */
    async drained(id, { timeoutMs = 600_000, onProgress, pollMs = 25, stallMs = 60_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let progress = "";
      let progressAt = Date.now();
      for (;;) {
        const status = await this.status(id);
        onProgress?.(status);
        if (status && (status.status === "sent" || status.status === "failed")) return status;
        const now = Date.now();
        const seen = JSON.stringify([
          status?.status,
          status?.recipients,
          status?.sent,
          status?.failed,
          status?.skipped,
        ]);
        if (seen !== progress) [progress, progressAt] = [seen, now];
        else if (now - progressAt > stallMs) {
          const stalled = await this.stalledQueues();
          if (stalled.length > 0)
            throw new Error(
              `the send stalled: no progress for ${Math.round((now - progressAt) / 1000)} s, and queues hold due jobs no consumer takes: ${JSON.stringify(stalled)}; status ${JSON.stringify(status)}`,
            );
          progressAt = now;
        }
        if (now > deadline)
          throw new Error(
            `not drained in time: ${JSON.stringify(status)}; queues ${JSON.stringify(await call("/__bench/queues"))}`,
          );
        // Often enough that the poll adds little to the measured wall time; each poll is 3 KV reads.
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    /** Closes both; a request that broke Resend's contract fails the run that made it. */
    async close() {
      await heap?.stop();
      await fake.eventsSettled();
      await mf.dispose();
      if (objectsDir) rmSync(objectsDir, { recursive: true, force: true });
      // (On its own thread, the fake's last numbers are fetched as it closes.)
      await fake.close();
      if (fake.counts.violations > 0)
        throw new Error(
          `${fake.counts.violations} request(s) broke Resend's contract:\n${fake.violations().join("\n")}`,
        );
    },
  };
}

/** The local id wrangler.toml gives a KV binding (the folder name of its local storage). */
export function kvNamespaceId(binding) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  const namespace = workerOptions.kvNamespaces?.[binding];
  return typeof namespace === "string" ? namespace : namespace?.id;
}

export const readerEmails = (count, prefix = "reader") =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(7, "0")}@bench.example`);
