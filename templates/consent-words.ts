// A reader's status and consent record in the words a reader uses: no enum values, form versions or
// raw timestamps ("Signed up on 26 Nov 2026 from the sign-up page").
import type { ConsentEvent, Subscriber } from "../src/subscribers/subscriber-schema";
import { dayInWords, momentInWords } from "./plain-dates";

const STATUS: Record<Subscriber["status"], string> = {
  pending: "is signed up but not confirmed yet: nothing is sent until you confirm",
  confirmed: "is subscribed",
  unsubscribed: "has unsubscribed: we send it nothing",
  bounced: "bounced our email, so we stopped sending to it",
  complained: "marked our email as spam, so we stopped sending to it",
  invalid: "was refused as invalid by our mail provider, so we stopped sending to it",
};

export const statusInWords = (status: Subscriber["status"]) => STATUS[status];

/** Where a sign-up came from: the form's version names the page it sat on. */
function whereFrom(consent: Subscriber["consent"]): string {
  if (consent.source === "api") return "through the API";
  if (consent.source === "import") return "from a list an editor imported";
  if (consent.formVersion.startsWith("archive")) return "from the subscribe box in the archive";
  return "from the sign-up page";
}

const LEFT_HOW: Record<NonNullable<Subscriber["consent"]["unsubscribeMethod"]>, string> = {
  page: "on the unsubscribe page",
  "one-click": "with your email app's unsubscribe button",
  api: "by an editor, at your request",
  import: "before this list moved here",
};

/** The consent record as sentences, oldest first. */
export function consentInWords(consent: Subscriber["consent"]): string[] {
  const lines = [
    `Signed up on ${dayInWords(consent.signedUpAt)} ${whereFrom(consent)}.`,
    consent.confirmedAt ? `Confirmed on ${dayInWords(consent.confirmedAt)}.` : "Not confirmed yet.",
  ];
  if (consent.unsubscribedAt) {
    const how = consent.unsubscribeMethod ? ` ${LEFT_HOW[consent.unsubscribeMethod]}` : "";
    lines.push(`Unsubscribed on ${dayInWords(consent.unsubscribedAt)}${how}.`);
  }
  return lines;
}

const EVENT: Record<ConsentEvent["event"], string> = {
  signed_up: "You signed up",
  confirmation_sent: "We sent the confirmation email",
  confirmed: "You confirmed",
  welcome_sent: "We sent the welcome email",
  unsubscribed: "You unsubscribed",
  bounced: "An email to you bounced",
  complained: "An email to you was marked as spam",
  invalid: "Our mail provider refused the address as invalid",
  imported: "Your subscription moved here with the newsletter's list",
  failed: "An email to you could not be sent",
};

// What the provider said, in words (reasons it gives that are not here are left out).
const REASON: Record<string, string> = {
  previous_bounce: "(an earlier email to this address bounced)",
  previous_complaint: "(an earlier email to this address was marked as spam)",
  manual: "(the address is on our mail provider's do-not-send list)",
  reached_daily_quota: "(we had reached our daily sending limit)",
};

const VIA: Record<string, string> = {
  form: "on a form",
  api: "through the API",
  import: "by import",
  page: "on the unsubscribe page",
  "one-click": "with one click",
  webhook: "as reported by our mail provider",
  suppression: "as reported by our mail provider",
};

/** "26 Nov 2026, 13:05 UTC: You signed up on a form" */
export const eventInWords = (event: ConsentEvent) =>
  `${momentInWords(event.at)}: ${EVENT[event.event]}${event.via && VIA[event.via] ? ` ${VIA[event.via]}` : ""}${event.reason && REASON[event.reason] ? ` ${REASON[event.reason]}` : ""}`;
