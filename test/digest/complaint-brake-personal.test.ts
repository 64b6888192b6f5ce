// The complaint brake under personal delivery: readers are mailed by run slots, so the brake weighs
// the slots whose emails linked to the last digest that went out (their sums kept by DailyFigures).
// Its own file: the brake reads the archive before each compile, and the figures of every slot.
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDeps } from "../../src/digest/digest-handlers";
import { slotIdFor } from "../../src/digest/digest-schema";
import { editionSend } from "../../src/digest/edition-send";
import { unknownEditionStatus, type SendStatus } from "../../src/digest/edition-status";
import { releaseDigest } from "../../src/digest/editor-actions";
import { runDigest } from "../../src/digest/run-digest";
import { dailyFigures } from "../../src/stats/daily-figures";
import { defaultPreferences } from "../../src/subscribers/preferences";
import { readerLedger } from "../../src/subscribers/reader-ledger";
import { runScheduled, seedArticle, waitFor } from "../fixtures/digest";
import { mailTo } from "../fixtures/reader";
import { postWebhook, resendEvent } from "../fixtures/webhook";

// Personal delivery (the deployed default) for the Worker and its Durable Objects alike: the suite's
// config keeps edition delivery, and a day's edition owner reads its own env to know it only archives.
const personal = env;
beforeAll(() => {
  Object.assign(env, { DIGEST_DELIVERY: "personal" });
});
afterAll(() => {
  Object.assign(env, { DIGEST_DELIVERY: "edition" });
});
const HOUR = 3_600_000;

/** The daily cron at `iso`: under personal delivery it compiles the day's digest for the archive. */
async function dailyRun(iso: string, story: string) {
  await seedArticle(
    { url: `https://brake-personal.test/${story}`, title: `Story ${story}` },
    new Date(Date.parse(iso) - 2 * HOUR),
  );
  await runScheduled(Date.parse(iso), "0 7 * * *", personal);
  return (await runDeps(personal).digests.get(iso.slice(0, 10)))!;
}

/** A quarter-hour run at `iso`, and its send's drain when it started one. */
async function slotRun(iso: string): Promise<SendStatus | null> {
  await runScheduled(Date.parse(iso), "*/15 * * * *", personal);
  const owner = editionSend(env, slotIdFor(new Date(iso)));
  if (!(await owner.status())) return null;
  return waitFor(async () => {
    const status = await owner.status();
    return status?.status === "sent" || status?.status === "failed" ? status : null;
  });
}

async function reader(email: string, atIso: string) {
  const ledger = readerLedger(env, email);
  const input = { source: "api", formVersion: "test", ipHash: null } as const;
  await ledger.signUp({ ...input, preferences: defaultPreferences("UTC") }, atIso);
  await ledger.confirm(atIso);
  return email;
}

const digestsTo = async (email: string) =>
  (await mailTo(email)).filter((mail) => mail.tags.some((tag) => tag.name === "digest"));

/** A run slot's totals as its owner would report them to DailyFigures. */
function slotReport(id: string, sent: number, complained: number): SendStatus {
  const status = unknownEditionStatus({
    id,
    status: "compiled",
    heldReason: null,
    articleCount: 1,
  });
  return { ...status, status: "sent", sent, events: { ...status.events, complained } };
}

