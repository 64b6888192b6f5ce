// A compiled digest as stored (its articles frozen as sent), and the queue job.
import { z } from "zod";
import { Article } from "../articles/article-schema";

export const DigestId = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "A digest id is a UTC date, YYYY-MM-DD.");

/**
 * One item of a digest: a story's lead article, with the story's other sources ("Also") and how many
 * distinct sources covered it. Digests compiled before stories carry neither.
 */
export const DigestItem = Article.extend({
  also: z.array(z.object({ source: z.string(), url: z.string() })).optional(),
  sources: z.number().int().positive().optional(),
});
export type DigestItem = z.infer<typeof DigestItem>;

/**
 * A run slot of the personal send: the UTC quarter-hour a cron run sends in, `YYYY-MM-DDTHHMM`
 * (letters and digits only, so it can be a provider tag). Its send has one owner, like an edition.
 */
export const SlotId = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{4}$/, "A slot id is YYYY-MM-DDTHHMM.");
export const slotIdFor = (instant: Date) => instant.toISOString().slice(0, 16).replace(":", "");
export const slotMsOf = (slotId: string) =>
  Date.parse(`${slotId.slice(0, 13)}:${slotId.slice(13)}:00Z`);
export const isSlotId = (id: string) => SlotId.safeParse(id).success;

/** What one owner sends: a day's edition (everyone, the full digest) or a run slot (readers due). */
export const SendUnitId = z.union([DigestId, SlotId]);

export const DigestSection = z.object({
  /** The first topic of its articles, or null for the closing section of untagged articles. */
  topic: z.string().nullable(),
  articles: z.array(DigestItem),
});
export type DigestSection = z.infer<typeof DigestSection>;

export const Digest = z.object({
  /** A date for the day's digest; a slot id for a slot's pool of articles (never archived). */
  id: SendUnitId,
  /** `compiled` until the send is derived from progress; `skipped` and `held` are final here. */
  status: z.enum(["compiled", "skipped", "held"]),
  heldReason: z.string().nullable().default(null),
  /** The editor's note, plain text, shown above the stories (absent in older records). */
  note: z.string().nullable().optional(),
  /** "No. 42": published digests before it plus one, counted at compile (absent in older records). */
  issueNumber: z.number().int().positive().optional(),
  title: z.string(),
  subject: z.string(),
  /** The window: articles created after `windowStart` and at or before `cutoff`. */
  windowStart: z.string(),
  cutoff: z.string(),
  sections: z.array(DigestSection),
  articleCount: z.number().int(),
  /** The web version, rendered once at compile time, so the archive shows exactly what was sent. */
  webHtml: z.string(),
  createdAt: z.string(),
  /** A slot's pool only: the archived day's digest its emails link to. */
  archiveId: DigestId.nullable().optional(),
});
export type Digest = z.infer<typeof Digest>;

/** Archive index metadata: enough to list digests and find the last cutoff with no record read. */
export const DigestIndexMetadata = Digest.pick({
  id: true,
  status: true,
  heldReason: true,
  articleCount: true,
  subject: true,
  windowStart: true,
  cutoff: true,
});
export type DigestIndexMetadata = z.infer<typeof DigestIndexMetadata>;

/**
 * One queue message: one chunk of an edition. Its owner (EditionSend) holds who is in it, so no
 * message names a reader. Older messages also carried `recipients`; they are ignored.
 */
export const SendJob = z.object({
  digestId: SendUnitId,
  chunk: z.number().int().nonnegative(),
});
export type SendJob = z.infer<typeof SendJob>;
