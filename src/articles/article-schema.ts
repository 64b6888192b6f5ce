// What an editor may send for an article, and what is stored. Titles and summaries are plain text.
import { z } from "zod";
import { isHttpUrl } from "./canonical-url";

// C0/C1 control characters other than the whitespace a summary may hold.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const noControl = (text: string) => !CONTROL.test(text);
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

export const Topic = z
  .string()
  .max(32, "A topic is at most 32 characters.")
  .regex(/^[a-z0-9-]+$/, "A topic is a slug of a-z, 0-9 and -.");

const fields = {
  url: z
    .string()
    .trim()
    .max(2048, "The url is at most 2048 characters.")
    .refine(isHttpUrl, "The url must be an absolute http or https URL."),
  title: z
    .string()
    .refine(noControl, "The title must not contain control characters.")
    .transform(oneLine)
    .pipe(
      z.string().min(1, "The title is required.").max(300, "The title is at most 300 characters."),
    ),
  summary: z
    .string()
    .refine(noControl, "The summary must not contain control characters.")
    .transform((text) => text.trim())
    .pipe(z.string().max(2000, "The summary is at most 2000 characters.")),
  source: z
    .string()
    .refine(noControl, "The source must not contain control characters.")
    .transform(oneLine)
    .pipe(z.string().max(100, "The source is at most 100 characters.")),
  topics: z.array(Topic).max(10, "At most 10 topics."),
  publishedAt: z.iso.datetime({
    offset: true,
    message: "publishedAt must be ISO 8601 with an offset.",
  }),
};

/** POST /api/articles: unknown fields are refused rather than silently dropped. */
export const ArticleInput = z.strictObject({
  url: fields.url,
  title: fields.title,
  summary: fields.summary.optional(),
  source: fields.source.optional(),
  topics: fields.topics.optional(),
  publishedAt: fields.publishedAt.optional(),
  /** Pinned articles lead the digest, whatever their coverage. */
  pinned: z.boolean().optional(),
});
export type ArticleInput = z.infer<typeof ArticleInput>;

/** PATCH /api/articles/:id: any of the same fields, at least one. */
export const ArticlePatch = ArticleInput.partial().refine(
  (patch) => Object.keys(patch).length > 0,
  "Send at least one field to change.",
);
export type ArticlePatch = z.infer<typeof ArticlePatch>;

/** An article as stored in KV (and as the API answers it). Parsed on every read. */
export const Article = z.object({
  id: z.string(),
  url: z.string(),
  title: z.string(),
  summary: z.string().nullable(),
  source: z.string(),
  topics: z.array(z.string()),
  publishedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  editor: z.string(),
  // Absent means not pinned (and records written before pinning existed have no such field).
  pinned: z.boolean().optional(),
});
export type Article = z.infer<typeof Article>;
