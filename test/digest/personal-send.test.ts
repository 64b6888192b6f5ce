// The personal send end to end: readers choose through their ledgers, the quarter-hour cron hands
// the due ones to the slot's owner, the real queue and consumer send each their own selection.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { editionSend } from "../../src/digest/edition-send";
import { slotIdFor } from "../../src/digest/digest-schema";
import { dueIndex } from "../../src/subscribers/due-index";
import { readerLedger } from "../../src/subscribers/reader-ledger";
import { defaultPreferences, type Preferences } from "../../src/subscribers/preferences";
import { seedArticle, waitFor } from "../fixtures/digest";
import { mailTo, textOf } from "../fixtures/reader";
import { api } from "../fixtures/api";

const personal = { ...env, DIGEST_DELIVERY: "personal" } as typeof env;
const QUARTER = 15 * 60 * 1000;

/** One quarter-hour run at `iso`, and (if it started a send) its drain. */
async function run(iso: string) {
  const scheduledTime = Date.parse(iso);
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime, cron: "*/15 * * * *" }),
    personal,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const owner = editionSend(env, slotIdFor(new Date(scheduledTime)));
  const status = await owner.status();
  if (!status) return null;
  return waitFor(async () => {
    const current = await owner.status();
    return current && (current.status === "sent" || current.status === "failed") ? current : null;
  });
}

/** Every run from `fromIso` to `toIso` inclusive, a quarter-hour apart. */
async function runEvery(fromIso: string, toIso: string) {
  for (let t = Date.parse(fromIso); t <= Date.parse(toIso); t += QUARTER)
    await run(new Date(t).toISOString());
}

let n = 0;
const created: string[] = [];
// Each test's readers leave after it, so a later test's runs are not theirs to send.
afterEach(async () => {
  for (const email of created.splice(0))
    await readerLedger(env, email).unsubscribe("api", "2030-12-31T00:00:00.000Z");
});
/** A confirmed reader with `choices`, signed up and confirmed at `atIso` through their ledger. */
async function reader(label: string, atIso: string, choices: Partial<Preferences> = {}) {
  const email = `${label}.${++n}@personal.test`;
  const ledger = readerLedger(env, email);
  const preferences = { ...defaultPreferences("UTC"), ...choices };
  await ledger.signUp({ source: "api", formVersion: "test", ipHash: null, preferences }, atIso);
  await ledger.confirm(atIso);
  created.push(email);
  return email;
}

const digestsTo = async (email: string) =>
  (await mailTo(email)).filter((mail) => mail.tags.some((tag) => tag.name === "digest"));

