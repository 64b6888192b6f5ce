// A compiled digest as stored (its articles frozen as sent), the queue job, and send progress.
import { z } from "zod";
import { Article } from "../articles/article-schema";

export const DigestId = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "A digest id is a UTC date, YYYY-MM-DD.");

export const DigestSection = z.object({
  /** The first topic of its articles, or null for the closing section of untagged articles. */
  topic: z.string().nullable(),
  articles: z.array(Article),
});
export type DigestSection = z.infer<typeof DigestSection>;

export const Digest = z.object({
  id: DigestId,
  /** `compiled` until the send is derived from progress; `skipped` and `held` are final here. */
  status: z.enum(["compiled", "skipped", "held"]),
  heldReason: z.string().nullable().default(null),
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

/** One queue message: one chunk of at most 100 readers, one Resend batch call. */
export const SendJob = z.object({
  digestId: DigestId,
  chunk: z.number().int().nonnegative(),
  recipients: z.array(z.string()).min(1).max(100),
});
export type SendJob = z.infer<typeof SendJob>;

/** Where the fan-out stands; one record per enqueue step, so no key is written twice. */
export const FanOutCheckpoint = z.object({
  nextChunk: z.number().int().nonnegative(),
  recipients: z.number().int().nonnegative(),
  /** KV's cursor for the reader page that holds `lastEmail`, and the last address enqueued. */
  pageCursor: z.string().nullable(),
  lastEmail: z.string().nullable(),
  done: z.boolean(),
  at: z.string(),
  /** When the fan-out began (the first checkpoint's time). */
  startedAt: z.string().optional(),
});
export type FanOutCheckpoint = z.infer<typeof FanOutCheckpoint>;

/** Progress of one consumer invocation, kept in list metadata (under 1,024 bytes) and summed on read. */
export const ProgressMetadata = z.object({
  /** Readers mailed, skipped (left mid-send), failed (dead-lettered). */
  s: z.number().int().nonnegative(),
  k: z.number().int().nonnegative(),
  f: z.number().int().nonnegative(),
  /** The chunk indices this record covers, as ranges: `0-49,51`. */
  c: z.string(),
  at: z.string(),
});
export type ProgressMetadata = z.infer<typeof ProgressMetadata>;

/** A chunk's recipient set, pinned when it differs from the job or after a failed call (see send-jobs.ts). */
export const ChunkPin = z.object({
  recipients: z.array(z.string()),
  /** True when the provider answered an error: nothing was delivered, so a retry may filter again. */
  definitive: z.boolean(),
});
export type ChunkPin = z.infer<typeof ChunkPin>;
