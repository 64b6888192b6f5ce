// A sample export in each tool's shape, imported through POST /api/imports with consent carried:
// subscribed readers are confirmed with the attestation in their ledger and scheduled like any other
// confirmed reader, readers who left or bounced are suppressed, the rest refused; nobody is emailed.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../fixtures/api";
import { ATTESTATION, importAll } from "./import-fixture";
import { EXPORTS } from "./tool-exports";

const record = (email: string) => env.READERS.get(env.READERS.idFromName(email)).read();
const due = (email: string) => env.DUE_INDEX.get(env.DUE_INDEX.idFromName("due")).nextFor(email);

async function outboxCount(): Promise<number> {
  const page = await env.OUTBOX.list({ prefix: "v1:outbox:msg:" });
  return page.keys.length;
}

async function expectStatuses(expected: Record<string, string | null>) {
  for (const [email, status] of Object.entries(expected))
    expect((await record(email))?.status ?? null, email).toBe(status);
}

describe("importing each tool's export", { timeout: 60_000 }, () => {
  it("reads a Substack export: email_disabled readers are suppressed, deletion requests refused", async () => {
    const progress = await importAll(EXPORTS.substack);
    expect(progress).toMatchObject({
      state: "done",
      tool: "substack",
      rows: 4,
      read: 4,
      added: 2,
      suppressed: 1,
      refused: 1,
    });
    await expectStatuses({
      "sub.free@example.com": "confirmed",
      "sub.paid@example.com": "confirmed",
      "sub.off@example.com": "unsubscribed",
      "someone@deletion-request.substack.com": null,
    });
    const reader = await record("sub.paid@example.com");
    expect(reader?.consent).toMatchObject({
      source: "import",
      formVersion: "Substack",
      signedUpAt: "2022-05-01T08:30:00.000Z",
    });
    expect(reader?.history.find((event) => event.event === "imported")).toMatchObject({
      source: "Substack",
      attestation: ATTESTATION,
    });
    expect(reader?.history.map((event) => event.event)).toEqual(["imported", "confirmed"]);
    // Confirmed readers are scheduled as any other confirmed reader is; suppressed ones are not.
    expect(await due("sub.free@example.com")).not.toBeNull();
    expect(await due("sub.off@example.com")).toBeNull();
  });

  it("reads Mailchimp's three files: subscribed with tags as topics, unsubscribed, abuse reports, cleaned", async () => {
    const topics = { topics: { "AI weekly": ["ai"], Security: ["security"] } };
    expect(await importAll(EXPORTS.mailchimp, topics)).toMatchObject({
      tool: "mailchimp",
      added: 2,
    });
    expect(await importAll(EXPORTS.mailchimpUnsubscribed)).toMatchObject({ suppressed: 2 });
    expect(await importAll(EXPORTS.mailchimpCleaned)).toMatchObject({ suppressed: 1 });
    await expectStatuses({
      "mc.one@example.com": "confirmed",
      "mc.two@example.com": "confirmed",
      "mc.left@example.com": "unsubscribed",
      "mc.spam@example.com": "complained",
      "mc.gone@example.com": "bounced",
    });
    const one = await record("mc.one@example.com");
    expect(one?.preferences?.topics).toEqual(["ai", "security"]);
    expect(one?.consent.confirmedAt).toBe("2019-01-02T03:05:00.000Z");
    expect((await record("mc.two@example.com"))?.preferences?.topics).toBeNull();
    expect((await record("mc.left@example.com"))?.consent).toMatchObject({
      unsubscribedAt: "2023-07-08T09:10:11.000Z",
      unsubscribeMethod: "import",
    });
  });

  it("reads Buttondown, Kit, beehiiv, Ghost, listmonk and a plain list", async () => {
    const mapping = {
      topics: { ai: ["ai"], cloud: ["cloud"], security: ["security"], "ai-readers": ["ai"] },
    };
    const cases: [
      keyof typeof EXPORTS,
      Record<string, number | string>,
      Record<string, string | null>,
    ][] = [
      [
        "buttondown",
        { tool: "buttondown", added: 2, suppressed: 2, refused: 2 },
        {
          "bd.regular@example.com": "confirmed",
          "bd.premium@example.com": "confirmed",
          "bd.new@example.com": null,
          "bd.left@example.com": "unsubscribed",
          "bd.bad@example.com": "bounced",
          "bd.spammy@example.com": null,
        },
      ],
      [
        "kit",
        { tool: "kit", added: 1, suppressed: 2, refused: 1 },
        {
          "kit.active@example.com": "confirmed",
          "kit.unconfirmed@example.com": null,
          "kit.cancelled@example.com": "unsubscribed",
          "kit.complained@example.com": "complained",
        },
      ],
      [
        "beehiiv",
        { tool: "beehiiv", added: 1, suppressed: 1, refused: 1 },
        {
          "bh.active@example.com": "confirmed",
          "bh.inactive@example.com": "unsubscribed",
          "bh.pending@example.com": null,
        },
      ],
      [
        "ghost",
        { tool: "ghost", added: 1, suppressed: 1 },
        {
          "ghost.in@example.com": "confirmed",
          "ghost.out@example.com": "unsubscribed",
        },
      ],
      [
        "listmonk",
        { tool: "listmonk", added: 1, suppressed: 1 },
        {
          "lm.enabled@example.com": "confirmed",
          "lm.blocked@example.com": "unsubscribed",
        },
      ],
      [
        "plain",
        { tool: "plain", added: 2, refused: 1 },
        {
          "plain.one@example.com": "confirmed",
          "plain.two@example.com": "confirmed",
        },
      ],
    ];
    for (const [tool, counts, statuses] of cases) {
      expect(await importAll(EXPORTS[tool], mapping), tool).toMatchObject({
        state: "done",
        ...counts,
      });
      await expectStatuses(statuses);
    }
    expect((await record("bd.regular@example.com"))?.preferences?.topics).toEqual(["ai", "cloud"]);
    expect((await record("kit.active@example.com"))?.preferences?.topics).toEqual(["security"]);
    expect((await record("ghost.in@example.com"))?.preferences?.topics).toEqual(["ai"]);
    expect((await record("lm.enabled@example.com"))?.consent.signedUpAt).toBe(
      "2024-01-02T15:04:05.123Z",
    );
    expect((await record("bh.active@example.com"))?.consent.signedUpAt).toBe(
      "2023-03-24T10:23:10.000Z",
    );
    expect(await outboxCount()).toBe(0);
  });

  it("lists refused rows with their row number and reason as CSV", async () => {
    const progress = await importAll(EXPORTS.buttondown);
    const response = await api(`/api/imports/${progress.id}/refused.csv`);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect(await response.text()).toBe(
      "row,email,reason\r\n" +
        "4,bd.new@example.com,never confirmed in Substack: import with askToConfirm to ask them\r\n" +
        "7,bd.spammy@example.com,Buttondown marked this address as spammy\r\n",
    );
  });
});
