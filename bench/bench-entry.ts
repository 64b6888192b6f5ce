// The Worker as the benchmark and the fault tests run it: the real entry, with its KV bindings
// counted during the send (cron and queue invocations only), an injectable crash, and a few
// /__bench routes to seed readers and articles straight into local KV. Never deployed.
import { createArticleStore } from "../src/articles/article-store";
import type { AppEnv } from "../src/env";
import worker from "../src/index";
export { ArticleUrl, DepartureLog, EditionSend, ProviderLimiter, ReaderLedger } from "../src/index";
import { createSubscriberStore } from "../src/subscribers/subscriber-store";
import { readerLedger } from "../src/subscribers/reader-ledger";
import { unsubscribe } from "../src/subscribers/subscription";

const KV_BINDINGS = ["ARTICLES", "SUBSCRIBERS", "DIGESTS", "OUTBOX"] as const;
const kvOps: Record<string, number> = {};
const settings = { crashRate: 0, crashes: 0, maxCrashes: Number.POSITIVE_INFINITY };
// mulberry32: a seeded generator in 32-bit integer arithmetic (a float LCG loses precision and cycles).
let state = 42;
const nextRandom = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Counts every KV call; with a crash rate, dies where a consumer is most fragile: before recording progress. */
function countingKv(kv: KVNamespace, name: string): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const op = `${name}.${String(property)}`;
        kvOps[op] = (kvOps[op] ?? 0) + 1;
        const crash =
          settings.crashRate > 0 &&
          settings.crashes < settings.maxCrashes &&
          nextRandom() < settings.crashRate;
        if (property === "put" && String(args[0]).startsWith("v1:progress:") && crash) {
          settings.crashes++;
          throw new Error(
            "injected crash: the consumer died after sending, before recording progress",
          );
        }
        return value.apply(target, args);
      };
    },
  });
}

function counted(env: AppEnv): AppEnv {
  const wrapped: AppEnv = { ...env };
  for (const name of KV_BINDINGS) wrapped[name] = countingKv(env[name], name);
  return wrapped;
}

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
    case "/__bench/seed-articles": {
      const store = createArticleStore(env.ARTICLES, env.ARTICLE_URLS);
      const now = typeof body.at === "number" ? body.at : Date.now();
      for (let i = 0; i < body.count; i++) {
        await store.upsert(
          {
            url: `https://bench.example/${now}/story-${i}`,
            title: `Story ${i}: a benchmark headline about systems`,
            summary:
              "A summary of about the length editors write, so the email is the size it would be on a real day. ".repeat(
                2,
              ),
            topics: [["ai", "web", "security", "cloud"][i % 4]!],
          },
          "bench",
          new Date(now - (body.count - i) * 1000),
        );
      }
      return Response.json({ seeded: body.count });
    }
    case "/__bench/unsubscribe": {
      for (const email of body.emails as string[])
        await unsubscribe({ readers: (e) => readerLedger(env, e), now: new Date() }, email, "one-click");
      return Response.json({ unsubscribed: body.emails.length });
    }
    case "/__bench/settings":
      Object.assign(settings, { maxCrashes: Number.POSITIVE_INFINITY }, body);
      return Response.json(settings);
    case "/__bench/kv-ops":
      if (request.method === "POST") for (const key of Object.keys(kvOps)) delete kvOps[key];
      return Response.json({
        ops: kvOps,
        total: Object.values(kvOps).reduce((a, b) => a + b, 0),
        crashes: settings.crashes,
      });
    default:
      return new Response("not found", { status: 404 });
  }
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith("/__bench/")) return benchRoute(request, env);
    return worker.fetch(request, env, ctx);
  },
  scheduled(controller, env, ctx) {
    return worker.scheduled(controller, counted(env), ctx);
  },
  queue(batch, env, ctx) {
    return worker.queue(batch, counted(env), ctx);
  },
} satisfies ExportedHandler<AppEnv>;
