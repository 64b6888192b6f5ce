// The harness bites: an invocation past production's KV, subrequest or connection limit fails, one
// inside them passes, and every way into the Worker (SELF, the cron, Durable Objects) is counted.
import {
  createExecutionContext,
  env,
  runInDurableObject,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { DurableObject } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import * as limited from "./limited-entry";
import { countedBindings } from "./limit-bindings";
import { limitWorker } from "./limit-worker";
import {
  configureLimits,
  DEFAULT_LIMITS,
  platformUsage,
  resetPlatformUsage,
  setFaultHook,
} from "./platform-limits";

type Env = typeof env;

/** One fetch invocation of a Worker whose handler is `work`, through the same wrapper as the entry. */
async function invoke(work: (env: Env) => Promise<unknown>) {
  const handler = limitWorker<Env>({
    async fetch(_request, limitedEnv) {
      await work(limitedEnv);
      return new Response("ok");
    },
  });
  const ctx = createExecutionContext();
  const response = handler.fetch!(new Request("https://tidings.test/probe"), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const reads = (n: number) => async (e: Env) => {
  for (let i = 0; i < n; i++) await e.ARTICLES.get(`v1:probe:${i}`);
};

beforeEach(() => resetPlatformUsage());
// These tests cross limits on purpose: clear what they recorded before the suite-wide check sees it.
afterEach(() => {
  configureLimits(DEFAULT_LIMITS);
  setFaultHook(null);
  resetPlatformUsage();
});

describe("the platform limits in tests", () => {
  it("passes an invocation that makes exactly 1,000 KV operations", async () => {
    await expect(invoke(reads(1000))).resolves.toBeInstanceOf(Response);
    const usage = platformUsage();
    expect(usage.mostKvOps).toEqual({ count: 1000, invocation: "fetch GET /probe" });
    expect(usage.violations).toEqual([]);
  });

  it("fails the 1,001st KV operation and records it even when the code catches it", async () => {
    await expect(invoke(reads(1001))).rejects.toThrow(
      "platform limit: 1001 KV operations in one invocation (limit 1000): ARTICLES.get in fetch GET /probe",
    );
    const swallowed = invoke(async (e) => {
      await reads(1000)(e);
      await e.ARTICLES.put("v1:probe:last", "x").catch(() => undefined);
    });
    await expect(swallowed).resolves.toBeInstanceOf(Response);
    expect(platformUsage().violations).toHaveLength(2);
  });

  it("counts a bulk get of 100 keys as one KV operation", async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `v1:probe:${i}`);
    await invoke(async (e) => void (await e.ARTICLES.get(keys)));
    expect(platformUsage().mostKvOps.count).toBe(1);
  });

  it("fails the 7th simultaneous connection", async () => {
    // Port 9 refuses: the six fetches fail on their own, the 7th fails before it leaves.
    const settled = invoke(async () => {
      const calls = Array.from({ length: 7 }, () => fetch("http://127.0.0.1:9/"));
      const results = await Promise.allSettled(calls);
      const limit = results.filter(
        (r) => r.status === "rejected" && String(r.reason).includes("platform limit"),
      );
      if (limit.length !== 1)
        throw new Error(`expected one refused connection, got ${limit.length}`);
    });
    await expect(settled).resolves.toBeInstanceOf(Response);
    expect(platformUsage().violations.map((v) => v.message)).toEqual([
      "platform limit: 7 simultaneous connections in one invocation (limit 6): 127.0.0.1:9.fetch in fetch GET /probe",
    ]);
  });

  it("queues the 7th connection instead when asked to, as production does", async () => {
    configureLimits({ overConnections: "queue" });
    const keys = Array.from({ length: 20 }, (_, i) => `v1:probe:${i}`);
    await invoke(async (e) => void (await Promise.all(keys.map((key) => e.ARTICLES.get(key)))));
    const usage = platformUsage();
    expect(usage.violations).toEqual([]);
    expect(usage.mostConnections.count).toBe(20);
    expect(usage.mostKvOps.count).toBe(20);
  });

  it("counts KV, Queue and Durable Object calls together as subrequests", async () => {
    configureLimits({ subrequests: 3 });
    // The 4th call is the queue send, refused before it enqueues anything.
    const calls = invoke(async (e) => {
      await e.ARTICLES.get("v1:probe:a");
      await e.DEPARTURES.get(e.DEPARTURES.idFromName("probe")).departedAmong([], 0);
      await e.ARTICLES.get("v1:probe:b");
      await e.SEND_QUEUE.sendBatch([{ body: { probe: true } }]);
    });
    await expect(calls).rejects.toThrow(
      "4 subrequests in one invocation (limit 3): SEND_QUEUE.sendBatch",
    );
  });

  it("runs each Durable Object call as an invocation of its own", async () => {
    await invoke(async (e) => {
      await e.DEPARTURES.get(e.DEPARTURES.idFromName("probe")).departedAmong(["a@b.test"], 0);
    });
    const usage = platformUsage();
    expect(usage.invocations).toBe(2);
    expect(usage.totals["DEPARTURES.departedAmong"]).toBe(1);
  });

  it("lets the bench fail a chosen Durable Object method before it reaches the object", async () => {
    setFaultHook((call) => {
      if (call.kind === "durable-object" && call.method === "departedAmong")
        throw new Error("injected crash");
    });
    const call = invoke(async (e) => {
      await e.DEPARTURES.get(e.DEPARTURES.idFromName("probe")).departedAmong([], 0);
    });
    await expect(call).rejects.toThrow("injected crash");
    expect(platformUsage().invocations).toBe(1);
  });

  it("counts every KV namespace, queue and Durable Object namespace of the Worker", () => {
    expect(countedBindings(env)).toMatchObject({
      ARTICLES: "kv",
      SUBSCRIBERS: "kv",
      DIGESTS: "kv",
      OUTBOX: "kv",
      SEND_QUEUE: "queue",
      DEAD_LETTER_QUEUE: "queue",
      EDITION_SENDS: "namespace",
      DEPARTURES: "namespace",
    });
  });

  it("sends SELF.fetch and imports of src/index through the limited entry", async () => {
    expect(worker).toBe(limited.default);
    await SELF.fetch("https://tidings.test/digests");
    const usage = platformUsage();
    expect(usage.invocations).toBeGreaterThan(0);
    expect(usage.mostSubrequests.invocation).toBe("fetch GET /digests");
  });

  it("fails a second write to one KV key within a second, and records it even when caught", async () => {
    const twice = invoke(async (e) => {
      await e.ARTICLES.put("v1:probe:twice", "1");
      await e.ARTICLES.put("v1:probe:other", "1");
      await e.ARTICLES.put("v1:probe:twice", "2");
    });
    await expect(twice).rejects.toThrow(
      /platform limit: 2 writes to one KV key within \d+ ms \(limit 1 a second\): ARTICLES.put v1:probe:twice in fetch GET \/probe/,
    );
    // A delete is a write too, and a caught refusal is still recorded.
    await invoke(async (e) => {
      await e.ARTICLES.delete("v1:probe:other").catch(() => undefined);
    });
    expect(await env.ARTICLES.get("v1:probe:twice")).toBe("1");
    expect(platformUsage().violationCount).toBe(2);
  });

  it("lets a key be written again once the second has passed", async () => {
    configureLimits({ kvKeyWriteIntervalMs: 40 });
    await invoke(async (e) => {
      await e.ARTICLES.put("v1:probe:spaced", "1");
      await new Promise((resolve) => setTimeout(resolve, 60));
      await e.ARTICLES.put("v1:probe:spaced", "2");
    });
    expect(platformUsage().violations).toEqual([]);
    expect(await env.ARTICLES.get("v1:probe:spaced")).toBe("2");
  });

  it("refuses a SQLite value or row over 2 MB, and records it even when caught", async () => {
    const stub = env.EDITION_SENDS.get(env.EDITION_SENDS.idFromName("probe-sqlite"));
    const outcomes = await runInDurableObject(stub, (_object, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE IF NOT EXISTS probe (a TEXT, b TEXT)`);
      const attempt = (query: string, ...values: unknown[]) => {
        try {
          sql.exec(query, ...values);
          return "stored";
        } catch (error) {
          return String(error).slice(0, 70);
        }
      };
      return [
        attempt(`INSERT INTO probe VALUES (?, '')`, "x".repeat(1_999_000)),
        // 2,100,000 bytes: workerd's own SQLite takes it; production's 2 MB does not.
        attempt(`INSERT INTO probe VALUES (?, '')`, "x".repeat(2_100_000)),
        attempt(`INSERT INTO probe VALUES (?, ?)`, "é".repeat(600_000), "y".repeat(900_000)),
        // Made inside SQL: refused by SQLite itself, and recorded.
        attempt(`UPDATE probe SET b = a || a || a`),
      ];
    });
    expect(outcomes[0]).toBe("stored");
    expect(outcomes[1]).toContain("platform limit: a value of 2100000 bytes bound to SQLite");
    expect(outcomes[2]).toContain("platform limit: values of 2100000 bytes in one statement");
    expect(outcomes[3]).toContain("platform limit: SQLite refused a value or row over its limit");
    expect(platformUsage().violationCount).toBe(3);
  });

  it("lists as of a minute ago when the list lag is set, and reads by key as now", async () => {
    await env.ARTICLES.put("v1:lag:b-kept", "", { metadata: { status: "confirmed" } });
    await env.ARTICLES.put("v1:lag:c-deleted", "", { metadata: { status: "confirmed" } });
    await env.ARTICLES.put("v1:lag:d-changed", "", { metadata: { status: "confirmed" } });
    configureLimits({ kvListLagMs: 60_000 });
    const seen = (keys: { name: string; metadata?: unknown }[]) =>
      keys.map((key) => `${key.name.slice(7)}=${JSON.stringify(key.metadata ?? null)}`);
    let lagged: string[] = [];
    let paged: string[] = [];
    await invoke(async (e) => {
      await e.ARTICLES.put("v1:lag:a-new", "", { metadata: { status: "confirmed" } });
      await e.ARTICLES.delete("v1:lag:c-deleted");
      await e.ARTICLES.put("v1:lag:d-changed", "", { metadata: { status: "unsubscribed" } });
      lagged = seen((await e.ARTICLES.list({ prefix: "v1:lag:" })).keys);
      // Two keys a page: the deleted key is shown on the page its name falls in.
      const first = await e.ARTICLES.list({ prefix: "v1:lag:", limit: 2 });
      const second = await e.ARTICLES.list({
        prefix: "v1:lag:",
        limit: 2,
        cursor: first.list_complete ? undefined : first.cursor,
      });
      paged = [...seen(first.keys), ...seen(second.keys)];
      expect(await e.ARTICLES.get("v1:lag:a-new")).toBe("");
    });
    const asBefore = [
      'b-kept={"status":"confirmed"}',
      'c-deleted={"status":"confirmed"}',
      'd-changed={"status":"confirmed"}',
    ];
    expect(lagged).toEqual(asBefore);
    expect(paged).toEqual(asBefore);
    configureLimits({ kvListLagMs: 0 });
    const now = await env.ARTICLES.list({ prefix: "v1:lag:" });
    expect(seen(now.keys)).toEqual([
      'a-new={"status":"confirmed"}',
      'b-kept={"status":"confirmed"}',
      'd-changed={"status":"unsubscribed"}',
    ]);
  });

  it("exports every Durable Object class as a limited subclass of the same name", () => {
    for (const name of [
      "ArticleUrl",
      "DepartureLog",
      "DueIndex",
      "EditionSend",
      "ProviderLimiter",
      "ReaderLedger",
    ] as const) {
      const parent = Object.getPrototypeOf(limited[name]) as typeof DurableObject;
      expect(limited[name].name).toBe(name);
      expect(parent.name).toBe(name);
      expect(parent.prototype).toBeInstanceOf(DurableObject);
    }
  });
});
