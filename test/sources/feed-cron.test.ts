// The feed cron: one cheap nudge, then the registry's alarm steps fetch every due source, a few a step.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import worker from "../../src/index";
import { FEED_SOURCES_PER_STEP } from "../../src/sources/source-registry";
import { sourceRegistry } from "../../src/sources/source-registry-client";
import { checkFeedAddress, isPrivateHost } from "../../src/sources/feed-address";
import { api } from "../fixtures/api";
import { waitFor } from "../fixtures/digest";

const FEEDS = inject("feedServer");

async function feedCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: env.FEED_CRON }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

describe("the feed cron", () => {
  it("fetches every due source in steps, one bad source stopping none of the others", async () => {
    const paths = ["rss.xml", "gone", "atom.xml", "broken", "feed.json", "rdf.xml", "dated.xml"];
    for (const path of paths) {
      const response = await api("/api/sources", {
        method: "POST",
        json: { url: `${FEEDS}/${path}` },
      });
      expect(response.status).toBe(201);
    }
    await feedCron();
    const registry = sourceRegistry(env);
    // The alarm steps run by themselves (FEED_SOURCES_PER_STEP sources each, every step its own
    // invocation under the platform limits) until no source is due.
    const sources = await waitFor(async () => {
      await runDurableObjectAlarm(registry);
      const list = await registry.list();
      return list.every((s) => s.lastFetchAt !== null) && list;
    });
    expect(paths.length).toBeGreaterThan(FEED_SOURCES_PER_STEP);
    expect(
      sources
        .filter((s) => s.failures > 0)
        .map((s) => s.url.split("/").pop())
        .sort(),
    ).toEqual(["broken", "gone"]);
    expect(sources.find((s) => s.url.endsWith("/rss.xml"))).toMatchObject({
      lastStatus: 200,
      itemsLastFetch: 2,
    });
    // Nothing is due now: a second cron sets no alarm.
    await feedCron();
    expect(await runDurableObjectAlarm(registry)).toBe(false);
  });
});

describe("a 2 MB hostile feed", () => {
  it("is ingested within the CPU limit while the cron keeps fetching the others", async () => {
    const paths = [
      "hostile-2mb.xml",
      "rss.xml?cron=2",
      "atom.xml?cron=2",
      "feed.json?cron=2",
      "rdf.xml?cron=2",
    ];
    const ids: string[] = [];
    for (const path of paths) {
      const response = await api("/api/sources", {
        method: "POST",
        json: { url: `${FEEDS}/${path}` },
      });
      ids.push(((await response.json()) as any).source.id);
    }
    const started = Date.now();
    await feedCron();
    const registry = sourceRegistry(env);
    const sources = await waitFor(async () => {
      await runDurableObjectAlarm(registry);
      const list = (await registry.list()).filter((s) => ids.includes(s.id));
      return list.every((s) => s.lastFetchAt !== null) && list;
    });
    // Parsing is linear: the whole step takes a fraction of the 30 s CPU a Paid invocation gets
    // (npm run feeds:score measures the parse alone, see BENCHMARKS.md).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(sources.map((s) => [s.url.split("/").pop(), s.failures, s.lastError])).toEqual(
      paths.map((path) => [path, 0, null]),
    );
    const hostile = sources.find((s) => s.url.endsWith("hostile-2mb.xml"));
    expect(hostile?.itemsLastFetch).toBe(4);
    const { articles } = (await (await api("/api/articles?limit=100")).json()) as {
      articles: any[];
    };
    const titles = articles.filter((a) => a.editor === `feed:${hostile?.id}`).map((a) => a.title);
    expect(titles.sort()).toEqual([
      "Escaped openers",
      "Raw openers",
      "Still read too",
      "Still read: Vec<T> after the storm",
    ]);
  });
});

describe("feed addresses", () => {
  it("refuses loopback and private addresses unless ALLOW_PRIVATE_FEEDS is true", () => {
    for (const host of [
      "127.0.0.1",
      "localhost",
      "10.1.2.3",
      "192.168.0.1",
      "172.20.0.1",
      "169.254.169.254",
      "[::1]",
      "[fd00::1]",
      "printer.local",
    ]) {
      expect(isPrivateHost(new URL(`http://${host}/`).hostname), host).toBe(true);
      expect(checkFeedAddress(`http://${host}/feed`, false).ok, host).toBe(false);
      expect(checkFeedAddress(`http://${host}/feed`, true).ok, host).toBe(true);
    }
    for (const host of ["example.com", "8.8.8.8", "172.32.0.1", "[2606:4700::1]"]) {
      expect(isPrivateHost(new URL(`http://${host}/`).hostname), host).toBe(false);
    }
    expect(checkFeedAddress("file:///etc/passwd", true).ok).toBe(false);
    expect(checkFeedAddress("http://user:pw@example.com/", true).ok).toBe(false);
  });
});
