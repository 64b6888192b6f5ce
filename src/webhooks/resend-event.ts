// The parts of Resend's webhook events Tidings reads (resend.yaml, webhooks; the SDK's event types
// for `suppression.added`). Unknown fields are allowed (Resend adds some); an event of a type we act
// on that is not this shape is refused.
import { z } from "zod";

const Tags = z.union([
  z.record(z.string(), z.string()),
  z
    .array(z.object({ name: z.string(), value: z.string() }))
    .transform((tags) => Object.fromEntries(tags.map((t) => [t.name, t.value]))),
]);

/** Any event: only its type is read before we know we act on it. */
export const AnyEvent = z.looseObject({ type: z.string().min(1).max(64) });

/** `email.*` events: the email, its recipients and tags, and the part of `data` the type adds. */
export const ResendEvent = z.object({
  type: z.string().min(1).max(64),
  created_at: z.string().max(64).optional(),
  data: z.looseObject({
    email_id: z.string().max(128).optional(),
    to: z.union([z.array(z.string().max(320)).max(50), z.string().max(320)]).optional(),
    tags: Tags.optional(),
    bounce: z
      .looseObject({ type: z.string().max(64).optional(), subType: z.string().max(64).optional() })
      .optional(),
    suppressed: z
      .looseObject({ reason: z.string().max(64), type: z.string().max(64).optional() })
      .optional(),
    failed: z.looseObject({ reason: z.string().max(200) }).optional(),
  }),
});
export type ResendEvent = z.infer<typeof ResendEvent>;

/** `suppression.added`: an address put on the account's suppression list, and why. */
export const SuppressionEvent = z.object({
  type: z.literal("suppression.added"),
  data: z.looseObject({
    email: z.string().max(320),
    origin: z.enum(["bounce", "complaint", "manual"]),
  }),
});

export const recipientsOf = (event: ResendEvent) =>
  [event.data.to ?? []].flat().map((address) => address.trim().toLowerCase());

/** Resend marks a hard bounce `Permanent`; anything else (Transient, Undetermined) is soft. */
export const isPermanentBounce = (event: ResendEvent) =>
  /^(permanent|hard)$/i.test(event.data.bounce?.type ?? "");
