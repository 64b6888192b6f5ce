// The newsletter's figures counted as things happen: readers who were here before (one walk), joins
// and leaves from each ReaderLedger, a send's emails per minute and its events, and the same numbers
// from GET /api/stats, the desk's Figures page and the weekly report.
import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import type { Element } from "domhandler";
import { findAll } from "domutils";
import { describe, expect, inject, it } from "vitest";
import { percentOf, reportRows } from "../fixtures/figures";
import worker from "../../src/index";
import { dailyFigures } from "../../src/stats/daily-figures";
import { api, BASE } from "../fixtures/api";
import { desk, signIn } from "../fixtures/desk";
import { seedReaders, waitFor } from "../fixtures/digest";
import { mirrorOf } from "../fixtures/ledger";
import { parseHtml } from "../fixtures/parse";
import { confirmedReader, mailTo } from "../fixtures/reader";
import { postWebhook, resendEvent } from "../fixtures/webhook";

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const EDITORS = "ed@editors.test,fay@editors.test";

async function runCron(scheduledTime: number, cron: string, extra: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const controller = createScheduledController({ scheduledTime, cron });
  await worker.scheduled(controller, { ...env, ...extra }, ctx);
  await waitOnExecutionContext(ctx);
}

async function stats(query = ""): Promise<any> {
  const response = await api(`/api/stats${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

/** A table's body rows as cell texts, commas dropped from numbers. */
function rows(page: string, tableId: string): string[][] {
  const doc = parseHtml(page);
  const table = doc.all("table").find((t) => doc.attr(t, "id") === tableId);
  if (!table) throw new Error(`no table #${tableId}`);
  const within = (name: string, el: Element) => findAll((e) => e.name === name, el.children);
  return within("tr", table)
    .map((tr) => within("td", tr).map((td) => doc.text(td).replaceAll(",", "")))
    .filter((cells) => cells.length > 0);
}

describe("the newsletter's figures", () => {
  // KV takes one write a second per key: each reader's mirror, and so their join or leave (handed to
  // the figures after the mirror), follows within a second; the test waits for each.
  it("counts readers who were here before once, then each join and leave; the API and the desk agree", async () => {
    await seedReaders(30, "before");
    await confirmedReader("ada@figures.test");
    await confirmedReader("bo@figures.test");
    const { unsubscribeUrl } = await confirmedReader("cy@figures.test");
    const left = await SELF.fetch(unsubscribeUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(left.status).toBe(200);
    await mirrorOf("cy@figures.test");

    const body = await stats();
    expect(body.readers.baseline).toMatchObject({ readers: 30, done: true });
    expect(body.readers.days).toHaveLength(90);
    expect(body.readers.days.at(-1)).toEqual({ date: today(), confirmed: 32, joins: 3, leaves: 1 });
    // Before counting began there is no count to show.
    expect(body.readers.days[0].confirmed).toBeNull();

    const page = await (await desk("/desk/figures", await signIn())).text();
    expect(rows(page, "readers-numbers-table")[0]).toEqual([today(), "32", "3", "1"]);
    const doc = parseHtml(page);
    const svg = doc
      .all("svg")
      .find((s) => doc.attr(s, "aria-labelledby") === "readers-chart-title");
    expect(svg && doc.attr(svg, "role")).toBe("img");
    expect(doc.text(doc.all("desc")[0]!)).toContain("3 joined and 1 left");
  }, 20_000);

  it("counts a change once however often its ledger retries the flush", async () => {
    const figures = dailyFigures(env);
    const change = { id: crypto.randomUUID(), delta: 1 as const, atMs: Date.now() };
    const before = (await stats()).readers.days.at(-1);
    await figures.recordReaderChanges([change]);
    await figures.recordReaderChanges([change, change]);
    const after = (await stats()).readers.days.at(-1);
    expect(after.joins).toBe(before.joins + 1);
    expect(after.confirmed).toBe(before.confirmed + 1);
  });

  it("counts a send per minute as its chunks settle, and its complaints against the brake", async () => {
    const posted = await api("/api/articles", {
      method: "POST",
      json: { url: "https://news.example/figures-1", title: "Figures day", topics: ["ai"] },
    });
    expect(posted.status).toBe(201);
    const scheduledTime = Date.now() + 1000;
    const id = new Date(scheduledTime).toISOString().slice(0, 10);
    await runCron(scheduledTime, "0 7 * * *");
    const done = await waitFor(async () => {
      const { digest } = (await (await api(`/api/digests/${id}`)).json()) as any;
      return digest.status === "sent" && digest;
    });
    const readers: number = done.sent;
    expect(readers).toBe(32);
    expect((await stats()).editions.days.at(-1).sent).toBe(readers);

    const send = (await (await api(`/api/stats/sends/${id}`)).json()) as any;
    // RESEND_RATE_PER_SECOND (Resend's documented 5 calls a second) of batches of 100.
    expect(send.ratePerMinute).toBe(5 * 100 * 60);
    expect(send.minutes.reduce((sum: number, m: any) => sum + m.sent, 0)).toBe(readers);
    expect(send.status).toMatchObject({ id, sent: readers, failed: 0 });

    const complained = await postWebhook(
      resendEvent("email.complained", "ada@figures.test", {}, { digest: id }),
    );
    expect(complained.status).toBe(200);
    const day = (await stats()).editions.days.at(-1);
    expect(day).toMatchObject({ date: today(), sends: 1, sent: readers, complained: 1 });
    expect(day.complaintRate).toBeCloseTo(1 / readers);
    expect((await stats()).sends[0]).toMatchObject({ id, sent: readers });

    const page = await (await desk("/desk/figures", await signIn())).text();
    expect(rows(page, "rates-numbers-table")[0]).toEqual([
      today(),
      String(readers),
      "1",
      percentOf(1 / readers),
      "0",
      "0.00%",
    ]);
    const minutes = rows(page, "send-numbers-table");
    expect(minutes.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(readers);
    expect(page).toContain(`provider limit 30,000 per minute`);
  }, 30_000);

  it("mails the weekly report on Monday once per editor, with the API's numbers, stories and failing feeds", async () => {
    const broken = await api("/api/sources", {
      method: "POST",
      json: { url: `${inject("feedServer")}/broken`, everyMinutes: 15 },
    });
    const { source } = (await broken.json()) as any;
    await api(`/api/sources/${source.id}/fetch`, { method: "POST" });
    // The first Monday after today reports the week that holds today.
    const midnight = Date.parse(today());
    const toMonday = ((8 - new Date(midnight).getUTCDay()) % 7 || 7) * DAY_MS;
    const monday = midnight + toMonday + 7 * 3_600_000;
    const editors = { EDITOR_EMAILS: EDITORS };

    await runCron(monday - DAY_MS, "0 7 * * *", editors);
    expect(await mailTo("ed@editors.test")).toHaveLength(0);
    await runCron(monday, "0 7 * * *", editors);
    await runCron(monday, "0 7 * * *", editors);
    await runCron(monday + 15 * 60_000, "*/15 * * * *", editors);
    const mail = await mailTo("ed@editors.test");
    expect(mail).toHaveLength(1);
    expect(await mailTo("fay@editors.test")).toHaveLength(1);

    const weekEnd = new Date(monday - DAY_MS).toISOString().slice(0, 10);
    const body = await stats(`?to=${weekEnd}`);
    const readers = body.readers.days.at(-1).confirmed;
    const report = mail[0]!;
    expect(report.subject).toContain(`weekly report`);
    expect(report.subject).toContain(`${readers} readers`);
    expect(report.tags).toContainEqual({ name: "kind", value: "weekly-report" });
    expect(rows(report.html, "report-days")).toEqual(reportRows(body.editions.days));
    expect(report.html).toContain("Figures day");
    // The week's largest send, drawn over time.
    expect(report.html).toContain(`Send ${today()} over time`);
    expect(report.html).toMatch(/HTTP 500/);
    expect(report.html).toContain(`${BASE}/desk/figures`);
    // The desk previews the report the next Monday sends.
    const preview = await desk("/desk/figures/report", await signIn());
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("The week of");
    // Gmail clips a message past 102 KB.
    expect(new TextEncoder().encode(report.html).length).toBeLessThan(102 * 1024);
  }, 30_000);

  it("sends no report without EDITOR_EMAILS, and answers 400 for a bad date or send id", async () => {
    // A Monday two weeks on: its digest runs, and no report is due for its week.
    const midnight = Date.parse(today());
    const monday = midnight + (((8 - new Date(midnight).getUTCDay()) % 7 || 7) + 7) * DAY_MS;
    await runCron(monday + 7 * 3_600_000, "0 7 * * *");
    const week = new Date(monday - 7 * DAY_MS).toISOString().slice(0, 10);
    expect(await dailyFigures(env).reportState(week)).toEqual({ due: false, sentTo: [] });
    expect((await api("/api/stats?to=tomorrow")).status).toBe(400);
    expect((await api("/api/stats?days=3")).status).toBe(400);
    expect((await api("/api/stats/sends/yesterday")).status).toBe(400);
    expect((await api("/api/stats/sends/2001-01-01")).status).toBe(404);
    expect((await api("/api/stats", { token: null })).status).toBe(401);
  });
});
