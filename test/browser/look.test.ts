// Every reader page, the archive and every email (confirmation, welcome, digest) in a real browser,
// light and dark, 1280 px and 390 px: axe-core finds no serious or critical violation (contrast
// included, so dark headlines must be readable), nothing is wider than a phone, a screenshot of each.
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script shared with `npm run demo`
import { startWorker } from "../../scripts/start-worker.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from "./chromium";

const ARTIFACTS = "test-artifacts";
const EDITOR_TOKEN = "look-test-editor-token";
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
// Long on purpose: the address must wrap on a 390 px phone, on every page that shows it.
const EMAIL = `a.reader.with.a.rather.long.address.${Date.now()}@newsletters.example-publishing-house.com`;
const MODES = [
  { name: "light-1280", width: 1280, height: 800, scheme: "light" },
  { name: "dark-1280", width: 1280, height: 800, scheme: "dark" },
  { name: "light-390", width: 390, height: 844, scheme: "light" },
  { name: "dark-390", width: 390, height: 844, scheme: "dark" },
] as const;

type Shown = { name: string; url?: string; html?: string };
type Finding = { page: string; mode: string; id: string; impact: string; nodes: string[] };

const run = chromiumAvailable();

describe.runIf(run)("how the pages look, in a browser", () => {
  let worker: { url: string; stop: () => Promise<void> };
  let browser: Browser;
  let state: string;
  const shown: Shown[] = [];

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${worker.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${EDITOR_TOKEN}`,
        "Content-Type": "application/json",
        ...init.headers,
      },
    });
  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${worker.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: worker.url },
      body: new URLSearchParams(fields).toString(),
    });
  async function mailTo(email: string) {
    const response = await api(`/api/outbox?to=${encodeURIComponent(email)}`);
    return ((await response.json()) as { messages: { subject: string; html: string }[] }).messages;
  }
  const linkIn = (html: string, path: string) => {
    const hrefs = [...html.matchAll(/href=(["'])(.*?)\1/g)].map((m) =>
      m[2]!.replaceAll("&amp;", "&"),
    );
    const found = hrefs.find((href) => href.startsWith("http") && href.includes(path));
    if (!found) throw new Error(`No ${path} link in the email`);
    return found;
  };

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "tidings-look-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    worker = await startWorker({
      persistTo: state,
      quiet: true,
      vars: { EDITOR_TOKENS: `editor:${EDITOR_TOKEN}`, SIGNING_SECRET: "look-test-signing-secret" },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });

    // A digest with a long URL and summary, so the archive has something to wrap.
    for (const [i, topic] of ["ai", "security", "web"].entries()) {
      const response = await api("/api/articles", {
        method: "POST",
        body: JSON.stringify({
          url: `https://news.example.com/${topic}/2026/11/${"a-very-long-slug-with-no-break-points-".repeat(4)}${i}`,
          // Distinct headlines: alike ones would be merged into one story.
          title: [
            "Chip makers race to fit large language models on phones",
            "A patched flaw in a popular VPN exposed a million logins",
            "Browsers agree on one standard for passkeys across the web",
          ][i],
          summary: `A summary of story ${i + 1}. `.repeat(12),
          source: "Example News",
          topics: [topic],
        }),
      });
      expect(response.status).toBe(201);
    }
    // The editor's note, with a long link, and the digest email as a reader gets it (a test send
    // of the digest about to run: same render, same note, same issue number).
    const noted = await api("/api/digests/next/note", {
      method: "PUT",
      body: JSON.stringify({
        text: `Three stories today.\n\nWhy we picked them: ${worker.url}/digests/${"why-".repeat(30)}`,
      }),
    });
    expect(noted.status).toBe(200);
    const digestReader = `look-digest-${Date.now()}@example.com`;
    const tested = await api("/api/digests/next/test", {
      method: "POST",
      body: JSON.stringify({ to: digestReader }),
    });
    expect(tested.status).toBe(202);
    const [digestMail] = await mailTo(digestReader);
    shown.push({ name: "digest-email", html: digestMail!.html });
    const ran = await api("/api/digests/run", { method: "POST", body: JSON.stringify({}) });
    expect(ran.status).toBe(202);
    const { digest } = (await ran.json()) as { digest: { id: string } };

    const signedUp = await form("/subscribe", { email: EMAIL });
    shown.push({ name: "check-inbox", html: await signedUp.text() });
    const [confirmMail] = await mailTo(EMAIL);
    shown.push({ name: "confirm-email", html: confirmMail!.html });
    const confirmUrl = linkIn(confirmMail!.html, "/confirm?token=");
    shown.push({ name: "confirm", url: confirmUrl });
    const token = new URL(confirmUrl).searchParams.get("token")!;
    shown.push({ name: "subscribed", html: await (await form("/confirm", { token })).text() });
    const welcome = (await mailTo(EMAIL)).find((m) => m.subject.startsWith("Welcome"))!;
    shown.push({ name: "welcome-email", html: welcome.html });
    const unsubscribeUrl = linkIn(welcome.html, "/unsubscribe?token=");
    const preferencesUrl = linkIn(welcome.html, "/preferences?token=");
    shown.push({ name: "preferences", url: preferencesUrl });
    shown.push({
      name: "erase-confirm",
      url: preferencesUrl.replace("/preferences?", "/preferences/erase?"),
    });
    shown.push({ name: "unsubscribe", url: unsubscribeUrl });
    const left = await form(new URL(unsubscribeUrl).pathname + new URL(unsubscribeUrl).search, {});
    shown.push({ name: "unsubscribed", html: await left.text() });
    shown.push({ name: "already-unsubscribed", url: unsubscribeUrl });
    shown.push({ name: "signup", url: `${worker.url}/` });
    shown.push({ name: "archive", url: `${worker.url}/digests` });
    shown.push({ name: "digest", url: `${worker.url}/digests/${digest.id}` });
    shown.push({ name: "not-found", url: `${worker.url}/no-such-page` });
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  async function show(page: Page, what: Shown) {
    if (what.url) await page.goto(what.url);
    else await page.setContent(what.html!);
  }

  it("has no serious or critical axe violation and no sideways scroll, light and dark, 1280 and 390 px", async () => {
    // CSP forbids every script, rightly; the test's own axe-core is let in by bypassing it.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const findings: Finding[] = [];
    const overflows: string[] = [];
    for (const what of shown) {
      for (const mode of MODES) {
        await page.setViewportSize({ width: mode.width, height: mode.height });
        await page.emulateMedia({ colorScheme: mode.scheme });
        await show(page, what);
        await page.evaluate(AXE_SOURCE);
        const results = (await page.evaluate(() =>
          // @ts-expect-error: axe is the global the script above defined
          axe.run(document, { resultTypes: ["violations"] }),
        )) as { violations: { id: string; impact: string; nodes: { html: string }[] }[] };
        for (const violation of results.violations) {
          if (violation.impact !== "serious" && violation.impact !== "critical") continue;
          findings.push({
            page: what.name,
            mode: mode.name,
            id: violation.id,
            impact: violation.impact,
            nodes: violation.nodes.slice(0, 3).map((node) => node.html.slice(0, 160)),
          });
        }
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > mode.width) overflows.push(`${what.name} ${mode.name}: ${width} px`);
        await page.screenshot({
          path: `${ARTIFACTS}/look-${what.name}-${mode.name}.png`,
          fullPage: true,
        });
      }
    }
    await context.close();
    // Emails included, dark included: a dark headline the reader cannot read is a color-contrast finding.
    expect(findings).toEqual([]);
    expect(overflows).toEqual([]);
  });

  it("gives the dark digest email readable brand headlines (axe color-contrast on each)", async () => {
    const context = await browser.newContext({ bypassCSP: true, colorScheme: "dark" });
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.setContent(shown.find((what) => what.name === "digest-email")!.html!);
    await page.evaluate(AXE_SOURCE);
    const results = (await page.evaluate(() =>
      // @ts-expect-error: axe is the global the script above defined
      axe.run(document, { runOnly: ["color-contrast"] }),
    )) as { violations: unknown[]; passes: { nodes: { html: string }[] }[] };
    expect(results.violations).toEqual([]);
    // Every headline link (the brand colour, no underline) was checked and passed.
    const headlines = await page.locator("h3 a").count();
    const passed = results.passes
      .flatMap((rule) => rule.nodes)
      .filter((node) => node.html.includes("text-decoration:none"));
    expect(headlines).toBeGreaterThanOrEqual(3);
    expect(passed.length).toBe(headlines);
    // The dark styles apply: the headline is the light brand blue, not the light mode's #0b57d0.
    expect(await page.$eval("h3 a", (a) => getComputedStyle(a).color)).toBe("rgb(138, 180, 248)");
    await context.close();
  });

  it("shows the address on 'Check your inbox', with the way back, after the archive's subscribe box", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${worker.url}/digests`);
    const email = `box-${Date.now()}@example.com`;
    await page.getByLabel(/Get Tidings by email/).fill(email);
    await Promise.all([
      page.waitForLoadState("load"),
      page.getByRole("button", { name: "Subscribe" }).click(),
    ]);
    await page.getByRole("heading", { name: "Check your inbox to confirm" }).waitFor();
    expect(await page.textContent("main")).toContain(email);
    await page.getByRole("link", { name: /Wrong address\?/ }).click();
    await page.getByRole("heading", { level: 1, name: "Tidings" }).waitFor();
    await context.close();
  });
});
