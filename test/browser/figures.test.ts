// The desk's Figures page and the weekly report in a real browser against the real Worker: readers
// who join and leave, a send, a complaint, then the three charts and the report email in light and
// dark at 1280 and 390 px. axe finds nothing serious or critical, nothing is wider than the screen,
// and the numbers in the tables are GET /api/stats's.
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script shared with `npm run demo`
import { startWorker } from "../../scripts/start-worker.mjs";
import { percentOf, reportRows } from "../fixtures/figures";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from "./chromium";

const ARTIFACTS = "test-artifacts";
const TOKEN = "figures-look-editor-token";
const WEBHOOK_KEY = "figures-look-webhook-secret";
const EDITOR = "editor@figures-look.example";
const DAY_MS = 86_400_000;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const MODES = [
  { name: "light-1280", width: 1280, scheme: "light" },
  { name: "dark-1280", width: 1280, scheme: "dark" },
  { name: "light-390", width: 390, scheme: "light" },
  { name: "dark-390", width: 390, scheme: "dark" },
] as const;

const run = chromiumAvailable();

describe.runIf(run)("the figures and the weekly report, in a browser", () => {
  let worker: { url: string; stop: () => Promise<void> };
  let browser: Browser;
  let state: string;
  let report: string;
  let weekEnd: string;

  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${worker.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        "Content-Type": "application/json",
        ...init.headers,
      },
    });
  const json = async (path: string, init?: RequestInit): Promise<any> =>
    (await api(path, init)).json();
  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${worker.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: worker.url },
      body: new URLSearchParams(fields).toString(),
    });
  const mailTo = async (email: string): Promise<{ subject: string; html: string }[]> =>
    (await json(`/api/outbox?to=${encodeURIComponent(email)}`)).messages;
  const linkIn = (html: string, path: string) =>
    [...html.matchAll(/href=(["'])(.*?)\1/g)]
      .map((m) => m[2]!.replaceAll("&amp;", "&"))
      .find((href) => href.includes(path))!;

  /** A signed Resend webhook, as Svix signs one. */
  async function webhook(payload: unknown) {
    const id = `msg_${Date.now()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(payload);
    const mac = createHmac("sha256", Buffer.from(WEBHOOK_KEY)).update(`${id}.${timestamp}.${body}`);
    return fetch(`${worker.url}/webhooks/resend`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "svix-id": id,
        "svix-timestamp": String(timestamp),
        "svix-signature": `v1,${mac.digest("base64")}`,
      },
      body,
    });
  }

  async function confirmReader(email: string) {
    await form("/subscribe", { email });
    const [confirmation] = await mailTo(email);
    const token = new URL(linkIn(confirmation!.html, "/confirm?token=")).searchParams.get("token")!;
    await form("/confirm", { token });
    const welcome = (await mailTo(email)).find((mail) => mail.subject.startsWith("Welcome"))!;
    return linkIn(welcome.html, "/unsubscribe?token=");
  }

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "tidings-figures-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    worker = await startWorker({
      persistTo: state,
      quiet: true,
      vars: {
        EDITOR_TOKENS: `editor:${TOKEN}`,
        SIGNING_SECRET: "figures-look-signing-secret",
        RESEND_WEBHOOK_SECRET: `whsec_${Buffer.from(WEBHOOK_KEY).toString("base64")}`,
        EDITOR_EMAILS: EDITOR,
        DIGEST_DELIVERY: "edition",
        FIGURES_BASELINE_DELAY_SECONDS: "0",
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });

    // Four readers join through the real pages; one leaves.
    const leave = await confirmReader(`first-${Date.now()}@figures-look.example`);
    for (const i of [1, 2, 3])
      await confirmReader(`reader-${i}-${Date.now()}@figures-look.example`);
    await form(new URL(leave).pathname + new URL(leave).search, {});
    // Each reader's KV mirror (which the send walks) and their join or leave (counted after it) take
    // one write a second: a change within it is written by the reader's ledger's alarm.
    for (let tries = 0; ; tries++) {
      const today = (await json("/api/stats")).readers.days.at(-1);
      if (today.joins === 4 && today.leaves === 1) break;
      if (tries > 100) throw new Error("the readers' changes were never counted");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const [i, title] of [
      "Chip makers fit models on phones",
      "A VPN flaw exposed logins",
    ].entries()) {
      const posted = await api("/api/articles", {
        method: "POST",
        body: JSON.stringify({
          url: `https://news.example.com/figures/${i}`,
          title,
          topics: ["ai"],
        }),
      });
      expect(posted.status).toBe(201);
    }
    const ran = await json("/api/digests/run", { method: "POST", body: "{}" });
    const id: string = ran.digest.id;
    for (let tries = 0; (await json(`/api/digests/${id}`)).digest.status !== "sent"; tries++) {
      if (tries > 100) throw new Error("the send did not finish");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const complaint = {
      type: "email.complained",
      created_at: new Date().toISOString(),
      data: { email_id: "em_1", to: ["x@figures-look.example"], tags: { digest: id } },
    };
    expect((await webhook(complaint)).status).toBe(200);

    // Monday's digest cron after today mails the report of the week that holds today.
    const midnight = Date.parse(new Date().toISOString().slice(0, 10));
    const monday = midnight + ((8 - new Date(midnight).getUTCDay()) % 7 || 7) * DAY_MS;
    weekEnd = new Date(monday - DAY_MS).toISOString().slice(0, 10);
    const cron = await fetch(
      `${worker.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("0 7 * * *")}&time=${monday + 7 * 3_600_000}`,
    );
    expect(cron.status).toBe(200);
    const [mail] = await mailTo(EDITOR);
    expect(mail?.subject).toContain("weekly report");
    report = mail!.html;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  async function look(page: Page, name: string, show: () => Promise<unknown>) {
    const findings: string[] = [];
    for (const mode of MODES) {
      await page.setViewportSize({ width: mode.width, height: 900 });
      await page.emulateMedia({ colorScheme: mode.scheme });
      await show();
      await page.evaluate(AXE);
      const result = (await page.evaluate(() =>
        (globalThis as any).axe.run(document, { resultTypes: ["violations"] }),
      )) as { violations: { id: string; impact: string; nodes: { html: string }[] }[] };
      for (const violation of result.violations)
        if (violation.impact === "serious" || violation.impact === "critical")
          findings.push(
            `${name} ${mode.name}: ${violation.id} ${violation.nodes[0]?.html.slice(0, 120)}`,
          );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > mode.width) findings.push(`${name} ${mode.name}: ${width} px wide`);
      await page.screenshot({
        path: `${ARTIFACTS}/figures-${name}-${mode.name}.png`,
        fullPage: true,
      });
    }
    expect(findings).toEqual([]);
  }

  /** A table's body rows as cell texts, commas dropped. */
  const rows = (page: Page, selector: string) =>
    page.$$eval(`${selector} tr`, (trs) =>
      trs
        .map((tr) =>
          Array.from(tr.querySelectorAll("td")).map((td) =>
            td.textContent!.trim().replaceAll(",", ""),
          ),
        )
        .filter((cells) => cells.length > 0),
    );

  it("draws the three charts with the API's numbers beside them, readable in light and dark, on a phone", async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${worker.url}/desk`);
    await page.getByLabel("Editor token").fill(TOKEN);
    await Promise.all([page.waitForURL(`${worker.url}/desk`), page.keyboard.press("Enter")]);
    await page.getByRole("link", { name: "Figures" }).click();
    await page.getByRole("heading", { name: "Figures", level: 1 }).waitFor();
    for (const name of [
      "Readers over the last 90 days",
      /^Send .* over time$/,
      "Bounces and complaints over the last 30 days",
    ])
      await page.getByRole("img", { name }).waitFor();
    await look(page, "desk", () => page.goto(`${worker.url}/desk/figures`));

    const stats = await json("/api/stats");
    const today = stats.readers.days.at(-1);
    expect(today).toMatchObject({ joins: 4, leaves: 1, confirmed: 3 });
    expect((await rows(page, "#readers-numbers-table"))[0]).toEqual([today.date, "3", "4", "1"]);
    const day = stats.editions.days.at(-1);
    expect(day).toMatchObject({ sent: 3, complained: 1 });
    expect((await rows(page, "#rates-numbers-table"))[0]).toEqual([
      day.date,
      String(day.sent),
      String(day.complained),
      percentOf(day.complaintRate),
      String(day.permanentBounces),
      percentOf(day.bounceRate),
    ]);
    const send = await json(`/api/stats/sends/${stats.sends[0].id}`);
    const minutes = await rows(page, "#send-numbers-table");
    expect(minutes.map((row) => Number(row[1]))).toEqual(
      send.minutes.map((m: { sent: number }) => m.sent),
    );
    await context.close();
  });

  it("mails the weekly report with the same numbers, readable in light and dark, on a phone", async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await look(page, "report-email", () => page.setContent(report));
    const stats = await json(`/api/stats?to=${weekEnd}`);
    expect(await rows(page, "#report-days")).toEqual(reportRows(stats.editions.days));
    expect(await page.textContent("body")).toContain(
      `${stats.readers.days.at(-1).confirmed} readers`,
    );
    await context.close();
  });
});
