// Races on real HTTP at the same moment, and what the ReaderLedger keeps, tells and forgets.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createOutboxMailer } from "../../src/mail/outbox-mailer";
import { createTokenSigner, hashAddress } from "../../src/subscribers/reader-token";
import { softBounceKey, suppressionKey } from "../../src/subscribers/subscriber-keys";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { subscribe, type SubscriptionDeps } from "../../src/subscribers/subscription";
import { BASE } from "../fixtures/api";
import { confirmedRecord } from "../fixtures/digest";
import { kvSnapshot } from "../fixtures/kv";
import { departedSince, ledgerOf, ledgerTables, mirrorOf } from "../fixtures/ledger";
import { linkIn, mailTo, postForm, signUp, textOf, tokenOf } from "../fixtures/reader";
import { postWebhook, resendEvent } from "../fixtures/webhook";

const store = () => createSubscriberStore(env.SUBSCRIBERS);
const signer = createTokenSigner("test-signing-secret");
let n = 0;
const address = (label: string) => `${label}.${++n}@ledger.test`;

async function confirmedInKv(label: string) {
  const email = address(label);
  await store().put(confirmedRecord(email), null);
  return email;
}

const oneClick = (token: string) =>
  SELF.fetch(`${BASE}/unsubscribe?token=${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });

const transientBounce = (email: string) =>
  resendEvent("email.bounced", email, { bounce: { type: "Transient" } });

describe("races at the same moment", () => {
  // KV takes one write a second per key: each trial's mirror ends right by the ledger's alarm.
  it("never loses an unsubscribe that answered, when a confirm races it (10 trials)", async () => {
    for (let trial = 0; trial < 10; trial++) {
      const email = address(`race-${trial}`);
      await signUp(email);
      const [confirmation] = await mailTo(email);
      const confirmToken = tokenOf(linkIn(confirmation!, "/confirm"));
      const unsubscribeToken = await signer.sign("unsubscribe", email, new Date());
      const [confirmed, left] = await Promise.all([
        postForm(`${BASE}/confirm`, { token: confirmToken }),
        oneClick(unsubscribeToken),
      ]);
      expect(textOf(await left.text())).toContain("You're unsubscribed");
      expect([200, 400]).toContain(confirmed.status);
      expect((await ledgerOf(email).read())?.status).toBe("unsubscribed");
      expect((await mirrorOf(email))?.status).toBe("unsubscribed");
    }
  }, 60_000);

  it("sends one confirmation email for 10 simultaneous sign-ups of one address", async () => {
    const email = address("crowd");
    const responses = await Promise.all(Array.from({ length: 10 }, () => signUp(email)));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(await mailTo(email)).toHaveLength(1);
    expect((await ledgerOf(email).read())?.status).toBe("pending");
  });

  it("counts 3 simultaneous transient bounces, and the reader is bounced", async () => {
    const email = await confirmedInKv("soft-crowd");
    const bounce = () => postWebhook(transientBounce(email));
    const responses = await Promise.all([bounce(), bounce(), bounce()]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect((await ledgerOf(email).read())?.status).toBe("bounced");
    expect((await store().get(email))?.status).toBe("bounced");
  });

  it("counts a webhook event delivered twice at the same moment once", async () => {
    const email = await confirmedInKv("twice");
    const payload = transientBounce(email);
    const id = `msg_twice_${n}`;
    const answers = await Promise.all([postWebhook(payload, { id }), postWebhook(payload, { id })]);
    const statuses = await Promise.all(answers.map(async (answer) => (await answer.json()) as any));
    expect(statuses.map((body) => body.status).sort()).toEqual(["duplicate", "recorded"]);
    const tables = await ledgerTables(email);
    expect(tables.seenEvents).toEqual([id]);
    expect(tables.readers).toEqual([{ status: "confirmed", transientBounces: 1 }]);
  });
});

describe("departures and the invalid status", () => {
  it("marks a confirmed reader invalid, records the event and the departure, and mails them no more", async () => {
    const email = await confirmedInKv("invalid");
    const since = Date.now() - 1;
    await ledgerOf(email).markInvalid(new Date().toISOString());
    const record = await ledgerOf(email).read();
    expect(record?.status).toBe("invalid");
    expect(record?.history.at(-1)).toMatchObject({ event: "invalid" });
    expect((await store().listPage(null)).readers).toContainEqual({ email, status: "invalid" });
    expect(await departedSince(email, since)).toBe(true);
    await signUp(email);
    expect(await mailTo(email)).toEqual([]);
  });

  it("leaves a reader who already left unchanged by markInvalid", async () => {
    const email = await confirmedInKv("left-then-invalid");
    await ledgerOf(email).unsubscribe("page", new Date().toISOString());
    await ledgerOf(email).markInvalid(new Date().toISOString());
    expect((await ledgerOf(email).read())?.status).toBe("unsubscribed");
  });

  it("records a departure before the unsubscribe page answers", async () => {
    const email = await confirmedInKv("departing");
    const since = Date.now() - 1;
    expect(await departedSince(email, since)).toBe(false);
    const response = await oneClick(await signer.sign("unsubscribe", email, new Date()));
    expect(response.status).toBe(200);
    expect(await departedSince(email, since)).toBe(true);
  });

  it("records no departure for a pending reader who unsubscribes", async () => {
    const email = address("pending-leaves");
    await signUp(email);
    const since = Date.now() - 1;
    await oneClick(await signer.sign("unsubscribe", email, new Date()));
    expect((await ledgerOf(email).read())?.status).toBe("unsubscribed");
    expect(await departedSince(email, since)).toBe(false);
  });
});

describe("what the ledger keeps", () => {
  it("releases the confirmation slot when the email could not be sent, so the reader can retry", async () => {
    const email = address("retry");
    const outbox = createOutboxMailer(env.OUTBOX);
    const deps = (mailer: SubscriptionDeps["mailer"]): SubscriptionDeps => ({
      readers: ledgerOf,
      mailer,
      signer,
      site: {
        siteTitle: "T",
        siteUrl: BASE,
        mailFrom: "T <t@x.test>",
        postalAddress: "1 St",
        sendTime: "07:00",
      },
      now: new Date(),
    });
    const down: SubscriptionDeps["mailer"] = {
      ...outbox,
      send: async () => ({
        ok: false,
        reason: "unavailable",
        retryable: true,
        status: 503,
        message: "down",
      }),
    };
    const input = { email, source: "form" as const, formVersion: "v", ipHash: null };
    await expect(subscribe(deps(down), input)).rejects.toMatchObject({ status: 503 });
    expect(await ledgerOf(email).read()).toBeNull();
    expect(await mirrorOf(email)).toBeNull();
    expect(await subscribe(deps(outbox), input)).toBe("confirmation_sent");
    expect(await mailTo(email)).toHaveLength(1);
  });

  it("keeps an unsubscribe made in the same millisecond as a claim whose send then failed", async () => {
    const email = await confirmedInKv("same-ms");
    await ledgerOf(email).unsubscribe("page", "2026-11-26T09:00:00.000Z");
    const at = new Date().toISOString();
    const input = { source: "form" as const, formVersion: "v", ipHash: null };
    expect(await ledgerOf(email).signUp(input, at)).toBe(at);
    await ledgerOf(email).unsubscribe("one-click", at);
    await ledgerOf(email).releaseConfirmation(at);
    expect(await ledgerOf(email).read()).toMatchObject({
      status: "unsubscribed",
      consent: { unsubscribeMethod: "one-click" },
    });
    expect((await ledgerTables(email)).claims).toBe(0);
  });

  it("clears the transient count on a delivery with no KV write, and writes nothing when it is 0", async () => {
    const email = await confirmedInKv("delivered");
    await postWebhook(transientBounce(email));
    const before = await kvSnapshot(env.SUBSCRIBERS);
    await postWebhook(resendEvent("email.delivered", email));
    expect((await ledgerTables(email)).readers[0]?.transientBounces).toBe(0);
    await postWebhook(resendEvent("email.delivered", email));
    expect(await kvSnapshot(env.SUBSCRIBERS)).toBe(before);
  });

  it("adopts an older deploy's transient count, then deletes its KV key", async () => {
    const email = await confirmedInKv("legacy-soft");
    await env.SUBSCRIBERS.put(softBounceKey(email), "2");
    await postWebhook(transientBounce(email));
    expect((await ledgerOf(email).read())?.status).toBe("bounced");
    expect(await env.SUBSCRIBERS.get(softBounceKey(email))).toBeNull();
  });

  it("adopts a suppression an older deploy kept in KV", async () => {
    const email = address("legacy-suppressed");
    const hash = await hashAddress("test-signing-secret", email);
    await env.SUBSCRIBERS.put(
      suppressionKey(hash),
      JSON.stringify({ reason: "complained", at: "2026-01-01T00:00:00.000Z" }),
    );
    await signUp(email);
    expect(await mailTo(email)).toEqual([]);
    expect((await ledgerTables(email)).suppression).toEqual([
      { reason: "complained", at: "2026-01-01T00:00:00.000Z" },
    ]);
  });

  it("erases everything but a suppression row without the address, and records the departure", async () => {
    const email = await confirmedInKv("erased");
    const since = Date.now() - 1;
    await postWebhook(resendEvent("email.complained", email));
    const response = await SELF.fetch(`${BASE}/api/subscribers/${encodeURIComponent(email)}`, {
      method: "DELETE",
      headers: { Authorization: "Bearer alice-test-token" },
    });
    expect(response.status).toBe(204);
    const tables = await ledgerTables(email);
    expect(tables.readers).toEqual([]);
    expect(tables.seenEvents).toEqual([]);
    expect(tables.suppression).toEqual([{ reason: "complained", at: expect.any(String) }]);
    expect(tables.text).not.toContain(email);
    expect(await kvSnapshot(env.SUBSCRIBERS)).not.toContain(email);
    expect(await departedSince(email, since)).toBe(true);
  });
});
