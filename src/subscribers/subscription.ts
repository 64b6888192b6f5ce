// The reader's way in and out: sign up, confirm (double opt-in), unsubscribe. The mail is sent here;
// every decision and change is the reader's ReaderLedger's. Each step is idempotent.
import { ApiError } from "../errors";
import { listUnsubscribeHeaders } from "../mail/list-unsubscribe";
import type { Mailer } from "../mail/mailer";
import { renderConfirmEmail, renderWelcomeEmail } from "../../templates/reader-emails";
import { readerLinks } from "./reader-links";
import type { TokenSigner } from "./reader-token";
import type { ReaderLedgers } from "./reader-ledger";
import type { SignUpInput } from "./reader-rules";
import type { Preferences } from "./preferences";

export type ReaderSite = {
  siteTitle: string;
  siteUrl: string;
  mailFrom: string;
  postalAddress: string;
  sendTime: string;
  /** Under personal delivery, a reader's choices in words ("AI, daily at 07:00 Europe/Berlin"). */
  describeChoices?: (preferences: Preferences) => string;
};

export type SubscriptionDeps = {
  /** The one writer of each reader's state. */
  readers: ReaderLedgers;
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
 * whether an address reads Tidings. The reader's ledger decides whether an email may go (at most one
 * per 10 minutes, none to confirmed or suppressed readers) and claims the slot before it is sent; a
 * send that fails releases the claim, so the reader can try again at once.
 */
export async function subscribe(
  deps: SubscriptionDeps,
  input: { email: string } & SignUpInput,
): Promise<"confirmation_sent" | "nothing_to_do"> {
  const ledger = deps.readers(input.email);
  const { source, formVersion, ipHash, preferences, defaultPreferences } = input;
  const claimed = await ledger.signUp(
    {
      source,
      formVersion,
      ipHash,
      ...(preferences ? { preferences } : {}),
      ...(defaultPreferences ? { defaultPreferences } : {}),
    },
    deps.now.toISOString(),
  );
  if (!claimed) return "nothing_to_do";
  if (!(await sendConfirmation(deps, input.email, claimed))) {
    await ledger.releaseConfirmation(claimed);
    throw mailUnavailable();
  }
  return "confirmation_sent";
}

/**
 * The confirmation email of the slot `email`'s ledger claimed at `claimed`; false when the provider
 * would not take it. One idempotency key per claimed slot: sending it again inside the slot (a retried
 * request, a resumed import) cannot deliver a second email.
 */
export async function sendConfirmation(
  deps: Pick<SubscriptionDeps, "mailer" | "signer" | "site" | "now">,
  to: string,
  claimed: string,
): Promise<boolean> {
  const { mailer, signer, site, now } = deps;
  const token = await signer.sign("confirm", to, now);
  const email = renderConfirmEmail({
    siteTitle: site.siteTitle,
    confirmUrl: `${site.siteUrl}/confirm?token=${token}`,
    postalAddress: site.postalAddress,
  });
  const result = await mailer.send(
    { to, from: site.mailFrom, ...email, tags: [{ name: "kind", value: "confirm" }] },
    `confirm:${to}:${claimed}`,
  );
  // 409: this idempotency key was already used in this window, so the email has already gone out.
  return result.ok || result.status === 409;
}

/**
 * POST /confirm: pending -> confirmed, then one welcome email. Repeating it changes nothing. A confirm
 * that reaches the ledger after an unsubscribe finds the reader gone.
 */
export async function confirm(
  deps: SubscriptionDeps,
  email: string,
): Promise<"confirmed" | "gone"> {
  const { mailer, site, now } = deps;
  const ledger = deps.readers(email);
  const result = await ledger.confirm(now.toISOString());
  if (result.outcome === "gone") return "gone";
  if (!result.welcomeFor) return "confirmed";

  const links = readerLinks(site.siteUrl, await deps.signer.sign("unsubscribe", email, now));
  const welcome = renderWelcomeEmail({
    siteTitle: site.siteTitle,
    siteUrl: site.siteUrl,
    sendTime: site.sendTime,
    choices: site.describeChoices?.(result.preferences),
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
    `welcome:${email}:${result.welcomeFor}`,
  );
  // A welcome that could not be sent does not undo the confirmation; the next POST tries it again.
  if (sent.ok) await ledger.recordWelcomeSent(result.welcomeFor, now.toISOString());
  return "confirmed";
}

/** POST /unsubscribe: any subscribed reader -> unsubscribed, and out of any send in flight. */
export async function unsubscribe(
  deps: Pick<SubscriptionDeps, "readers" | "now">,
  email: string,
  method: "page" | "one-click" | "api",
): Promise<void> {
  await deps.readers(email).unsubscribe(method, deps.now.toISOString());
}
