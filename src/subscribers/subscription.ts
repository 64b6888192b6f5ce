// The reader's way in and out: sign up, confirm (double opt-in), unsubscribe. Each step is idempotent.
import { ApiError } from "../errors";
import { listUnsubscribeHeaders } from "../mail/list-unsubscribe";
import type { Mailer } from "../mail/mailer";
import { renderConfirmEmail, renderWelcomeEmail } from "../../templates/reader-emails";
import { readerLinks } from "./reader-links";
import type { TokenSigner } from "./reader-token";
import { withEvent, type Subscriber } from "./subscriber-schema";
import type { SubscriberStore } from "./subscriber-store";
import type { Suppression } from "./erasure";

// However often the form is sent, an address gets at most one confirmation email per 10 minutes.
export const CONFIRMATION_INTERVAL_MS = 10 * 60 * 1000;

export type ReaderSite = {
  siteTitle: string;
  siteUrl: string;
  mailFrom: string;
  postalAddress: string;
  sendTime: string;
};

export type SubscriptionDeps = {
  store: SubscriberStore;
  /** Why an address with no record may not be mailed (it bounced or complained, then was erased). */
  suppressed: (email: string) => Promise<Suppression | null>;
  mailer: Mailer;
  signer: TokenSigner;
  site: ReaderSite;
  now: Date;
};

function mailUnavailable(): ApiError {
  return new ApiError(
    503,
    "mail_unavailable",
    "We could not send the email just now. Please try again in a few minutes.",
  );
}

/**
 * A sign-up. The caller answers the same whatever happens here, so nobody can learn from the answer
 * whether an address reads Tidings. Confirmed, bounced and complained readers get no email.
 */
export async function subscribe(
  deps: SubscriptionDeps,
  input: {
    email: string;
    source: "form" | "api" | "import";
    formVersion: string;
    ipHash: string | null;
  },
): Promise<"confirmation_sent" | "nothing_to_do"> {
  const { store, mailer, signer, site, now } = deps;
  const previous = await store.get(input.email);
  if (previous && previous.status !== "pending" && previous.status !== "unsubscribed")
    return "nothing_to_do";
  // An erased address starts afresh; one that bounced or complained stays suppressed for good.
  const suppression = previous ? null : await deps.suppressed(input.email);
  if (suppression && suppression.reason !== "erased") return "nothing_to_do";
  const lastSent = previous?.status === "pending" ? previous.confirmationSentAt : null;
  if (lastSent && now.getTime() - Date.parse(lastSent) < CONFIRMATION_INTERVAL_MS)
    return "nothing_to_do";

  const stamp = now.toISOString();
  const token = await signer.sign("confirm", input.email, now);
  const email = renderConfirmEmail({
    siteTitle: site.siteTitle,
    confirmUrl: `${site.siteUrl}/confirm?token=${token}`,
    postalAddress: site.postalAddress,
  });
  // Keyed by the record version we read: two sign-ups racing from the same state send one email.
  const result = await mailer.send(
    { to: input.email, from: site.mailFrom, ...email, tags: [{ name: "kind", value: "confirm" }] },
    `confirm:${input.email}:${previous?.updatedAt ?? `new:${suppression?.at ?? ""}`}`,
  );
  // 409: this idempotency key was already used in this window, so the email has already gone out.
  if (!result.ok && result.status !== 409) throw mailUnavailable();

  // A fresh sign-up (new, or after leaving) starts a fresh consent record; the ledger keeps the past.
  const fresh = !previous || previous.status === "unsubscribed";
  let next: Subscriber = {
    email: input.email,
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
  };
  if (fresh) next = withEvent(next, { at: stamp, event: "signed_up", via: input.source });
  next = withEvent(next, { at: stamp, event: "confirmation_sent" });
  // One write after the send: KV allows one write per second per key.
  await store.put(next, previous);
  return "confirmation_sent";
}

/** Pending or confirmed: a reader who has not left, bounced or complained. */
function isSubscribed(record: Subscriber | null): record is Subscriber {
  return record?.status === "pending" || record?.status === "confirmed";
}

/** POST /confirm: pending → confirmed, and one welcome email. Repeating it changes nothing. */
export async function confirm(
  deps: SubscriptionDeps,
  email: string,
): Promise<"confirmed" | "gone"> {
  const { store, mailer, site, now } = deps;
  const previous = await store.get(email);
  if (!isSubscribed(previous)) return "gone";
  if (previous.status === "confirmed" && previous.welcomeSentAt) return "confirmed";

  const stamp = now.toISOString();
  let next: Subscriber = previous;
  if (previous.status === "pending") {
    next = withEvent(
      { ...previous, status: "confirmed", consent: { ...previous.consent, confirmedAt: stamp } },
      { at: stamp, event: "confirmed" },
    );
  }
  const links = readerLinks(site.siteUrl, await deps.signer.sign("unsubscribe", email, now));
  const welcome = renderWelcomeEmail({
    siteTitle: site.siteTitle,
    siteUrl: site.siteUrl,
    sendTime: site.sendTime,
    links,
    postalAddress: site.postalAddress,
  });
  const sent = await mailer.send(
    {
      to: email,
      from: site.mailFrom,
      ...welcome,
      headers: listUnsubscribeHeaders(links.unsubscribeUrl),
      tags: [{ name: "kind", value: "welcome" }],
    },
    `welcome:${email}:${next.consent.signedUpAt}`,
  );
  // A welcome that could not be sent does not undo the confirmation; the next POST tries it again.
  if (sent.ok)
    next = withEvent({ ...next, welcomeSentAt: stamp }, { at: stamp, event: "welcome_sent" });
  if (next !== previous) await store.put(next, previous);
  return "confirmed";
}

/** POST /unsubscribe: any status → unsubscribed (bounced and complained stay as they are). */
export async function unsubscribe(
  deps: Pick<SubscriptionDeps, "store" | "now">,
  email: string,
  method: "page" | "one-click" | "api",
): Promise<void> {
  const { store, now } = deps;
  const previous = await store.get(email);
  if (!isSubscribed(previous)) return;
  const stamp = now.toISOString();
  const next = withEvent(
    {
      ...previous,
      status: "unsubscribed",
      consent: { ...previous.consent, unsubscribedAt: stamp, unsubscribeMethod: method },
    },
    { at: stamp, event: "unsubscribed", via: method },
  );
  await store.put(next, previous);
}
