// Its own file: it counts every reader in the store.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runDeps } from "../../src/digest/digest-handlers";
import { editionSend } from "../../src/digest/edition-send";
import { runDigest } from "../../src/digest/run-digest";
import worker from "../../src/index";
import { seedArticle, seedReaders, waitFor } from "../fixtures/digest";

async function resumeCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: "*/10 * * * *" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

describe("the resume cron", () => {
  it("re-arms a walk whose alarm gave up, whatever the edition's date", async () => {
    await seedReaders(1500, "stalled");
    // A past date: the resume cron looks at recent editions, not only today's.
    const cutoff = new Date("2031-03-03T07:00:00Z");
    const id = "2031-03-03";
    await seedArticle(
      { url: "https://stall.test/x", title: "x" },
      new Date(cutoff.getTime() - 60_000),
    );
    await runDigest(runDeps(env), { id, cutoff });
    const owner = editionSend(env, id);
    // The walk dies: its alarm is gone and it stands where it was.
    await runInDurableObject(owner, async (_instance, state) => {
      await state.storage.deleteAlarm();
      state.storage.sql.exec(`DELETE FROM chunk`);
      state.storage.sql.exec(
        `UPDATE edition SET phase = 'walking', page_cursor = NULL, next_chunk = 0, recipients = 0`,
      );
    });
    await resumeCron();
    const status = await waitFor(async () => {
      const current = await owner.status();
      return current?.status === "sent" && current;
    });
    expect(status).toMatchObject({ recipients: 1500, sent: 1500, failed: 0 });
  }, 30_000);

  it("starts an edition once, however many starts race", async () => {
    const cutoff = new Date("2031-04-04T07:00:00Z");
    await seedArticle(
      { url: "https://stall.test/y", title: "y" },
      new Date(cutoff.getTime() - 60_000),
    );
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => runDigest(runDeps(env), { id: "2031-04-04", cutoff })),
    );
    expect(new Set(runs.map((run) => run.digest.createdAt)).size).toBe(1);
    const status = await waitFor(async () => {
      const current = await editionSend(env, "2031-04-04").status();
      return current?.status === "sent" && current;
    });
    // 1,500 readers are two list pages: a first step of one page, then one of the rest. A second
    // fan-out would have walked them again (more steps, and every reader twice).
    expect(status.steps).toBe(2);
    expect(status.recipients).toBe(1500);
    expect(status.sent).toBe(status.recipients);
  }, 30_000);
});
