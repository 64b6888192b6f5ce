// A reader's whole way, in a real browser against the real Worker: sign up, confirm, leave.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script shared with `npm run demo`
import { startWorker } from "../../scripts/start-worker.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from "./chromium";

const ARTIFACTS = "test-artifacts";
const EDITOR_TOKEN = "browser-test-editor-token";
const run = chromiumAvailable();

describe.runIf(run)("the reader's way in a browser", () => {
  let worker: { url: string; stop: () => Promise<void> };
  let browser: Browser;
  let state: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "tidings-browser-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    worker = await startWorker({
      persistTo: state,
      quiet: true,
      vars: {
        EDITOR_TOKENS: `editor:${EDITOR_TOKEN}`,
        SIGNING_SECRET: "browser-test-signing-secret",
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

  it("signs up with the keyboard, confirms from the outbox, and leaves by the unsubscribe link", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `reader-${Date.now()}@example.com`;

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${worker.url}/`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Tidings");
    await page.screenshot({ path: `${ARTIFACTS}/signup-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}/signup-phone.png`, fullPage: true });
    // Readable on a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );

    // Keyboard only: the first Tab stop is the labelled email field, Enter submits.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("email");
    await page.keyboard.type(email);
    await Promise.all([page.waitForLoadState("load"), page.keyboard.press("Enter")]);
    await page.getByRole("heading", { name: "Check your inbox to confirm" }).waitFor();

    // The outbox is behind the editor's desk sign-in.
    await page.goto(`${worker.url}/outbox?to=${encodeURIComponent(email)}`);
    await page.getByLabel("Editor token").fill(EDITOR_TOKEN);
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "Confirm your subscription to Tidings" }).click();
    await page.getByRole("heading", { name: "Confirm your subscription to Tidings" }).waitFor();
    await page
      .getByRole("link", { name: /\/confirm\?token=/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Confirm subscription" }).click();
    await page.getByRole("heading", { name: "You're subscribed" }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/subscribed.png` });

    await page.goto(`${worker.url}/outbox?to=${encodeURIComponent(email)}`);
    await page.getByRole("link", { name: "Welcome to Tidings" }).click();
    await page.getByRole("heading", { name: "Welcome to Tidings" }).waitFor();
    await page
      .getByRole("link", { name: /\/unsubscribe\?token=/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await page.getByRole("heading", { name: "You're unsubscribed" }).waitFor();
    expect(await page.getByRole("button", { name: "Subscribe again" }).isVisible()).toBe(true);
    await context.close();
  });

  it("chooses topics and a time on the sign-up page, then changes them on the preferences page", async () => {
    const context = await browser.newContext({
      httpCredentials: { username: "editor", password: EDITOR_TOKEN },
    });
    const page = await context.newPage();
    const email = `chooser-${Date.now()}@example.com`;

    await page.goto(`${worker.url}/`);
    await page.getByLabel("Your email address").fill(email);
    await page.getByText("Choose topics and a delivery time (optional)").click();
    for (const topic of ["Languages", "Cloud", "Hardware", "Web", "Open source"])
      await page.getByLabel(topic, { exact: true }).uncheck();
    await page.getByLabel("Delivery time").selectOption("8");
    await page.getByLabel("Time zone").selectOption("Europe/Berlin");
    await page.screenshot({ path: `${ARTIFACTS}/signup-choices.png`, fullPage: true });
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByRole("heading", { name: "Check your inbox to confirm" }).waitFor();

    // The outbox is the mail viewer behind the desk sign-in: the list, then one message.
    await page.goto(`${worker.url}/outbox?to=${encodeURIComponent(email)}`);
    if (await page.getByLabel("Editor token").count()) {
      await page.getByLabel("Editor token").fill(EDITOR_TOKEN);
      await page.keyboard.press("Enter");
    }
    await page.getByRole("link", { name: "Confirm your subscription to Tidings" }).click();
    await page
      .getByRole("link", { name: /\/confirm\?token=/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Confirm subscription" }).click();
    await page.getByRole("heading", { name: "You're subscribed" }).waitFor();

    await page.goto(`${worker.url}/outbox?to=${encodeURIComponent(email)}`);
    await page.getByRole("link", { name: "Welcome to Tidings" }).click();
    await page
      .getByRole("link", { name: /\/preferences\?token=/ })
      .first()
      .click();
    await page.getByText("AI and Security, daily at 08:00 Europe/Berlin.").waitFor();

    await page.getByLabel("Cloud", { exact: true }).check();
    await page.getByLabel("Weekly", { exact: true }).check();
    await page.getByLabel("Day of a weekly digest").selectOption("fri");
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page
      .getByText(
        "Saved. You now get: AI, Security and Cloud, weekly on Fridays at 08:00 Europe/Berlin.",
      )
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/preferences-saved.png`, fullPage: true });
    await context.close();
  });
});
