import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { confirmedRecord } from "../fixtures/digest";
import { kvSnapshot } from "../fixtures/kv";
import { ledgerTables } from "../fixtures/ledger";
import { mailTo, signUp } from "../fixtures/reader";
import { eventId, postWebhook, resendEvent, sign, WEBHOOK_SECRET } from "../fixtures/webhook";

const store = () => createSubscriberStore(env.SUBSCRIBERS);
let n = 0;
async function reader(label: string) {
  const email = `${label}.${++n}@hooks.test`;
  await store().put(confirmedRecord(email), null);
  return email;
}

async function expectNothingRecorded(act: () => Promise<unknown>) {
  const before = [await kvSnapshot(env.DIGESTS), await kvSnapshot(env.SUBSCRIBERS)];
  await act();
  expect([await kvSnapshot(env.DIGESTS), await kvSnapshot(env.SUBSCRIBERS)]).toEqual(before);
}

describe("POST /webhooks/resend signatures", () => {
  it("accepts a correctly signed delivery and writes nothing to KV for it", async () => {
    const email = await reader("delivered");
    await expectNothingRecorded(async () => {
      const response = await postWebhook(
        resendEvent("email.delivered", email, {}, { digest: "2060-01-01" }),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "recorded" });
    });
  });

  it.each([
    ["a signature from another secret", { secret: "whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==" }],
    [
      "a signature over another body",
      { signature: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
    ],
    ["an unsupported signature version", { signature: "v2,abc" }],
    ["an empty signature", { signature: "" }],
    ["a timestamp 6 minutes old", { timestamp: Math.floor(Date.now() / 1000) - 360 }],
    ["a timestamp 6 minutes ahead", { timestamp: Math.floor(Date.now() / 1000) + 360 }],
  ])("refuses %s with 401 and records nothing", async (_name, options) => {
    const email = await reader("forged");
    await expectNothingRecorded(async () => {
      const response = await postWebhook(
        resendEvent("email.complained", email, {}, { digest: "2060-01-02" }),
        options,
      );
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error.code).toBe("invalid_signature");
    });
    expect((await store().get(email))?.status).toBe("confirmed");
  });

  it("refuses a body altered after signing", async () => {
    const email = await reader("altered");
    const id = eventId();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(resendEvent("email.delivered", email));
    const signature = await sign(WEBHOOK_SECRET, id, timestamp, body);
    await expectNothingRecorded(async () => {
      const response = await postWebhook(null, {
        id,
        timestamp,
        signature,
        body: body.replace("delivered", "complained"),
      });
      expect(response.status).toBe(401);
    });
  });

  it("refuses missing svix headers", async () => {
    const response = await app.request(
      "/webhooks/resend",
      { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } },
      env,
    );
    expect(response.status).toBe(401);
  });

  it("accepts any of several signatures, for secret rotation", async () => {
    const email = await reader("rotation");
    const id = eventId();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(resendEvent("email.delivered", email));
    const old = await sign("whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0", id, timestamp, body);
    const current = await sign(WEBHOOK_SECRET, id, timestamp, body);
    const response = await postWebhook(null, {
      id,
      timestamp,
      body,
      signature: `${old} ${current}`,
    });
    expect(response.status).toBe(200);
  });

  it("acknowledges a replayed event and counts it once", async () => {
    const email = await reader("replay");
    const id = eventId();
    const payload = resendEvent("email.complained", email, {}, { digest: "2060-01-03" });
    expect(await (await postWebhook(payload, { id })).json()).toEqual({ status: "recorded" });
    const again = await postWebhook(payload, { id });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect((await ledgerTables(email)).seenEvents).toEqual([id]);
  });

  it("acknowledges and ignores an unknown event type", async () => {
    const email = await reader("unknown");
    const response = await postWebhook(resendEvent("email.opened", email));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ignored" });
  });

  it("answers 400 to a signed body that is not a Resend event", async () => {
    const response = await postWebhook(null, { body: '{"hello": "world"}' });
    expect(response.status).toBe(400);
  });

  it("fails closed with 503 when RESEND_WEBHOOK_SECRET is not set", async () => {
    const response = await app.request(
      "/webhooks/resend",
      { method: "POST", body: "{}" },
      { ...env, RESEND_WEBHOOK_SECRET: undefined },
    );
    expect(response.status).toBe(503);
    expect(((await response.json()) as any).error.message).toContain("RESEND_WEBHOOK_SECRET");
  });
});

describe("what provider events do to readers", () => {
  it("makes a reader bounced on a permanent bounce, and never mails them again", async () => {
    const email = await reader("hard");
    await postWebhook(
      resendEvent(
        "email.bounced",
        email,
        { bounce: { type: "Permanent", subType: "General" } },
        { digest: "2060-02-01" },
      ),
    );
    const record = await store().get(email);
    expect(record?.status).toBe("bounced");
    expect(record?.history.at(-1)).toMatchObject({ event: "bounced", via: "webhook" });
    await signUp(email);
    expect(await mailTo(email)).toEqual([]);
    // Per-edition counts belong to the edition's owner now: no `v1:event:` keys in KV.
    expect(await kvSnapshot(env.DIGESTS)).not.toContain("v1:event:");
  });

  it("counts transient bounces and makes a reader bounced after 3 in a row", async () => {
    const email = await reader("soft");
    for (let i = 0; i < 2; i++)
      await postWebhook(resendEvent("email.bounced", email, { bounce: { type: "Transient" } }));
    expect((await store().get(email))?.status).toBe("confirmed");
    await postWebhook(resendEvent("email.bounced", email, { bounce: { type: "Transient" } }));
    expect((await store().get(email))?.status).toBe("bounced");
  });

  it("starts the transient count over after a delivery", async () => {
    const email = await reader("soft-recovered");
    for (let i = 0; i < 2; i++)
      await postWebhook(resendEvent("email.bounced", email, { bounce: { type: "Transient" } }));
    await postWebhook(resendEvent("email.delivered", email));
    for (let i = 0; i < 2; i++)
      await postWebhook(resendEvent("email.bounced", email, { bounce: { type: "Transient" } }));
    expect((await store().get(email))?.status).toBe("confirmed");
  });

  it("makes a reader complained on a complaint, and never mails them again", async () => {
    const email = await reader("complaint");
    await postWebhook(resendEvent("email.complained", email, {}, { digest: "2060-02-02" }));
    expect((await store().get(email))?.status).toBe("complained");
    await signUp(email);
    expect(await mailTo(email)).toEqual([]);
  });
});
