// The parts of a Resend webhook event Tidings reads. Unknown fields are allowed (Resend adds some);
// anything that is not this shape is refused.
import { z } from "zod";

const Tags = z.union([
  z.record(z.string(), z.string()),
  z
    .array(z.object({ name: z.string(), value: z.string() }))
    .transform((tags) => Object.fromEntries(tags.map((t) => [t.name, t.value]))),
]);

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
  }),
});
export type ResendEvent = z.infer<typeof ResendEvent>;

export const recipientsOf = (event: ResendEvent) =>
  [event.data.to ?? []].flat().map((address) => address.trim().toLowerCase());

/** Resend marks a hard bounce `Permanent`; anything else (Transient, Undetermined) is soft. */
export const isPermanentBounce = (event: ResendEvent) =>
  /^(permanent|hard)$/i.test(event.data.bounce?.type ?? "");