describe("each reader's own digest at their own time", () => {
  it("sends an AI reader in Berlin only AI stories at 07:00 local, once, with their choice in the footer", async () => {
    const berlin = await reader("ai-berlin", "2030-01-14T10:00:00.000Z", {
      topics: ["ai", "security"].slice(0, 1),
      timeZone: "Europe/Berlin",
    });
    const everything = await reader("all-utc", "2030-01-14T10:00:00.000Z");
    await seedArticle(
      { url: "https://news.example/p-ai", title: "Models get smaller", topics: ["ai"] },
      new Date("2030-01-14T12:00:00Z"),
    );
    await seedArticle(
      { url: "https://news.example/p-sec", title: "A security-only patch", topics: ["security"] },
      new Date("2030-01-14T13:00:00Z"),
    );

    await runEvery("2030-01-15T05:30:00Z", "2030-01-15T05:45:00Z");
    expect(await digestsTo(berlin)).toEqual([]);
    const sent = await run("2030-01-15T06:00:00Z");
    expect(sent).toMatchObject({ sent: 1 });
    await run("2030-01-15T06:00:00Z"); // the cron fired twice
    await runEvery("2030-01-15T06:15:00Z", "2030-01-15T07:00:00Z");

    const [mail, ...more] = await digestsTo(berlin);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Tidings: AI · Tue 15 Jan");
    expect(mail!.html).toContain("Models get smaller");
    expect(mail!.html).not.toContain("A security-only patch");
    // One story: it is the top story, and the contents line names its section by label.
    expect(mail!.html).toContain("<strong>In this issue:</strong> AI (1)");
    expect(textOf(mail!.html)).toContain("You get: AI, daily at 07:00 Europe/Berlin.");
    expect(mail!.html).toContain("/preferences?token=");
    expect(mail!.html).toMatch(/\/digests\/\d{4}-\d{2}-\d{2}/);

    const [all, ...again] = await digestsTo(everything);
    expect(again).toEqual([]);
    expect(all!.html).toContain("Models get smaller");
    expect(all!.html).toContain("A security-only patch");
    expect(textOf(all!.html)).toContain("All topics, daily at 07:00 UTC");
  });

  it("shows a run slot's send to editors, and redrives it like an edition's", async () => {
    const utc = await reader("slot-status", "2030-03-01T10:00:00.000Z");
    await seedArticle(
      { url: "https://news.example/slot-status", title: "Status of a slot", topics: ["web"] },
      new Date("2030-03-01T12:00:00Z"),
    );
    expect(await run("2030-03-02T07:00:00Z")).toMatchObject({ sent: 1 });
    expect(await digestsTo(utc)).toHaveLength(1);

    const shown = await api("/api/digests/2030-03-02T0700");
    expect(shown.status).toBe(200);
    expect((await shown.json<any>()).digest).toMatchObject({
      id: "2030-03-02T0700",
      status: "sent",
      sent: 1,
      failed: 0,
      failedReaders: [],
    });
    // Nothing failed: nothing to send again, and nobody mailed twice.
    expect((await api("/api/digests/2030-03-02T0700/redrive", { method: "POST" })).status).toBe(
      409,
    );
    expect(await digestsTo(utc)).toHaveLength(1);
    expect((await api("/api/digests/2030-03-02T0715")).status).toBe(404);
    const bad = await api("/api/digests/2030-03-02T07:00");
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.message).toContain("YYYY-MM-DDTHHMM");
  });

  it("mails a weekly reader on their weekday only, with the week's stories", async () => {
    const weekly = await reader("weekly", "2030-02-01T00:00:00.000Z", {
      cadence: "weekly",
      weekday: "thu",
      deliveryHour: 8,
    });
    await seedArticle(
      { url: "https://news.example/p-week", title: "Monday's story", topics: ["web"] },
      new Date("2030-02-04T09:00:00Z"),
    );
    for (const day of ["2030-02-05", "2030-02-06"]) await run(`${day}T08:00:00Z`);
    expect(await digestsTo(weekly)).toEqual([]);
    await run("2030-02-07T08:00:00Z");
    await run("2030-02-08T08:00:00Z");
    const mails = await digestsTo(weekly);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain("Monday's story");
    expect(textOf(mails[0]!.html)).toContain("weekly on Thursdays at 08:00 UTC");
  });

  it("merges one story from many outlets into one item, ranked first, for daily and weekly readers", async () => {
    // 2030-04-04 is a Thursday: the weekly reader is due in the same slot as the daily one.
    const daily = await reader("story-daily", "2030-04-01T00:00:00.000Z", { deliveryHour: 10 });
    const weekly = await reader("story-weekly", "2030-04-01T00:00:00.000Z", {
      cadence: "weekly",
      weekday: "thu",
      deliveryHour: 10,
    });
    const at = (iso: string) => new Date(iso);
    await seedArticle(
      {
        url: "https://lone.example/tool",
        title: "A small library ships version 1.0",
        topics: ["web"],
      },
      at("2030-04-04T08:00:00Z"),
    );
    await seedArticle(
      {
        url: "https://verge.example/x",
        title: "OpenAI releases GPT-6 with video reasoning",
        topics: ["ai"],
      },
      at("2030-04-04T05:00:00Z"),
    );
    await seedArticle(
      {
        url: "https://ars.example/y",
        title: "GPT-6 released: OpenAI adds video reasoning",
        topics: ["ai"],
      },
      at("2030-04-04T06:00:00Z"),
    );
    await seedArticle(
      {
        url: "https://reuters.example/z",
        title: "OpenAI GPT-6 launch brings video reasoning",
        topics: ["ai"],
      },
      at("2030-04-04T07:00:00Z"),
    );
    await seedArticle(
      { url: "https://old.example/monday", title: "Monday's kernel release", topics: ["web"] },
      at("2030-04-01T12:00:00Z"),
    );
    expect(await run("2030-04-04T10:00:00Z")).toMatchObject({ sent: 2 });

    for (const [email, week] of [
      [daily, false],
      [weekly, true],
    ] as const) {
      const [mail, ...more] = await digestsTo(email);
      expect(more).toEqual([]);
      const text = textOf(mail!.html);
      // The story once, first, with the other outlets named; their headlines are not items.
      expect(text.indexOf("OpenAI releases GPT-6")).toBeGreaterThan(-1);
      expect(text.indexOf("OpenAI releases GPT-6")).toBeLessThan(text.indexOf("A small library"));
      expect(text).not.toContain("GPT-6 released: OpenAI adds");
      expect(text).not.toContain("OpenAI GPT-6 launch brings");
      expect(text).toContain("3 sources");
      expect(mail!.text).toContain("Also: ");
      expect(text.includes("Monday's kernel release")).toBe(week);
    }
  });

  it("counts a reader whose topics had no story as skipped, and mails them nothing", async () => {
    const quiet = await reader("quiet", "2030-03-01T00:00:00.000Z", {
      topics: ["hardware"],
      deliveryHour: 9,
    });
    await seedArticle(
      { url: "https://news.example/p-q", title: "Cloud news", topics: ["cloud"] },
      new Date("2030-03-02T01:00:00Z"),
    );
    const status = await run("2030-03-02T09:00:00Z");
    expect(status).toMatchObject({ sent: 0, skipped: 1 });
    expect(await digestsTo(quiet)).toEqual([]);
  });

  it("keeps one email a local day when a reader changes time or zone mid-day, and loses none", async () => {
    const moved = await reader("moved", "2030-04-01T20:00:00.000Z", { timeZone: "Europe/Berlin" });
    const later = await reader("later", "2030-04-01T20:00:00.000Z");
    await seedArticle(
      { url: "https://news.example/p-m", title: "Tuesday news", topics: ["ai"] },
      new Date("2030-04-01T20:00:00Z"),
    );
    // 07:00 in Berlin (summer) is 05:00 UTC.
    await run("2030-04-02T05:00:00Z");
    expect(await digestsTo(moved)).toHaveLength(1);
    // Served, then moved to Los Angeles, where 07:00 on the 2nd is still ahead: nothing more today.
    await readerLedger(env, moved).setPreferences(
      { ...defaultPreferences("America/Los_Angeles") },
      "2030-04-02T08:00:00.000Z",
    );
    // Not yet served at 06:00 UTC, moved from 07:00 to 09:00: sent at 09:00, not at 07:00.
    await readerLedger(env, later).setPreferences(
      { ...defaultPreferences("UTC"), deliveryHour: 9 },
      "2030-04-02T06:00:00.000Z",
    );
    await run("2030-04-02T07:00:00Z");
    expect(await digestsTo(later)).toEqual([]);
    await run("2030-04-02T09:00:00Z");
    await run("2030-04-02T14:00:00Z");
    expect(await digestsTo(later)).toHaveLength(1);
    expect(await digestsTo(moved)).toHaveLength(1);
    expect((await dueIndex(env).nextFor(moved))?.date).toBe("2030-04-03");
  });

  it("stops scheduling a reader who leaves, and a run with nobody due starts no send", async () => {
    const leaving = await reader("leaving", "2030-05-01T00:00:00.000Z", { deliveryHour: 10 });
    await readerLedger(env, leaving).unsubscribe("api", "2030-05-01T01:00:00.000Z");
    expect(await dueIndex(env).nextFor(leaving)).toBeNull();
    expect(await run("2030-05-02T10:00:00Z")).toBeNull();
  });

  // KV takes one write a second per key: a reader changed several times in a row waits each out.
  it("mails a reader who leaves and comes back the same day at a later hour once that day", async () => {
    // Signed up after 07:00: first due the next morning. (Dates before the machine's clock: a claim
    // skips readers who left after the slot's pool was made, which the Worker dates by its clock.)
    const back = await reader("comes-back", "2025-07-01T08:00:00.000Z", { deliveryHour: 7 });
    await seedArticle(
      {
        url: "https://news.example/back",
        title: "A story for the returning reader",
        topics: ["web"],
      },
      new Date("2025-07-01T12:00:00Z"),
    );
    expect(await run("2025-07-02T07:00:00Z")).toMatchObject({ sent: 1 });
    const ledger = readerLedger(env, back);
    await ledger.unsubscribe("api", "2025-07-02T08:00:00.000Z");
    expect(await dueIndex(env).nextFor(back)).toBeNull();
    // Back at 09:00 with a 10:00 delivery: today was served, so the next email is tomorrow's.
    const preferences = { ...defaultPreferences("UTC"), deliveryHour: 10 };
    await ledger.signUp(
      { source: "api", formVersion: "test", ipHash: null, preferences },
      "2025-07-02T09:00:00.000Z",
    );
    await ledger.confirm("2025-07-02T09:00:00.000Z");
    expect(await dueIndex(env).nextFor(back)).toMatchObject({ date: "2025-07-03" });
    await runEvery("2025-07-02T09:00:00Z", "2025-07-02T10:15:00Z");
    expect(await digestsTo(back)).toHaveLength(1);
    await seedArticle(
      { url: "https://news.example/back-2", title: "The next day's story", topics: ["web"] },
      new Date("2025-07-03T05:00:00Z"),
    );
    expect(await run("2025-07-03T10:00:00Z")).toMatchObject({ sent: 1 });
    expect(await digestsTo(back)).toHaveLength(2);
    // Erased: nothing about them stays in the due index.
    await ledger.erase("2025-07-03T11:00:00.000Z");
    expect(
      await runInDurableObject(dueIndex(env), (_object, state) =>
        state.storage.sql.exec(`SELECT email FROM due_reader WHERE email = ?`, back).toArray(),
      ),
    ).toEqual([]);
  }, 20_000);

  it("stops nudging a slot's owner from later runs once its send has finished", async () => {
    await reader("nudged", "2030-06-01T00:00:00.000Z", { deliveryHour: 9 });
    await seedArticle(
      { url: "https://news.example/nudge", title: "A story to send", topics: ["web"] },
      new Date("2030-06-01T12:00:00Z"),
    );
    expect(await run("2030-06-02T09:00:00Z")).toMatchObject({ status: "sent", sent: 1 });
    // Handed readers in the last two hours, but finished: no later run calls its owner.
    expect((await dueIndex(env).anyDue(Date.parse("2030-06-02T09:15:00Z"))).recent).toEqual([]);
  });
});
