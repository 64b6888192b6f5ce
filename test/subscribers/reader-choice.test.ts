// Readers choose topics, cadence and delivery time: on the sign-up form, as JSON, on the
// preferences page and through the editors' API. Bad choices are refused and change nothing.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, BASE } from "../fixtures/api";
import { readerLedger } from "../../src/subscribers/reader-ledger";
import { defaultPreferences } from "../../src/subscribers/preferences";
import { parseHtml } from "../fixtures/parse";
import {
  confirmedReader,
  freshIp,
  linkIn,
  mailTo,
  postForm,
  signUp,
  textOf,
} from "../fixtures/reader";

let n = 0;
const address = (label: string) => `${label}.${++n}@choice.test`;
const preferencesOf = async (email: string) =>
  ((await (await api(`/api/subscribers/${email}`)).json()) as any).preferences;
const recordOf = async (email: string) => api(`/api/subscribers/${email}`);

function signUpJson(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}/subscribe`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp(), ...headers },
    body: JSON.stringify(body),
  });
}

describe("choosing on sign-up", () => {
  it("keeps a pending reader's choices when they sign up again choosing nothing", async () => {
    const email = address("again");
    const chosen = { ...defaultPreferences("Europe/Berlin"), topics: ["ai"], deliveryHour: 9 };
    const ledger = readerLedger(env, email);
    const first = { source: "api" as const, formVersion: "test", ipHash: null };
    expect(
      await ledger.signUp({ ...first, preferences: chosen }, "2031-05-01T08:00:00.000Z"),
    ).not.toBeNull();
    // Past the 10-minute slot, so this sign-up writes the record and sends a confirmation again;
    // a "Subscribe again" button posts only the address.
    const again = { ...first, defaultPreferences: defaultPreferences("UTC") };
    expect(await ledger.signUp(again, "2031-05-01T08:20:00.000Z")).not.toBeNull();
    expect(await preferencesOf(email)).toEqual(chosen);
  });

  it("stores JSON choices with the pending reader", async () => {
    const email = address("json");
    const response = await signUpJson({
      email,
      topics: ["ai", "security"],
      cadence: "weekly",
      weekday: "thu",
      deliveryHour: 8,
      timeZone: "Europe/Berlin",
    });
    expect(response.status).toBe(202);
    expect(await preferencesOf(email)).toEqual({
      topics: ["ai", "security"],
      cadence: "weekly",
      weekday: "thu",
      deliveryHour: 8,
      timeZone: "Europe/Berlin",
    });
  });

  it("defaults to every topic, daily at 07:00 in the visitor's zone (UTC when unknown)", async () => {
    const email = address("defaults");
    expect((await signUpJson({ email })).status).toBe(202);
    expect(await preferencesOf(email)).toMatchObject({
      topics: ["ai", "security", "languages", "cloud", "hardware", "web", "open-source"],
      cadence: "daily",
      weekday: null,
      deliveryHour: 7,
      timeZone: "UTC",
    });
  });

  it.each([
    ["topics", { topics: ["ai", "gardening"] }],
    ["topics", { topics: [] }],
    ["timeZone", { timeZone: "Mars/Olympus_Mons" }],
    ["deliveryHour", { deliveryHour: 24 }],
    ["deliveryHour", { deliveryHour: 6.5 }],
    ["weekday", { cadence: "daily", weekday: "mon" }],
    ["weekday", { cadence: "weekly" }],
    ["cadence", { cadence: "hourly" }],
  ])("refuses a bad %s with 400 naming the field, storing nothing", async (field, choice) => {
    const email = address("bad");
    const response = await signUpJson({ email, ...choice });
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues.map((issue: any) => issue.path)).toContain(field);
    expect((await recordOf(email)).status).toBe(404);
    expect(await mailTo(email)).toEqual([]);
  });

  it("takes the form's choices, and shows a bad one next to its field", async () => {
    const email = address("form");
    const fields = {
      choices: "1",
      topics: "ai",
      cadence: "daily",
      weekday: "",
      deliveryHour: "6",
      timeZone: "Asia/Kolkata",
    };
    expect((await signUp(email, { extra: fields })).status).toBe(200);
    expect(await preferencesOf(email)).toMatchObject({
      topics: ["ai"],
      deliveryHour: 6,
      timeZone: "Asia/Kolkata",
    });

    const refused = address("form-bad");
    const response = await signUp(refused, { extra: { ...fields, weekday: "fri" } });
    expect(response.status).toBe(400);
    const page = parseHtml(await response.text());
    const byId = (id: string) =>
      [...page.all("select"), ...page.all("p")].find((el) => page.attr(el, "id") === id)!;
    expect(page.attr(byId("weekday"), "aria-invalid")).toBe("true");
    expect(page.text(byId("weekday-error"))).toMatch(/weekly cadence only/);
    expect((await recordOf(refused)).status).toBe(404);
  });

  it("offers every choice on the sign-up page, labelled, with all topics ticked", async () => {
    const page = parseHtml(await (await SELF.fetch(`${BASE}/`)).text());
    const boxes = page.all("input").filter((input) => page.attr(input, "name") === "topics");
    expect(boxes.map((box) => page.attr(box, "value"))).toContain("open-source");
    expect(boxes.every((box) => page.attr(box, "checked") !== undefined)).toBe(true);
    for (const id of ["weekday", "deliveryHour", "timeZone"])
      expect(page.all("label").filter((label) => page.attr(label, "for") === id)).toHaveLength(1);
    expect(textOf(await (await SELF.fetch(`${BASE}/`)).text())).toContain("Open source");
  });
});

describe("changing them later", () => {
  it("saves the preferences page's form and says so", async () => {
    const email = address("page");
    await confirmedReader(email);
    const welcome = (await mailTo(email)).find((m) => m.subject.startsWith("Welcome"))!;
    const link = linkIn(welcome, "/preferences");
    const response = await postForm(
      link,
      {
        choices: "1",
        topics: "security",
        cadence: "weekly",
        weekday: "mon",
        deliveryHour: "9",
        timeZone: "America/Los_Angeles",
      },
      { Origin: BASE },
    );
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toContain(
      "Saved. You now get: Security, weekly on Mondays at 09:00 America/Los_Angeles.",
    );
    expect(await preferencesOf(email)).toMatchObject({ topics: ["security"], weekday: "mon" });

    const bad = await postForm(link, { choices: "1", deliveryHour: "9" }, { Origin: BASE });
    expect(bad.status).toBe(400);
    expect(textOf(await bad.text())).toContain("Choose at least one topic.");
    expect(await preferencesOf(email)).toMatchObject({ topics: ["security"] });

    const foreign = await postForm(
      link,
      { choices: "1", topics: "ai" },
      { Origin: "https://evil.test" },
    );
    expect(foreign.status).toBe(403);
  });

  it("lets editors read and PATCH a reader's preferences, refusing bad ones", async () => {
    const email = address("patch");
    await signUpJson({ email });
    const patched = await api(`/api/subscribers/${email}`, {
      method: "PATCH",
      json: { preferences: { topics: ["cloud"], timeZone: "Asia/Kathmandu", deliveryHour: 5 } },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as any).preferences).toMatchObject({
      topics: ["cloud"],
      timeZone: "Asia/Kathmandu",
      deliveryHour: 5,
    });
    const bad = await api(`/api/subscribers/${email}`, {
      method: "PATCH",
      json: { preferences: { topics: ["cloud"], deliveryHour: -1 } },
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as any;
    expect(body.error.issues).toEqual([
      { path: "preferences.deliveryHour", message: expect.any(String) },
    ]);
    expect(await preferencesOf(email)).toMatchObject({ deliveryHour: 5 });
    expect(
      (
        await api(`/api/subscribers/nobody@choice.test`, {
          method: "PATCH",
          json: { preferences: {} },
        })
      ).status,
    ).toBe(404);
  });

  it("imports choices per address, refusing one bad entry alone", async () => {
    const good = address("import");
    const bad = address("import-bad");
    const response = await api("/api/subscribers/import", {
      method: "POST",
      json: {
        consentSource: "choice test",
        addresses: [
          { email: good, topics: ["web"], cadence: "weekly", weekday: "sun" },
          { email: bad, timeZone: "Nowhere/Special" },
        ],
      },
    });
    expect(response.status).toBe(207);
    const { results } = (await response.json()) as any;
    expect(results[0].status).toBe(202);
    expect(results[1].status).toBe(400);
    expect(results[1].error.issues[0].path).toBe("addresses.1.timeZone");
    expect(await preferencesOf(good)).toMatchObject({ topics: ["web"], weekday: "sun" });
    expect((await recordOf(bad)).status).toBe(404);
  });
});
