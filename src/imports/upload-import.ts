// An uploaded export, read as a stream into its ListImport: decompressed if it is gzip, read as
// UTF-8 CSV, its format recognised from the header row, and its rows stored a few thousand a call.
// Nothing is imported until the whole file is stored; a file refused half-way is dropped.
import { newArticleId as newUlid } from "../articles/article-id";
import { ApiError } from "../errors";
import { BodyTooLargeError, capStream } from "../read-capped-body";
import { createCsvRecords, CsvShapeError } from "./csv-records";
import { exportFormat, type ExportFormat, type ExportRow } from "./export-formats";
import type { ImportOptions } from "./import-options";
import { importKeys, IMPORT_KEY_TTL_SECONDS, type ImportKeyMetadata } from "./import-keys";
import type { ImportProgress } from "./list-import";

export const MAX_IMPORT_ROWS = 500_000;
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
// Rows sent to the object a call: 5,000 plain rows are ~1 MB of JSON, and 500,000 rows 100 calls of
// the 1,000 subrequests a request may make. Rows heavy with tags go in smaller calls.
const APPEND_ROWS = 5_000;
const APPEND_CHARS = 1_000_000;

export type UploadDeps = {
  imports: DurableObjectNamespace<import("./list-import").ListImport>;
  kv: KVNamespace;
  now: Date;
};

const refused = (message: string, status: 400 | 413 = 400) =>
  new ApiError(status, status === 413 ? "payload_too_large" : "invalid_file", message, [
    { path: "file", message },
  ]);

/** The file's bytes, gunzipped if they start with gzip's magic number (a `.csv.gz` upload). */
async function plainBytes(file: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = file.getReader();
  const first = await reader.read();
  const head = first.value ?? new Uint8Array();
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.byteLength > 0) controller.enqueue(head);
      if (first.done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  return gzipped ? rest.pipeThrough(new DecompressionStream("gzip")) : rest;
}

export async function uploadImport(
  deps: UploadDeps,
  file: { body: ReadableStream<Uint8Array>; name: string },
  options: ImportOptions,
): Promise<ImportProgress> {
  const id = newUlid(deps.now.getTime());
  const stub = deps.imports.get(deps.imports.idFromName(id));
  const text = capStream(await plainBytes(file.body), MAX_IMPORT_BYTES)!.pipeThrough(
    new TextDecoderStream("utf-8", { fatal: true }),
  );
  const csv = createCsvRecords();
  let format: ExportFormat | null = null;
  let rowNumber = 0;
  let batch: ExportRow[] = [];
  let batchChars = 0;
  let begun = false;

  const take = async (records: string[][]) => {
    for (const cells of records) {
      rowNumber++;
      if (!format) {
        const found = exportFormat(cells, {
          tool: options.tool ?? undefined,
          tagColumns: options.tagColumns,
        });
        if ("error" in found) throw refused(`This file cannot be imported: ${found.error}.`);
        format = found;
        await stub.begin({
          id,
          options,
          fileName: file.name,
          tool: found.tool,
          nowIso: deps.now.toISOString(),
        });
        begun = true;
        continue;
      }
      if (rowNumber - 1 > MAX_IMPORT_ROWS)
        throw refused(
          `The file has more than ${MAX_IMPORT_ROWS} rows: split it and import each part.`,
          413,
        );
      const row = format.read(cells, rowNumber, deps.now);
      batch.push(row);
      batchChars += 100 + ("tags" in row ? row.tags.join("").length : 0);
      if (batch.length >= APPEND_ROWS || batchChars >= APPEND_CHARS) {
        await stub.append(batch);
        batch = [];
        batchChars = 0;
      }
    }
  };

  try {
    const reader = text.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      await take(csv.push(value));
    }
    if (csv.open) throw refused("The file ends inside a quoted cell: it is cut short or not CSV.");
    await take(csv.end());
    if (!format) throw refused("The file is empty.");
    if (batch.length > 0) await stub.append(batch);
  } catch (error) {
    if (begun) await stub.abandon(error instanceof Error ? error.message : "the upload failed");
    if (error instanceof ApiError) throw error;
    if (error instanceof BodyTooLargeError)
      throw refused(
        `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB (as uncompressed).`,
        413,
      );
    if (error instanceof CsvShapeError)
      throw refused(`This file is not a CSV export: ${error.message}.`);
    if (error instanceof TypeError)
      throw refused(
        "The file is not UTF-8 text (or not valid gzip): save the export as UTF-8 CSV.",
      );
    throw error;
  }
  const metadata: ImportKeyMetadata = {
    fileName: file.name.slice(0, 200),
    createdAt: deps.now.toISOString(),
  };
  await deps.kv.put(importKeys.import(id, deps.now.getTime()), "", {
    metadata,
    expirationTtl: IMPORT_KEY_TTL_SECONDS,
  });
  return stub.seal(deps.now.toISOString());
}
