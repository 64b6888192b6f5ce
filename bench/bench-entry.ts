// The Worker as the benchmark and the fault tests run it: the real entry under production's
// per-invocation limits (test/platform/), injectable crashes, and /__bench routes to seed readers and
// articles straight into local KV and to read the limits' maxima. Never deployed.
import "../test/platform/platform-limits";
import type { DurableObject } from "cloudflare:workers";
import { createArticleStore } from "../src/articles/article-store";
import type { AppEnv } from "../src/env";
import worker, * as real from "../src/index";
import { createSubscriberStore } from "../src/subscribers/subscriber-store";
import { readerLedger } from "../src/subscribers/reader-ledger";
import { dueIndex, readPage } from "../src/subscribers/due-index";
import { editionSend } from "../src/digest/edition-send";
import { unsubscribe } from "../src/subscribers/subscription";
import { benchText } from "./bench-articles";
import { asTwinConsumer, spreadQueue } from "../test/platform/concurrent-queues";
import { countedInvocation, hold, sendQueues } from "./queue-watch";
import { limitDurableObject, limitWorker } from "../test/platform/limit-worker";
import {
  configureLimits,
  type OutgoingCall,
  platformUsage,
  resetPlatformUsage,
  setFaultHook,
} from "../test/platform/platform-limits";

// Every object sees the send queue spread over its twins (test/platform/concurrent-queues.ts), so the
// harness's N local queues feed N consumer invocations at once, as max_concurrency does. The spread
// comes first and the limits count its one call, as production counts one sendBatch.
type ObjectClass = new (...args: any[]) => DurableObject<any>;
function bench<C extends ObjectClass>(base: C): C {
  const Spread = class extends limitDurableObject(base) {
    constructor(...args: any[]) {
      super(args[0], spreadQueue(args[1] as object));
    }
  };
  Object.defineProperty(Spread, "name", { value: base.name });
  return Spread;
}

export const ArticleUrl = bench(real.ArticleUrl);
export const DailyFigures = bench(real.DailyFigures);
export const DepartureLog = bench(real.DepartureLog);
export const DueIndex = bench(real.DueIndex);
// The slots whose owner adopted a pool (in this isolate, where every object runs in the bench): the
// day's status poll asks only these, so it never opens an owner (and its database) for a slot
// that production leaves untouched.
const adoptedSlots = new Set<string>();
export const EditionSend = class extends bench(real.EditionSend) {
  override adopt(offered: Parameters<real.EditionSend["adopt"]>[0]) {
    adoptedSlots.add(offered.id);
    return super.adopt(offered);
  }
};
Object.defineProperty(EditionSend, "name", { value: "EditionSend" });
export const ListImport = bench(real.ListImport);
export const ProviderLimiter = bench(real.ProviderLimiter);
export const ReaderLedger = bench(real.ReaderLedger);
export const SourceRegistry = bench(real.SourceRegistry);

// Crashes: without `crashMethod`, a put of a `v1:progress:` key dies (the consumer sent a chunk and
// died before recording it); with one, a call to that Durable Object RPC method dies before it
// reaches the object (`recordChunk`: the provider accepted the chunk, the record never happened).
const settings = {
  crashRate: 0,
  crashes: 0,
  maxCrashes: Number.POSITIVE_INFINITY,
  crashMethod: "",
  // Each queue batch first holds the thread this many loops (workerd runs every service on one
  // thread): a consumer that runs long on a loaded machine (test/faults/queue-broker.test.ts).
  holdLoops: 0,
};
// mulberry32: a seeded generator in 32-bit integer arithmetic (a float LCG loses precision and cycles).
let state = 42;
const nextRandom = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const crashTarget = (call: OutgoingCall) =>
  settings.crashMethod
    ? call.kind === "durable-object" && call.method === settings.crashMethod
    : call.kind === "kv" &&
      call.method === "put" &&
      String(call.args[0]).startsWith("v1:progress:");

setFaultHook((call) => {
  if (settings.crashRate <= 0 || !crashTarget(call)) return;
  if (settings.crashes >= settings.maxCrashes || nextRandom() >= settings.crashRate) return;
  settings.crashes++;
  throw new Error(
    settings.crashMethod
      ? `injected crash: the caller died before ${call.target}.${call.method} reached the object`
      : "injected crash: the consumer died after sending, before recording progress",
  );
});

const confirmed = (email: string, at: string) => ({
  email,
  status: "confirmed" as const,
  createdAt: at,
  updatedAt: at,
  consent: {
    signedUpAt: at,
    source: "import" as const,
    formVersion: "bench",
    ipHash: null,
    confirmedAt: at,
    unsubscribedAt: null,
    unsubscribeMethod: null,
  },
  confirmationSentAt: at,
  welcomeSentAt: at,
  history: [],
});

