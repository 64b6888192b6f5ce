// The rules of a reader's state, as pure transitions: previous record + event -> next record, or null
// for "nothing to do". ReaderLedger applies them one at a time; nothing here does I/O.
import { z } from "zod";
import type { Preferences } from "./preferences";
import { withEvent, type Subscriber } from "./subscriber-schema";

// However often the form is sent, an address gets at most one confirmation email per 10 minutes.
export const CONFIRMATION_INTERVAL_MS = 10 * 60 * 1000;
// A reader with this many transient bounces in a row is treated as bounced.
export const MAX_TRANSIENT_BOUNCES = 3;
// Transient bounces further apart than this are not "in a row" (the old KV counter's TTL).
export const TRANSIENT_BOUNCE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Why an address with no record may not be mailed, kept after erasure without the address. */
export const Suppression = z.object({
  reason: z.enum(["erased", "bounced", "complained", "invalid"]),
  at: z.string(),
});
export type Suppression = z.infer<typeof Suppression>;

export type SignUpInput = {
  source: "form" | "api" | "import";
  formVersion: string;
  ipHash: string | null;
  /** Chosen on the sign-up form or in the JSON body; a repeated sign-up of a pending reader may change them. */
  preferences?: Preferences;
  /** What a reader who chose nothing starts with (the visitor's zone); never replaces earlier choices. */
  defaultPreferences?: Preferences;
};

/** Only a confirmed reader is mailed a digest. */
export const isMailable = (record: Subscriber | null) => record?.status === "confirmed";

/** Pending or confirmed: a reader who has not left, bounced, complained or been refused. */
const isSubscribed = (record: Subscriber | null): record is Subscriber =>
  record?.status === "pending" || record?.status === "confirmed";

/**
 * A sign-up that may send a confirmation email: the record claims the 10-minute slot (its
 * `confirmationSentAt`) before the email goes. Confirmed, bounced, complained and invalid readers get
 * nothing; an address suppressed for a reason other than erasure stays suppressed for good.
 */
export function signUp(
  previous: Subscriber | null,
  suppression: Suppression | null,
  email: string,
  input: SignUpInput,
  now: Date,
): Subscriber | null {
  if (previous && previous.status !== "pending" && previous.status !== "unsubscribed") return null;
  if (!previous && suppression && suppression.reason !== "erased") return null;
  const lastSent = previous?.status === "pending" ? previous.confirmationSentAt : null;
  if (lastSent && now.getTime() - Date.parse(lastSent) < CONFIRMATION_INTERVAL_MS) return null;

  const stamp = now.toISOString();
  // A fresh sign-up (new, or after leaving) starts a fresh consent record; the ledger keeps the past.
  const fresh = !previous || previous.status === "unsubscribed";
  let next: Subscriber = {
    email,
    status: "pending",
    createdAt: previous?.createdAt ?? stamp,
    updatedAt: stamp,
    consent: fresh
      ? {
          signedUpAt: stamp,
          source: input.source,
          formVersion: input.formVersion,
          ipHash: input.ipHash,
          confirmedAt: null,
          unsubscribedAt: null,
          unsubscribeMethod: null,
        }
      : previous.consent,
    confirmationSentAt: stamp,
    welcomeSentAt: fresh ? null : previous.welcomeSentAt,
    history: previous?.history ?? [],
    ...(input.preferences || previous?.preferences || input.defaultPreferences
      ? { preferences: input.preferences ?? previous?.preferences ?? input.defaultPreferences }
      : {}),
  };
  if (fresh) next = withEvent(next, { at: stamp, event: "signed_up", via: input.source });
  return withEvent(next, { at: stamp, event: "confirmation_sent" });
}

/** pending -> confirmed. Null when there is nothing to change (already confirmed, or gone). */
export function confirm(previous: Subscriber | null, now: Date): Subscriber | null {
  if (previous?.status !== "pending") return null;
  const stamp = now.toISOString();
  return withEvent(
    { ...previous, status: "confirmed", consent: { ...previous.consent, confirmedAt: stamp } },
    { at: stamp, event: "confirmed" },
  );
}

