// The editor's desk in a real browser against the real Worker, with no script on any page: sign in,
// post (a mistake first), write the note, preview, send, read the outbox, look up a reader. Every
// page passes axe in light and dark and fits a 390 px phone.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script shared with `npm run demo`
import { startWorker } from "../../scripts/start-worker.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from "./chromium";

const ARTIFACTS = "test-artifacts";
const EDITOR_TOKEN = "browser-desk-editor-token";
const run = chromiumAvailable();

/** axe-core's browser build (a devDependency); AXE_CORE_PATH may point at another copy. */
function axeSource(): string {
  const path =
    process.env.AXE_CORE_PATH ?? createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  if (!existsSync(path)) throw new Error(`axe-core not found at ${path}: run npm install`);
  return readFileSync(path, "utf8");
}

async function axeViolations(page: Page, source: string): Promise<string[]> {
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(async () => {
    // The email preview is the email's own markup, checked by the email's tests.
    const axe = (globalThis as any).axe;
    return axe.run({ exclude: [["iframe"]] }, { runOnly: ["wcag2a", "wcag2aa", "best-practice"] });
  });
  return (result.violations as { id: string; nodes: { target: string[] }[] }[]).map(
    (violation) =>
      `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}

describe.runIf(run)("the editor's desk in a browser", () => {
  let worker: { url: string; stop: () => Promise<void> };
  let browser: Browser;
  let state: string;
  let axe: string;

  beforeAll(async () => {
    axe = axeSource();
    state = mkdtempSync(join(tmpdir(), "tidings-desk-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    worker = await startWorker({
      persistTo: state,
      quiet: true,
      vars: {
        EDITOR_TOKENS: `editor:${EDITOR_TOKEN}`,
        SIGNING_SECRET: "browser-desk-signing-secret",
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  /** axe in light and dark at 390 px, nothing wider than the screen, and a screenshot of each. */
  async function check(page: Page, name: string) {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page, axe), `${name} (${colorScheme})`).toEqual([]);
      await page.screenshot({
        path: `${ARTIFACTS}/desk-${name}-${colorScheme}.png`,
        fullPage: true,
      });
    }
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth),
      name,
    ).toBeLessThanOrEqual(390);
  }

  it("signs in, posts, writes the note, previews, sends, and reads the outbox and readers", async () => {
    // bypassCSP only lets the test inject axe: the pages themselves run no script.
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
    const page = await context.newPage();

    await page.goto(`${worker.url}/desk`);
    await page.getByRole("heading", { name: "Sign in to the desk" }).waitFor();
    await check(page, "sign-in");
    await page.getByLabel("Editor token").fill(EDITOR_TOKEN);
    await Promise.all([page.waitForURL(`${worker.url}/desk`), page.keyboard.press("Enter")]);
    await page.getByRole("heading", { name: /^Next digest: / }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "tidings_desk", httpOnly: true, sameSite: "Strict" });

    await page.getByRole("link", { name: "Post", exact: true }).click();
    await page.getByLabel("URL").fill("https://example.com/desk-story");
    await page.getByRole("button", { name: "Save article" }).click();
    await expect(page.locator("#article-title-error").textContent()).resolves.toBe(
      "title is required",
    );
    expect(await page.getByLabel("Title").getAttribute("aria-invalid")).toBe("true");
    await check(page, "post-error");
    await page.getByLabel("Title").fill("A story posted from the desk");
    await page.getByLabel("Topics").fill("ai, open-source");
    await page.getByRole("button", { name: "Save article" }).click();
    await page.getByText("The article is posted.").waitFor();
    await page.getByRole("link", { name: "A story posted from the desk", exact: true }).waitFor();

    await page
      .getByLabel(/^Note above the stories/)
      .fill("Good morning.\n\nMore at https://example.com/more");
    await page.getByRole("button", { name: "Save note" }).click();
    await page.getByText("The note is saved.").waitFor();
    await check(page, "next");

    await page.getByRole("link", { name: "Preview", exact: true }).click();
    await page.frameLocator("iframe").getByText("Good morning.").waitFor();
    await check(page, "preview");
    await page.getByRole("link", { name: "Plain text" }).click();
    await expect(page.getByLabel("Plain text version").textContent()).resolves.toContain(
      "A story posted from the desk",
    );
    await page.getByRole("link", { name: "Dark" }).click();
    expect(page.url()).toContain("scheme=dark");

    await page.getByRole("link", { name: "Next digest" }).click();
    await page.getByLabel(/^Send this digest now/).fill("editor@desk-browser.example");
    await page.getByRole("button", { name: "Send test" }).click();
    await page.getByText("The test email is sent.").waitFor();

    await page.getByRole("link", { name: "Outbox" }).click();
    await check(page, "outbox");
    await page.getByRole("link", { name: /^\[Test\] / }).click();
    await page.getByRole("heading", { name: /^\[Test\] / }).waitFor();
    await check(page, "outbox-message");
    await page.getByRole("link", { name: "Raw JSON" }).click();
    await page.getByText('"to": "editor@desk-browser.example"').waitFor();

    // The day's digest, run as an editor would with the API; the sends page shows it.
    const ran = await fetch(`${worker.url}/api/digests/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${EDITOR_TOKEN}` },
    });
    expect(ran.status).toBe(202);
    await page.getByRole("link", { name: "Sends" }).click();
    await page.getByRole("heading", { name: "Sends" }).waitFor();
    await check(page, "sends");

    await page.getByRole("link", { name: "Readers" }).click();
    await check(page, "readers");
    await page.getByRole("link", { name: "Sign-up form" }).click();
    await check(page, "embed");

    await page.getByRole("button", { name: /^Sign out/ }).click();
    await page.getByRole("heading", { name: "Sign in to the desk" }).waitFor();
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});