async function benchRoute(request: Request, env: AppEnv): Promise<Response> {
  const url = new URL(request.url);
  const body = request.method === "POST" ? ((await request.json()) as Record<string, any>) : {};
  switch (url.pathname) {
    case "/__bench/seed-readers": {
      const store = createSubscriberStore(env.SUBSCRIBERS);
      const at = new Date().toISOString();
      const emails: string[] = body.emails;
      for (let i = 0; i < emails.length; i += 1000) {
        await Promise.all(
          emails.slice(i, i + 1000).map((email) => store.put(confirmed(email, at), null)),
        );
      }
      return Response.json({ seeded: emails.length });
    }
    case "/__bench/count-readers": {
      // Reads every reader page back through KV, as the send would: proof that a seeded template holds.
      const store = createSubscriberStore(env.SUBSCRIBERS);
      let cursor: string | null = null;
      let total = 0;
      let confirmedCount = 0;
      let last: string | null = null;
      // Who is not confirmed, and why: what a fault scenario checks nobody was wrongly suppressed by.
      const notConfirmed: { email: string; status: string }[] = [];
      do {
        const page = await store.listPage(cursor);
        total += page.readers.length;
        for (const reader of page.readers) {
          if (reader.status === "confirmed") confirmedCount++;
          else if (notConfirmed.length < 20_000)
            notConfirmed.push({ email: reader.email, status: reader.status });
        }
        last = page.readers.at(-1)?.email ?? last;
        cursor = page.cursor;
      } while (cursor);
      const sample = last ? await store.get(last) : null;
      return Response.json({
        total,
        confirmed: confirmedCount,
        notConfirmed,
        sample: sample?.email ?? null,
      });
    }
    case "/__bench/seed-articles": {
      const store = createArticleStore(env.ARTICLES, env.ARTICLE_URLS);
      const now = typeof body.at === "number" ? body.at : Date.now();
      // `first`: the first headline's number, so separate calls seed separate stories.
      const first = typeof body.first === "number" ? body.first : 0;
      for (let i = 0; i < body.count; i++) {
        const { title, summary } = benchText(first + i, body.maxima === true);
        await store.upsert(
          {
            url: `https://bench.example/${now}/${title.slice(0, 80).toLowerCase().replace(/\W+/g, "-")}`,
            title,
            summary,
            topics: [
              ((body.topics as string[] | undefined) ?? ["ai", "web", "security", "cloud"])[
                i % ((body.topics as string[] | undefined)?.length ?? 4)
              ]!,
            ],
          },
          "bench",
          new Date(
            now - (body.count - i) * (typeof body.spacingMs === "number" ? body.spacingMs : 1000),
          ),
        );
      }
      return Response.json({ seeded: body.count });
    }
    case "/__bench/seed-due": {
      // Readers with their choices straight into the due index (what each ledger's publish does).
      const seeded = await dueIndex(env).scheduleMany(body.readers, body.nowMs);
      return Response.json({ seeded });
    }
    case "/__bench/due-page": {
      const page = readPage(
        await dueIndex(env).pageJson(body.slot, body.slotMs, body.cursor, body.limit),
      );
      return Response.json({ count: page.readers.length, cursor: page.cursor, done: page.done });
    }
    case "/__bench/slot-status": {
      const id = url.searchParams.get("id") ?? "";
      // A slot nobody adopted has no owner in production: none is opened to say so.
      if (url.searchParams.has("adopted") && !adoptedSlots.has(id))
        return Response.json({ status: null });
      return Response.json({ status: await editionSend(env, id).status() });
    }
    // Every failed reader of a send (the API shows the first 1,000).
    case "/__bench/failed-readers":
      return Response.json({
        readers: await editionSend(env, url.searchParams.get("id") ?? "").failedReaders(1_000_000),
      });
    case "/__bench/unsubscribe": {
      for (const email of body.emails as string[])
        await unsubscribe(
          { readers: (e) => readerLedger(env, e), now: new Date() },
          email,
          "one-click",
        );
      return Response.json({ unsubscribed: body.emails.length });
    }
    case "/__bench/settings":
      Object.assign(settings, { maxCrashes: Number.POSITIVE_INFINITY, crashMethod: "" }, body);
      return Response.json(settings);
    case "/__bench/limits": {
      // POST resets the maxima (and sets limits, if given); GET reads them.
      if (request.method === "POST") {
        if (body.limits) configureLimits(body.limits);
        resetPlatformUsage();
      }
      return Response.json({ ...platformUsage(), crashes: settings.crashes });
    }
    case "/__bench/kv-ops": {
      // The send's KV operations, every invocation but the harness's own status polls.
      if (request.method === "POST") resetPlatformUsage();
      const usage = platformUsage();
      const ops = Object.fromEntries(
        Object.entries(usage.totals).filter(([name]) => KV_BINDINGS.has(name.split(".")[0]!)),
      );
      return Response.json({ ops, total: usage.totalsByKind.kv, crashes: settings.crashes });
    }
    case "/__bench/hold":
      // The thread held here: how many loops make how long (the caller times it).
      return Response.json({ held: hold(Number(url.searchParams.get("loops") ?? 0)) });
    case "/__bench/queues":
      // Each twin's due backlog and the consumer invocations running (bench/queue-watch.ts).
      return Response.json(await sendQueues(env));
    default:
      return new Response("not found", { status: 404 });
  }
}

const KV_BINDINGS = new Set(["ARTICLES", "SUBSCRIBERS", "DIGESTS", "OUTBOX"]);
// The harness marks its status polls: they run under the limits but stay out of the send's totals.
const limited = limitWorker<AppEnv>(worker, {
  inTotals: (request) => !request.headers.has("x-bench-observer"),
});

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith("/__bench/")) return benchRoute(request, env);
    return limited.fetch!(request, spreadQueue(env), ctx);
  },
  scheduled: (controller, env, ctx) => limited.scheduled!(controller, spreadQueue(env), ctx),
  queue: (batch, env, ctx) =>
    countedInvocation(batch.queue, () =>
      asTwinConsumer(env, batch.queue, batch.messages.length, () => {
        hold(settings.holdLoops);
        return limited.queue!(batch, spreadQueue(env), ctx) as Promise<void>;
      }),
    ),
} satisfies ExportedHandler<AppEnv>;