/** The welcome for the consent that began at `signedUpAt` went out; a later sign-up's does not count. */
export function welcomeSent(
  previous: Subscriber | null,
  signedUpAt: string,
  now: Date,
): Subscriber | null {
  if (!previous || previous.welcomeSentAt || previous.consent.signedUpAt !== signedUpAt)
    return null;
  const stamp = now.toISOString();
  return withEvent({ ...previous, welcomeSentAt: stamp }, { at: stamp, event: "welcome_sent" });
}

/** Any subscribed reader -> unsubscribed (bounced, complained and invalid stay as they are). */
export function unsubscribe(
  previous: Subscriber | null,
  method: "page" | "one-click" | "api",
  now: Date,
): Subscriber | null {
  if (!isSubscribed(previous)) return null;
  const stamp = now.toISOString();
  return withEvent(
    {
      ...previous,
      status: "unsubscribed",
      consent: { ...previous.consent, unsubscribedAt: stamp, unsubscribeMethod: method },
    },
    { at: stamp, event: "unsubscribed", via: method },
  );
}

/**
 * What the provider said stops all mail: a complaint outranks a bounce, and nothing outranks it.
 * `how`: a suppression by the provider's own list says so (`via: "suppression"`) with its reason.
 */
export function stopMailing(
  previous: Subscriber | null,
  status: "bounced" | "complained",
  now: Date,
  how: { via: "webhook" | "suppression"; reason?: string } = { via: "webhook" },
): Subscriber | null {
  if (!previous || previous.status === status || previous.status === "complained") return null;
  if (status === "bounced" && previous.status === "invalid") return null;
  const stamp = now.toISOString();
  return withEvent(
    { ...previous, status },
    { at: stamp, event: status, via: how.via, ...(how.reason ? { reason: how.reason } : {}) },
  );
}

/**
 * Resend's suppression list holds the address (`email.suppressed`, `suppression.added`): it will
 * not deliver to it, so neither do we. A previous bounce is a hard bounce, a previous complaint a
 * complaint; an address an operator put on the list by hand is treated as a hard bounce.
 */
export function suppressedByProvider(
  previous: Subscriber | null,
  reason: string,
  now: Date,
): Subscriber | null {
  const status = reason === "previous_complaint" ? "complained" : "bounced";
  return stopMailing(previous, status, now, { via: "suppression", reason });
}

/** The provider accepted an email to the reader and could not send it: noted, nothing changes. */
export function noteFailed(previous: Subscriber | null, reason: string, now: Date) {
  if (!previous) return null;
  const stamp = now.toISOString();
  return withEvent(previous, { at: stamp, event: "failed", via: "webhook", reason });
}

/** New preferences for a reader who has a record; null when they are unchanged or there is none. */
export function setPreferences(
  previous: Subscriber | null,
  preferences: Preferences,
  now: Date,
): Subscriber | null {
  if (!previous) return null;
  if (JSON.stringify(previous.preferences ?? null) === JSON.stringify(preferences)) return null;
  return { ...previous, preferences, updatedAt: now.toISOString() };
}

/** The provider refused the address as invalid: only a pending or confirmed reader changes. */
export function markInvalid(previous: Subscriber | null, now: Date): Subscriber | null {
  if (!isSubscribed(previous)) return null;
  const stamp = now.toISOString();
  return withEvent(
    { ...previous, status: "invalid" },
    { at: stamp, event: "invalid", via: "provider" },
  );
}

/** The transient-bounce count after one more, given the last one's time (counts reset after a while). */
export function nextTransientCount(count: number, lastAtMs: number | null, now: Date): number {
  const inARow = lastAtMs !== null && now.getTime() - lastAtMs < TRANSIENT_BOUNCE_WINDOW_MS;
  return (inARow ? count : 0) + 1;
}

/** What an erasure keeps: why the address must never be mailed, or just that it was erased. */
export function suppressionAfterErasure(
  record: Subscriber | null,
  existing: Suppression | null,
  now: Date,
): Suppression {
  const status = record?.status;
  if (status === "bounced" || status === "complained" || status === "invalid")
    return { reason: status, at: now.toISOString() };
  if (existing && existing.reason !== "erased") return existing;
  return { reason: "erased", at: now.toISOString() };
}

/** A reader stops being mailable when they go from confirmed to anything else. */
export const departs = (previous: Subscriber | null, next: Subscriber | null) =>
  isMailable(previous) && !isMailable(next);
