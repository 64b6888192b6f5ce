// What each Resend webhook event does (docs/deliverability.md): the provider's suppression list
// suppresses the reader with its reason, a failure is counted on the send and in the reader's
// history, and every other documented event type is acknowledged and changes nothing.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { confirmedRecord } from "../fixtures/digest";
import { kvSnapshot } from "../fixtures/kv";
import { ledgerOf } from "../fixtures/ledger";
import { mailTo, signUp } from "../fixtures/reader";
import { bareSend } from "../fixtures/send";
import { postWebhook, resendEvent } from "../fixtures/webhook";

const store = () => createSubscriberStore(env.SUBSCRIBERS);
let n = 0;
async function reader(label: string) {
  const email = `${label}.${++n}@events.test`;
  await store().put(confirmedRecord(email), null);
  return email;
}

const suppressed = (reason: string) => ({
  suppressed: { type: "OnAccountSuppressionList", reason, message: "m", diagnosticCode: [] },
});

describe("Resend's suppression list", () => {
  it.each([
    ["previous_bounce", "bounced"],
    ["previous_complaint", "complained"],
  ])(
    "suppresses the reader of an email.suppressed with %s as %s, and counts it on the send",
    async (reason, status) => {
      const email = await reader(reason);
      const owner = await bareSend(`2061-01-0${reason === "previous_bounce" ? 1 : 2}`);
      const id = (await owner.status())!.id;
      const response = await postWebhook(
        resendEvent("email.suppressed", email, suppressed(reason), { digest: id }),
      );
      expect(response.status).toBe(200);
      const record = await store().get(email);
      expect(record?.status).toBe(status);
      expect(record?.history.at(-1)).toMatchObject({ event: status, via: "suppression", reason });
      expect((await owner.status())!.events.suppressed).toBe(1);
      await signUp(email);
      expect(await mailTo(email)).toEqual([]);
    },
  );

  it.each([
    ["bounce", "bounced", "previous_bounce"],
    ["complaint", "complained", "previous_complaint"],
    ["manual", "bounced", "manual"],
  ])(
    "suppresses the reader of a suppression.added with origin %s as %s",
    async (origin, status, reason) => {
      const email = await reader(`added-${origin}`);
      const response = await postWebhook({
        type: "suppression.added",
        created_at: new Date().toISOString(),
        data: { id: "sup_1", email, origin, source_id: null, created_at: new Date().toISOString() },
      });
      expect(response.status).toBe(200);
      const record = await store().get(email);
      expect(record?.status).toBe(status);
      expect(record?.history.at(-1)).toMatchObject({ via: "suppression", reason });
      expect(await ledgerOf(email).suppressedReason()).toBe(status);
    },
  );

  it("suppresses nobody else, and counts a replayed event once", async () => {
    const email = await reader("replayed");
    const bystander = await reader("bystander");
    const payload = resendEvent("email.suppressed", email, suppressed("previous_bounce"));
    await postWebhook(payload, { id: "msg_replay_suppressed" });
    const again = await postWebhook(payload, { id: "msg_replay_suppressed" });
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect((await store().get(bystander))?.status).toBe("confirmed");
  });
});

describe("email.failed", () => {
  it("counts the failure on the send and notes it in the reader's history, who stays subscribed", async () => {
    const email = await reader("failed");
    const owner = await bareSend("2061-02-01");
    const failed = { failed: { reason: "reached_daily_quota" } };
    await postWebhook(resendEvent("email.failed", email, failed, { digest: "2061-02-01" }));
    expect((await owner.status())!.events.failed).toBe(1);
    const record = await store().get(email);
    expect(record?.status).toBe("confirmed");
    expect(record?.history.at(-1)).toMatchObject({
      event: "failed",
      via: "webhook",
      reason: "reached_daily_quota",
    });
  });

  it("refuses an email.failed without its reason", async () => {
    const email = await reader("failed-bare");
    expect((await postWebhook(resendEvent("email.failed", email))).status).toBe(400);
  });
});

// Every event type Resend documents (resend.yaml's webhooks, the SDK's WebhookEvent) that Tidings
// does not act on.
const OTHER_TYPES = [
  "email.sent",
  "email.scheduled",
  "email.delivery_delayed",
  "email.opened",
  "email.clicked",
  "email.received",
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "contact.topics.updated",
  "domain.created",
  "domain.updated",
  "domain.deleted",
  "suppression.removed",
  "topic.created",
  "topic.updated",
  "topic.deleted",
  "inbox.created",
  "inbox.email.received",
];

describe("every other documented event type", () => {
  it.each(OTHER_TYPES)("answers 200 to %s and changes nothing", async (type) => {
    const email = await reader(type.replace(/\W/g, "-"));
    const before = [await kvSnapshot(env.DIGESTS), await kvSnapshot(env.SUBSCRIBERS)];
    const response = await postWebhook(
      type.startsWith("email.")
        ? resendEvent(type, email, {}, { digest: "2061-03-01" })
        : { type, created_at: new Date().toISOString(), data: { id: "x", email } },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ignored" });
    expect([await kvSnapshot(env.DIGESTS), await kvSnapshot(env.SUBSCRIBERS)]).toEqual(before);
    expect((await store().get(email))?.history).toEqual([]);
  });
});
