// What an editor may send for an article, and what is stored. Titles and summaries are plain text.
import { z } from "zod";
import { canonicalUrl, isHttpUrl } from "./canonical-url";

// C0/C1 control characters other than the whitespace a summary may hold.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const noControl = (text: string) => !CONTROL.test(text);
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

export const Topic = z
  .string()
  .max(32, "{field} must be at most 32 characters")
  .regex(/^[a-z0-9-]+$/, "{field} must be a slug of a-z, 0-9 and -");

// Spaces and control characters are refused, not quietly encoded or dropped by the URL parser.
const RAW_URL_JUNK = /[\u0000-\u0020\u007F-\u009F\u00A0\u2028\u2029]/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const fields = {
  url: z
    .string()
    .max(2048, "url must be at most 2048 characters")
    .refine((url) => !RAW_URL_JUNK.test(url), "url must not contain spaces or control characters")
    .refine(isHttpUrl, "url must be an absolute http or https URL")
    // Stored in canonical form, which percent-encodes: checked here, so the writer never refuses it.
    .refine(
      (url) => !isHttpUrl(url) || canonicalUrl(url).length <= 2048,
      "url must be at most 2048 characters once non-ASCII characters are percent-encoded",
    ),
  title: z
    .string()
    .refine(noControl, "title must not contain control characters")
    .transform(oneLine)
    .pipe(z.string().min(1, "title is required").max(300, "title must be at most 300 characters")),
  summary: z
    .string()
    .refine(noControl, "summary must not contain control characters")
    .transform((text) => text.trim())
    .pipe(z.string().max(2000, "summary must be at most 2000 characters")),
  source: z
    .string()
    .refine(noControl, "source must not contain control characters")
    .transform(oneLine)
    .pipe(z.string().max(100, "source must be at most 100 characters")),
  topics: z.array(Topic).max(10, "topics must hold at most 10 topics"),
  // A date alone (2024-05-01) means midnight UTC.
  publishedAt: z.preprocess(
    (value) => (typeof value === "string" && DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value),
    z.iso.datetime({
      offset: true,
      message: "publishedAt must be a date (2024-05-01) or ISO 8601 with an offset",
    }),
  ),
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
  "send at least one field to change",
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
