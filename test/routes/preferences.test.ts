import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { BASE } from "../fixtures/api";
import { kvSnapshot } from "../fixtures/kv";
import { ledgerTables, mirrorOf } from "../fixtures/ledger";
import { parseHtml } from "../fixtures/parse";
import { confirmedReader, linkIn, mailTo, postForm, signUp, textOf } from "../fixtures/reader";
import { postWebhook, resendEvent } from "../fixtures/webhook";

const store = () => createSubscriberStore(env.SUBSCRIBERS);
let n = 0;
const address = (label: string) => `${label}.${++n}@prefs.test`;

async function preferencesLink(email: string) {
  await confirmedReader(email);
  const welcome = (await mailTo(email)).find((m) => m.subject.startsWith("Welcome"))!;
  return linkIn(welcome, "/preferences");
}

describe("a reader's own data", () => {
  it("links every email to the preferences page, which shows status and consent", async () => {
    const email = address("shown");
    const link = await preferencesLink(email);
    const response = await SELF.fetch(link);
    expect(response.status).toBe(200);
    const page = parseHtml(await response.text());
    const text = textOf(await (await SELF.fetch(link)).text());
    expect(text).toContain(`${email} is subscribed`);
    // Plain words: dates as a reader says them, where they signed up, no raw timestamps or enums.
    expect(text).toMatch(/Signed up on \d{1,2} [A-Z][a-z]{2} \d{4} from the sign-up page\./);
    expect(text).toMatch(/Confirmed on \d{1,2} [A-Z][a-z]{2} \d{4}\./);
    expect(text).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC: You signed up on a form/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T|signup-2026-11|confirmed \(|Left -/);
    const erase = page.all("button").find((b) => page.text(b).startsWith("Erase my data"))!;
    expect(page.attr(erase, "class")).toBe("danger");
    expect(
      page.all("a").some((a) => page.attr(a, "href")?.startsWith("/preferences/export?token=")),
    ).toBe(true);
    expect(
      page.all("form").some((f) => page.attr(f, "action")?.startsWith("/preferences/erase?token=")),
    ).toBe(true);
  });

  it("downloads everything kept as JSON, without changing anything", async () => {
    const email = address("export");
    const link = await preferencesLink(email);
    const before = await kvSnapshot(env.SUBSCRIBERS);
    const response = await SELF.fetch(link.replace("/preferences?", "/preferences/export?"));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment/);
    const data = (await response.json()) as any;
    expect(data.subscriber).toMatchObject({
      email,
      status: "confirmed",
      consent: { source: "form" },
    });
    expect(data.subscriber.history.map((e: any) => e.event)).toEqual([
      "signed_up",
      "confirmation_sent",
      "confirmed",
      "welcome_sent",
    ]);
    expect(await kvSnapshot(env.SUBSCRIBERS)).toBe(before);
  });

  it("asks first: the preferences page's erase button leads to a page saying what goes, erasing nothing", async () => {
    const email = address("ask");
    const link = await preferencesLink(email);
    const before = await kvSnapshot(env.SUBSCRIBERS);
    for (const response of [
      await postForm(link.replace("/preferences?", "/preferences/erase?"), {}),
      await SELF.fetch(link.replace("/preferences?", "/preferences/erase?")),
    ]) {
      expect(response.status).toBe(200);
      const source = await response.text();
      const text = textOf(source);
      expect(text).toContain("Erase your data?");
      expect(text).toContain(email);
      expect(text).toContain("What is deleted");
      const page = parseHtml(source);
      const button = page.all("button").find((b) => page.text(b) === "Erase my data for good");
      expect(button && page.attr(button, "class")).toBe("danger");
      const confirm = page.all("input").find((i) => page.attr(i, "name") === "confirm");
      expect(confirm && page.attr(confirm, "value")).toBe("erase");
    }
    expect(await kvSnapshot(env.SUBSCRIBERS)).toBe(before);
    expect(await store().get(email)).toMatchObject({ status: "confirmed" });
  });

  it("erases the record and what names the reader, keeping only why in the reader's object", async () => {
    const email = address("erase");
    const link = await preferencesLink(email);
    const response = await postForm(link.replace("/preferences?", "/preferences/erase?"), {
      confirm: "erase",
    });
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toContain("Your data is erased");
    expect(await store().get(email)).toBeNull();
    const everything = [
      await kvSnapshot(env.SUBSCRIBERS),
      await kvSnapshot(env.OUTBOX),
      await kvSnapshot(env.DIGESTS),
    ].join("");
    expect(everything).not.toContain(email);
    const kept = await ledgerTables(email);
    expect(kept.readers).toEqual([]);
    expect(kept.suppression).toEqual([{ reason: "erased", at: expect.any(String) }]);
    expect(kept.text).not.toContain(email);
  });

  it("starts a fresh double opt-in when an erased reader signs up again", async () => {
    const email = address("return");
    const link = await preferencesLink(email);
    await postForm(link.replace("/preferences?", "/preferences/erase?"), { confirm: "erase" });
    await signUp(email);
    // The erasure deleted the mirror moments ago: the sign-up's mirror follows when KV's second is over.
    const record = await mirrorOf(email);
    expect(record).toMatchObject({ status: "pending", consent: { confirmedAt: null } });
    expect(record!.history.map((e) => e.event)).toEqual(["signed_up", "confirmation_sent"]);
    expect((await mailTo(email)).map((m) => m.subject)).toEqual([
      "Confirm your subscription to Tidings",
    ]);
  });

  it("keeps a bounced address suppressed after erasure", async () => {
    const email = address("bounced");
    const link = await preferencesLink(email);
    await postWebhook(resendEvent("email.bounced", email, { bounce: { type: "Permanent" } }));
    await postForm(link.replace("/preferences?", "/preferences/erase?"), { confirm: "erase" });
    await signUp(email);
    expect(await mirrorOf(email)).toBeNull();
    expect(await mailTo(email)).toEqual([]);
  });

  it("refuses a forged or confirm token with a 400 page", async () => {
    for (const token of ["forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""]) {
      const response = await SELF.fetch(`${BASE}/preferences?token=${token}`);
      expect(response.status).toBe(400);
      expect((await postForm(`${BASE}/preferences/erase?token=${token}`, {})).status).toBe(400);
    }
  });
});