describe("the complaint brake under personal delivery", () => {
  it("holds the next day's digest and its slots when a slot's complaints pass 0.3%, and release lets them go", async () => {
    const [ann, bo, cy] = [
      await reader("ann@brake-personal.test", "2031-03-09T10:00:00.000Z"),
      await reader("bo@brake-personal.test", "2031-03-09T10:00:00.000Z"),
      await reader("cy@brake-personal.test", "2031-03-09T10:00:00.000Z"),
    ];
    expect((await dailyRun("2031-03-10T07:00:00.000Z", "day-1")).status).toBe("compiled");
    expect(await slotRun("2031-03-10T07:00:00.000Z")).toMatchObject({ sent: 3 });
    // The slot's email drew a complaint: the webhook carries the slot's id as its digest tag.
    const complaint = await postWebhook(
      resendEvent("email.complained", ann!, {}, { digest: "2031-03-10T0700" }),
    );
    expect(complaint.status).toBe(200);

    const held = await dailyRun("2031-03-11T07:00:00.000Z", "day-2");
    expect(held.status).toBe("held");
    expect(held.heldReason).toBe(
      "Complaints on the 1 run slot from 2031-03-10 07:00 to 2031-03-11 07:00 UTC reached 33.33% of the emails sent (1 of 3); the limit is 0.30%.",
    );
    // While the day's digest is held, no slot is handed anyone: the readers stay due.
    expect(await slotRun("2031-03-11T07:00:00.000Z")).toBeNull();
    expect(await slotRun("2031-03-11T07:15:00.000Z")).toBeNull();
    for (const email of [bo!, cy!]) expect(await digestsTo(email)).toHaveLength(1);

    await releaseDigest(personal, "2031-03-11", "alice");
    expect(await slotRun("2031-03-11T07:30:00.000Z")).toMatchObject({ sent: 2 });
    for (const email of [bo!, cy!]) {
      const mails = await digestsTo(email);
      expect(mails).toHaveLength(2);
      expect(mails.filter((mail) => mail.html.includes("/digests/2031-03-11"))).toHaveLength(1);
    }
    // The reader who complained is suppressed, and mailed no more.
    expect(await digestsTo(ann!)).toHaveLength(1);

    // The next compile weighs the slots since the released digest: nothing to hold.
    expect((await dailyRun("2031-03-12T07:00:00.000Z", "day-3")).status).toBe("compiled");
  });

  it("weighs only the slots since the last digest sent, and keeps holding while a held one waits", async () => {
    const figures = dailyFigures(env);
    const deps = runDeps(personal);
    const compile = async (id: string) => {
      const cutoff = new Date(`${id}T07:00:00.000Z`);
      await seedArticle(
        { url: `https://brake-personal.test/${id}`, title: id },
        new Date(cutoff.getTime() - HOUR),
      );
      return (await runDigest(deps, { id, cutoff })).digest;
    };
    let version = 1;
    // Before the last digest: not weighed by the next compile.
    await figures.recordSend(slotReport("2032-01-01T0600", 100, 40), version++);
    expect((await compile("2032-01-01")).status).toBe("held");
    await releaseDigest(personal, "2032-01-01", "alice");
    await figures.recordSend(slotReport("2032-01-01T0900", 600, 1), version++);
    await figures.recordSend(slotReport("2032-01-02T0645", 400, 1), version++);
    // The edition of the day itself (archive only) is not a slot, whatever its figures say.
    await figures.recordSend(slotReport("2032-01-02", 10, 10), version++);
    expect((await compile("2032-01-02")).status).toBe("compiled");

    // 2 of 1,000 is under 0.3%; a third complaint on a slot reaches it.
    await figures.recordSend(slotReport("2032-01-02T0800", 1000, 2), version++);
    expect((await compile("2032-01-03")).status).toBe("compiled");
    await figures.recordSend(slotReport("2032-01-03T0800", 1000, 3), version++);
    const held = await compile("2032-01-04");
    expect(held.heldReason).toBe(
      "Complaints on the 1 run slot from 2032-01-03 07:00 to 2032-01-04 07:00 UTC reached 0.30% of the emails sent (3 of 1000); the limit is 0.30%.",
    );
    // Not released: the next day still weighs what went out after the last digest sent.
    const still = await compile("2032-01-05");
    expect(still.heldReason).toBe(
      "Complaints on the 1 run slot from 2032-01-03 07:00 to 2032-01-05 07:00 UTC reached 0.30% of the emails sent (3 of 1000); the limit is 0.30%.",
    );
  });
});
