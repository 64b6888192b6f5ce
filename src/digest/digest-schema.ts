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

export const DigestSection = z.object({
  /** The first topic of its articles, or null for the closing section of untagged articles. */
  topic: z.string().nullable(),
  articles: z.array(DigestItem),
});
export type DigestSection = z.infer<typeof DigestSection>;

export const Digest = z.object({
  id: DigestId,
  /** `compiled` until the send is derived from progress; `skipped` and `held` are final here. */
  status: z.enum(["compiled", "skipped", "held"]),
  heldReason: z.string().nullable().default(null),
  /** The editor's note, plain text, shown above the stories (absent in older records). */
  note: z.string().nullable().optional(),
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
  digestId: DigestId,
  chunk: z.number().int().nonnegative(),
});
export type SendJob = z.infer<typeof SendJob>;
