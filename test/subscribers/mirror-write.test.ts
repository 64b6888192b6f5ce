// KV takes one write a second per key (the harness fails a second write within it): a ReaderLedger
// leaves a mirror write due within the second to its alarm instead of holding the call, and that one
// write carries every change made meanwhile. Nothing a reader needs waits for it: the departure and
// the DueIndex are told before the call answers. How long a confirm takes: scripts/confirm-timing.mjs.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReaderLedger } from "../../src/subscribers/reader-ledger";
import { dueIndex } from "../../src/subscribers/due-index";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { BASE } from "../fixtures/api";
import { departedSince, ledgerOf, mirrorOf } from "../fixtures/ledger";
import { linkIn, mailTo, postForm, signUp, textOf, tokenOf } from "../fixtures/reader";
import { postWebhook, resendEvent } from "../fixtures/webhook";

const store = () => createSubscriberStore(env.SUBSCRIBERS);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let n = 0;
const address = (label: string) => `${label}.${++n}@mirror.test`;
const alarmOf = (email: string) =>
  runInDurableObject(ledgerOf(email), (_object: ReaderLedger, state) => state.storage.getAlarm());

async function confirmLink(email: string) {
  await signUp(email);
  const [confirmation] = await mailTo(email);
  return tokenOf(linkIn(confirmation!, "/confirm"));
}

describe("the reader's KV mirror, one write a second", () => {
  it("answers a confirm without waiting for the welcome's mirror write, which the alarm makes within the second", async () => {
    const email = address("confirm");
    const token = await confirmLink(email);
    // The reader opens the email later: the confirm's own mirror write goes out at once.
    await sleep(1100);
    const response = await postForm(`${BASE}/confirm`, { token });
    const answeredAt = Date.now();
    expect(textOf(await response.text())).toContain("You're subscribed");

    // Answered with the ledger confirmed and welcomed, the reader scheduled, and the mirror showing
    // the confirm; the welcome's record (the second write within the second) is the alarm's.
    const kept = await ledgerOf(email).read();
    expect(kept).toMatchObject({ status: "confirmed", welcomeSentAt: expect.any(String) });
    expect(await dueIndex(env).nextFor(email)).not.toBeNull();
    const early = await store().get(email);
    expect(early).toMatchObject({ status: "confirmed", welcomeSentAt: null });
    const alarm = await alarmOf(email);
    expect(alarm).not.toBeNull();
    expect(alarm! - answeredAt).toBeLessThanOrEqual(1000);

    // The mirror ends right, in one more write.
    expect(await mirrorOf(email)).toEqual(kept);
    expect((await mailTo(email)).filter((m) => m.subject.startsWith("Welcome"))).toHaveLength(1);
  });

  it("carries every change made within the second in the one write the alarm makes", async () => {
    const email = address("burst");
    const token = await confirmLink(email);
    // Confirmed, welcomed and gone within the second of the sign-up's mirror write.
    await postForm(`${BASE}/confirm`, { token });
    const leftAt = Date.now();
    await ledgerOf(email).unsubscribe("api", new Date().toISOString());
    // The departure is recorded before the unsubscribe answers, and the DueIndex has let them go.
    expect(await departedSince(email, leftAt - 1000)).toBe(true);
    expect(await dueIndex(env).nextFor(email)).toBeNull();
    expect((await store().get(email))?.status).toBe("pending");

    const mirrored = await mirrorOf(email);
    expect(mirrored).toMatchObject({ status: "unsubscribed", welcomeSentAt: expect.any(String) });
  });

  it("keeps the alarm that prunes event ids when a mirror write borrows it", async () => {
    const email = address("prune");
    await postForm(`${BASE}/confirm`, { token: await confirmLink(email) });
    await mirrorOf(email);
    // A counted webhook event sets the pruning alarm a week out.
    await postWebhook(resendEvent("email.bounced", email, { bounce: { type: "Transient" } }));
    const prune = await alarmOf(email);
    expect(prune! - Date.now()).toBeGreaterThan(6 * 86_400_000);
    // Two changes in a row: the second is within the second of a mirror write, and sets the alarm
    // sooner...
    await ledgerOf(email).setPreferences(
      { topics: null, cadence: "daily", weekday: null, deliveryHour: 9, timeZone: "UTC" },
      new Date().toISOString(),
    );
    await ledgerOf(email).setPreferences(
      { topics: null, cadence: "daily", weekday: null, deliveryHour: 10, timeZone: "UTC" },
      new Date().toISOString(),
    );
    expect((await alarmOf(email))! - Date.now()).toBeLessThanOrEqual(1000);
    // ...and once the mirror is written, the pruning alarm is back.
    expect((await mirrorOf(email))?.preferences?.deliveryHour).toBe(10);
    expect(await alarmOf(email)).toBe(prune);
  });

  it("answers an erasure with the mirror deleted, waiting out KV's second if it must", async () => {
    const email = address("erase");
    const token = await confirmLink(email);
    await postForm(`${BASE}/confirm`, { token });
    expect(await ledgerOf(email).erase(new Date().toISOString())).toBe(true);
    expect(await store().get(email)).toBeNull();
  });
});
