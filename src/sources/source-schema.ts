// What an editor may send for a feed source, and what the sources API answers.
import { z } from "zod";
import { Topic } from "../articles/article-schema";
import { isHttpUrl } from "../articles/canonical-url";

const fields = {
  url: z
    .string()
    .trim()
    .max(2048, "The url is at most 2048 characters.")
    .refine(isHttpUrl, "The url must be an absolute http or https URL."),
  name: z
    .string()
    .transform((name) => name.replace(/\s+/g, " ").trim())
    .pipe(
      z
        .string()
        .min(1, "The name must not be empty.")
        .max(100, "The name is at most 100 characters."),
    )
    .refine(
      (name) => !/[\u0000-\u001F\u007F-\u009F]/.test(name),
      "The name must not contain control characters.",
    ),
  topics: z.array(Topic).max(10, "At most 10 topics."),
  everyMinutes: z
    .number()
    .int("everyMinutes is a whole number.")
    .min(15, "everyMinutes is 15 to 1440.")
    .max(1440, "everyMinutes is 15 to 1440."),
};

export const DEFAULT_EVERY_MINUTES = 60;

/** POST /api/sources. */
export const SourceInput = z.strictObject({
  url: fields.url,
  name: fields.name.optional(),
  topics: fields.topics.optional(),
  everyMinutes: fields.everyMinutes.optional(),
});
export type SourceInput = z.infer<typeof SourceInput>;

/** PATCH /api/sources/:id: any of the same fields but the url, at least one. */
export const SourcePatch = z
  .strictObject({
    name: fields.name.optional(),
    topics: fields.topics.optional(),
    everyMinutes: fields.everyMinutes.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "Send at least one field to change.");
export type SourcePatch = z.infer<typeof SourcePatch>;

/** A source as the API answers it, with its fetch status. */
export const Source = z.object({
  id: z.string(),
  url: z.string(),
  name: z.string(),
  topics: z.array(z.string()),
  everyMinutes: z.number().int(),
  createdAt: z.string(),
  lastFetchAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** What was wrong with the last fetched feed without stopping it (a cut-off document, say). */
  lastWarning: z.string().nullable(),
  itemsLastFetch: z.number().int().nullable(),
  nextFetchAt: z.string(),
  failures: z.number().int(),
});
export type Source = z.infer<typeof Source>;

export const SourceId = z.string().regex(/^[a-z0-9]{16}$/, "No source has this id.");

/** What one fetch of a source did. */
export type FetchReport = {
  status: "fetched" | "not_modified" | "failed" | "busy";
  httpStatus: number | null;
  error: string | null;
  warning: string | null;
  items: number;
  created: number;
  skipped: number;
};
