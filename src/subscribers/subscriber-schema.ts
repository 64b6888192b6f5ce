// A reader as stored: status, and the consent record that shows when and how they joined and left.
import { z } from "zod";
import { Preferences } from "./preferences";

export const SubscriberStatus = z.enum([
  "pending",
  "confirmed",
  "unsubscribed",
  "bounced",
  "complained",
  /** The provider refused the address as invalid: never mailed again, like bounced. */
  "invalid",
]);
export type SubscriberStatus = z.infer<typeof SubscriberStatus>;

/** An address as typed into a form: trimmed, lower-cased, and a real email shape (no CR/LF). */
export const EmailAddress = z
  .string()
  .trim()
  .max(254, "An email address is at most 254 characters.")
  .toLowerCase()
  .pipe(z.email("Enter a valid email address, like ada@example.com."));

export const ConsentEvent = z.object({
  at: z.string(),
  event: z.enum([
    "signed_up",
    "confirmation_sent",
    "confirmed",
    "welcome_sent",
    "unsubscribed",
    "bounced",
    "complained",
    "invalid",
    /** Brought in with a list from another tool (ReaderLedger.importReader). */
    "imported",
    /** The provider accepted an email to the reader and then could not send it (`email.failed`). */
    "failed",
  ]),
  /** How: `form`, `api`, `import`, `page`, `one-click`, `webhook`, `suppression` (Resend's list). */
  via: z.string().optional(),
  /** On `imported`: the tool or list the reader came from, as the importer named it. */
  source: z.string().optional(),
  /** On `imported`: the importer's statement of where and when the readers confirmed. */
  attestation: z.string().optional(),
  /** What the provider said: `previous_bounce`, `previous_complaint`, `reached_daily_quota`, ... */
  reason: z.string().max(200).optional(),
});
export type ConsentEvent = z.infer<typeof ConsentEvent>;

export const Subscriber = z.object({
  email: z.string(),
  status: SubscriberStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  consent: z.object({
    signedUpAt: z.string(),
    source: z.enum(["form", "api", "import"]),
    formVersion: z.string(),
    /** HMAC of the client IP with SIGNING_SECRET: proof of origin without keeping the address. */
    ipHash: z.string().nullable(),
    confirmedAt: z.string().nullable(),
    unsubscribedAt: z.string().nullable(),
    /** `import`: the list they came with showed them as having left. */
    unsubscribeMethod: z.enum(["page", "one-click", "api", "import"]).nullable(),
  }),
  confirmationSentAt: z.string().nullable(),
  welcomeSentAt: z.string().nullable(),
  /** The consent ledger, oldest first, capped at MAX_HISTORY entries. */
  history: z.array(ConsentEvent),
  /** What and when the reader chose; absent on records from before readers could choose (defaults). */
  preferences: Preferences.optional(),
});
export type Subscriber = z.infer<typeof Subscriber>;

const MAX_HISTORY = 50;

export function withEvent(subscriber: Subscriber, event: ConsentEvent): Subscriber {
  return {
    ...subscriber,
    updatedAt: event.at,
    history: [...subscriber.history, event].slice(-MAX_HISTORY),
  };
}
