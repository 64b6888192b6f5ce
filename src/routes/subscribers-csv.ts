// Readers as CSV for editors, at /api/subscribers.csv behind bearer auth: GET exports (address,
// status, dates, source; no tokens), POST imports (text/csv; each new reader gets a confirmation).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { importReaders, MAX_IMPORT_ADDRESSES } from "../subscribers/import-readers";
import { addressesFromCsv } from "../subscribers/readers-csv";
import { exportReaders } from "../subscribers/reader-roster";
import type { EditorVariables } from "./editor-auth";
import { MAX_JSON_BODY_BYTES, onInvalid, readTextLimited } from "./json-body";
import { readerDeps } from "../subscribers/reader-deps";

export const ConsentSource = z
  .string({ error: "consentSource is required" })
  .trim()
  .min(1, "consentSource is required")
  .max(100, "consentSource must be at most 100 characters")
  .regex(/^[^\u0000-\u001f\u007f]+$/, "consentSource must not contain control characters");

const ExportQuery = z.strictObject({
  cursor: z.string().max(2048, "cursor must be at most 2048 characters").optional(),
});
const ImportQuery = z.strictObject({ consentSource: ConsentSource });

/** The addresses of a CSV body, or 400 naming the rule. */
export function csvAddresses(text: string): string[] {
  const addresses = addressesFromCsv(text);
  if (addresses.length === 0 || addresses.length > MAX_IMPORT_ADDRESSES) {
    const message = `the CSV must hold 1 to ${MAX_IMPORT_ADDRESSES} addresses`;
    throw new ApiError(400, "invalid_request", message, [{ path: "(body)", message }]);
  }
  return addresses;
}

export const subscriberCsvApi = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/subscribers.csv", zValidator("query", ExportQuery, onInvalid), async (c) => {
    const { store } = readerDeps(c.env);
    const page = await exportReaders(store, c.req.valid("query").cursor ?? null).catch(() => {
      const message = "cursor is not one this API gave out";
      throw new ApiError(400, "invalid_request", message, [{ path: "cursor", message }]);
    });
    // A larger list comes in pages: the next one is named in a Link header.
    if (page.cursor)
      c.header(
        "Link",
        `</api/subscribers.csv?cursor=${encodeURIComponent(page.cursor)}>; rel="next"`,
      );
    c.header("Content-Disposition", 'attachment; filename="readers.csv"');
    return c.body(page.csv, 200, { "Content-Type": "text/csv; charset=utf-8" });
  })

  .post("/subscribers.csv", zValidator("query", ImportQuery, onInvalid), async (c) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "text/csv")
      throw new ApiError(
        415,
        "unsupported_media_type",
        "Send the body as `Content-Type: text/csv`.",
      );
    const text = await readTextLimited(c.req.raw, MAX_JSON_BODY_BYTES);
    const { consentSource } = c.req.valid("query");
    const results = await importReaders(readerDeps(c.env), csvAddresses(text), consentSource);
    return c.json({ results }, 207);
  });
