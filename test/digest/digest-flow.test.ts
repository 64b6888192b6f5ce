// The main job end to end: articles over HTTP, the cron, the real queue and consumer, the outbox.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { api, BASE } from "../fixtures/api";
import { seedReaders, waitFor } from "../fixtures/digest";
import { parseHtml } from "../fixtures/parse";
import { mailTo, textOf } from "../fixtures/reader";

async function runCron(scheduledTime: number, cron = "0 7 * * *") {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function status(id: string) {
  return ((await (await api(`/api/digests/${id}`)).json()) as any).digest;
}

/** The outbox keeps one idempotency record per provider call, holding that call's message ids. */
async function batchCalls(): Promise<number[]> {
  const { keys } = await env.OUTBOX.list({ prefix: "v1:outbox:idem:" });
  const sizes = await Promise.all(
    keys.map(async (key) => ((await env.OUTBOX.get<string[]>(key.name, "json")) ?? []).length),
  );
  return sizes.sort((a, b) => b - a);
}

describe("the daily digest", () => {
  it("compiles at the cron, sends 250 readers in 3 batch calls of 100, 100 and 50, once each", async () => {
    const readers = await seedReaders(250, "flow");
    for (const [i, title] of [
      "Rust 2.0 <announced>",
      "PyTorch moves to the PyTorch Foundation",
      "A quiet day in AI",
    ].entries()) {
      const response = await api("/api/articles", {
        method: "POST",
        json: {
          url: `https://news.example/flow-${i}`,
          title,
          topics: i === 0 ? ["rust"] : ["ai"],
          summary: `Summary ${i} & more`,
        },
      });
      expect(response.status).toBe(201);
    }
    const scheduledTime = Date.now() + 1000;
    const id = new Date(scheduledTime).toISOString().slice(0, 10);
    await runCron(scheduledTime);

    const done = await waitFor(async () => {
      const current = await status(id);
      return current.status === "sent" && current;
    });
    expect(done).toMatchObject({
      id,
      status: "sent",
      articleCount: 3,
      recipients: 250,
      sent: 250,
      failed: 0,
      queued: 0,
    });
    expect(done.startedAt).toBeTruthy();
    expect(done.finishedAt).toBeTruthy();
    expect(await batchCalls()).toEqual([100, 100, 50]);
    // Once sent, the edition's owner keeps counts and no address (erasure need not chase it).
    const stored = await runInDurableObject(
      env.EDITION_SENDS.get(env.EDITION_SENDS.idFromName(id)),
      (_instance, state) =>
        state.storage.sql
          .exec<{ n: number }>(
            "SELECT COUNT(*) AS n FROM chunk WHERE walked IS NOT NULL OR fixed IS NOT NULL",
          )
          .one().n,
    );
    expect(stored).toBe(0);

    const mail = await mailTo(readers[7]!);
    expect(mail).toHaveLength(1);
    const digestEmail = mail[0]!;
    expect(digestEmail.subject).toBe("Tidings: A quiet day in AI (+2 more)");
    expect(digestEmail.html).toContain("Rust 2.0 &lt;announced&gt;");
    expect(digestEmail.html).not.toContain("Rust 2.0 <announced>");
    expect(digestEmail.text).toContain("Rust 2.0 <announced>");
    expect(digestEmail.text).toContain("Summary 0 & more");
    expect(digestEmail.html).toContain(`${BASE}/digests/${id}`);
    expect(digestEmail.html).toContain("1 Example Street");
    const unsubscribe = digestEmail.headers["List-Unsubscribe"]!.slice(1, -1);
    expect(digestEmail.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const parsed = parseHtml(digestEmail.html);
    expect(
      parsed
        .all("a")
        .filter((a) => parsed.attr(a, "href") === unsubscribe)
        .map((a) => parsed.text(a)),
    ).toEqual(["Unsubscribe"]);

    // The cron fires again for the same day: nothing new is sent.
    await runCron(scheduledTime);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await batchCalls()).toEqual([100, 100, 50]);
    expect(await status(id)).toMatchObject({ status: "sent", sent: 250, recipients: 250 });

    // The reader leaves by the digest's one-click link.
    const left = await SELF.fetch(unsubscribe, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(left.status).toBe(200);
    expect(textOf(await left.text())).toContain("You're unsubscribed");
  }, 60_000);
});
