// The pure transitions ReaderLedger applies: previous record + event -> next record, or null.
import { describe, expect, it } from "vitest";
import * as rules from "../../src/subscribers/reader-rules";
import type { Subscriber } from "../../src/subscribers/subscriber-schema";

const T0 = new Date("2026-11-26T10:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);
const input: rules.SignUpInput = { source: "form", formVersion: "v1", ipHash: null };

const pending = rules.signUp(null, null, "ada@example.com", input, T0)!;
const confirmed = rules.confirm(pending, later(1000))!;
const withStatus = (status: Subscriber["status"]): Subscriber => ({ ...confirmed, status });

describe("signUp", () => {
  it("starts a pending reader with consent and claims the confirmation slot", () => {
    expect(pending).toMatchObject({
      status: "pending",
      confirmationSentAt: T0.toISOString(),
      consent: { signedUpAt: T0.toISOString(), source: "form", confirmedAt: null },
    });
    expect(pending.history.map((e) => e.event)).toEqual(["signed_up", "confirmation_sent"]);
  });

  it("claims no second slot within 10 minutes, and one after", () => {
    expect(rules.signUp(pending, null, pending.email, input, later(9 * 60_000))).toBeNull();
    const again = rules.signUp(pending, null, pending.email, input, later(10 * 60_000));
    expect(again?.confirmationSentAt).toBe(later(10 * 60_000).toISOString());
    expect(again?.consent.signedUpAt).toBe(T0.toISOString());
  });

  it.each(["confirmed", "bounced", "complained", "invalid"] as const)(
    "sends a %s reader nothing",
    (status) => {
      expect(rules.signUp(withStatus(status), null, pending.email, input, later(1e9))).toBeNull();
    },
  );

  it("keeps a bounced, complained or invalid suppression for good, but lets an erased address start afresh", () => {
    for (const reason of ["bounced", "complained", "invalid"] as const)
      expect(rules.signUp(null, { reason, at: "x" }, "a@b.co", input, T0)).toBeNull();
    expect(rules.signUp(null, { reason: "erased", at: "x" }, "a@b.co", input, T0)).not.toBeNull();
  });

  it("starts a fresh consent record for a reader who left", () => {
    const left = rules.unsubscribe(confirmed, "page", later(2000))!;
    const back = rules.signUp(left, null, left.email, input, later(3000))!;
    expect(back.consent).toMatchObject({
      signedUpAt: later(3000).toISOString(),
      confirmedAt: null,
    });
    expect(back.welcomeSentAt).toBeNull();
  });
});

describe("leaving and the provider's word", () => {
  it("confirms only a pending reader", () => {
    expect(confirmed.status).toBe("confirmed");
    expect(rules.confirm(confirmed, later(5000))).toBeNull();
    expect(rules.confirm(rules.unsubscribe(pending, "page", later(1))!, later(2))).toBeNull();
  });

  it("unsubscribes a pending or confirmed reader, and nobody else", () => {
    expect(rules.unsubscribe(confirmed, "one-click", later(5))).toMatchObject({
      status: "unsubscribed",
      consent: { unsubscribeMethod: "one-click" },
    });
    expect(rules.unsubscribe(withStatus("bounced"), "page", later(5))).toBeNull();
  });

  it("marks only a pending or confirmed reader invalid, with a ledger event", () => {
    expect(rules.markInvalid(confirmed, later(5))?.history.at(-1)).toMatchObject({
      event: "invalid",
    });
    expect(rules.markInvalid(withStatus("unsubscribed"), later(5))).toBeNull();
  });

  it("lets a complaint outrank a bounce, and nothing outrank a complaint", () => {
    expect(rules.stopMailing(withStatus("bounced"), "complained", T0)?.status).toBe("complained");
    expect(rules.stopMailing(withStatus("complained"), "bounced", T0)).toBeNull();
    expect(rules.stopMailing(withStatus("invalid"), "bounced", T0)).toBeNull();
  });

  it("counts transient bounces in a row, starting over after 30 days", () => {
    expect(rules.nextTransientCount(0, null, T0)).toBe(1);
    expect(rules.nextTransientCount(2, T0.getTime(), later(1000))).toBe(3);
    expect(rules.nextTransientCount(2, T0.getTime(), later(rules.TRANSIENT_BOUNCE_WINDOW_MS))).toBe(
      1,
    );
  });

  it("departs only a confirmed reader who stops being mailable", () => {
    expect(rules.departs(confirmed, withStatus("unsubscribed"))).toBe(true);
    expect(rules.departs(confirmed, null)).toBe(true);
    expect(rules.departs(pending, rules.unsubscribe(pending, "page", later(1)))).toBe(false);
  });

  it("keeps why an erased address may not be mailed, and no more", () => {
    expect(rules.suppressionAfterErasure(withStatus("invalid"), null, T0).reason).toBe("invalid");
    expect(rules.suppressionAfterErasure(confirmed, null, T0).reason).toBe("erased");
    const kept = { reason: "complained" as const, at: "2020-01-01T00:00:00.000Z" };
    expect(rules.suppressionAfterErasure(withStatus("pending"), kept, T0)).toEqual(kept);
  });
});
