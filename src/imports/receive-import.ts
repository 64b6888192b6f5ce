// An import as it arrives over HTTP (the API and the desk): a multipart form whose fields come
// before the file, the whole body maybe sent with a Content-Encoding. The fields are checked before a
// byte of the file is stored; the file streams into its ListImport.
import { readConfig, type AppEnv } from "../env";
import { csvLine } from "../subscribers/readers-csv";
import { ApiError, notFound, type ErrorIssue } from "../errors";
import { decodedRequestBody, decodingError } from "../routes/json-body";
import { parseTopics } from "../subscribers/preferences";
import { resolveImportOptions, type ImportOptionsInput } from "./import-options";
import { importKeys, type ImportKeyMetadata } from "./import-keys";
import type { ImportProgress, ListImport } from "./list-import";
import { multipartBoundary, multipartParts, MultipartError, partText } from "./multipart-stream";
import { MAX_IMPORT_BYTES, uploadImport } from "./upload-import";

const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 20;

export const importStub = (
  env: Pick<AppEnv, "IMPORTS">,
  id: string,
): DurableObjectStub<ListImport> => env.IMPORTS.get(env.IMPORTS.idFromName(id));

/**
 * Receives an import. `readOptions` turns the fields sent before the file into the options (the API
 * sends one JSON `options` field, the desk a field each); it throws a 400 naming what is wrong.
 */
export async function receiveImport(
  request: Request,
  env: AppEnv,
  readOptions: (fields: Map<string, string>) => ImportOptionsInput,
  now = new Date(),
): Promise<ImportProgress> {
  const boundary = multipartBoundary(request.headers.get("Content-Type"));
  if (!boundary)
    throw new ApiError(
      415,
      "unsupported_media_type",
      "Send the import as multipart/form-data: an `options` field, then the `file`.",
    );
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_IMPORT_BYTES + MAX_FIELDS * MAX_FIELD_BYTES)
    throw new ApiError(413, "payload_too_large", "The upload is larger than 100 MB.");
  const body = decodedRequestBody(request, MAX_IMPORT_BYTES + MAX_FIELDS * MAX_FIELD_BYTES);
  if (!body) throw invalid("file", "the form has no file");
  const fields = new Map<string, string>();
  try {
    for await (const part of multipartParts(body, boundary)) {
      if (part.filename === null) {
        if (fields.size >= MAX_FIELDS) throw invalid("(body)", "the form has too many fields");
        fields.set(part.name, await partText(part, MAX_FIELD_BYTES));
        continue;
      }
      if (part.name !== "file") throw invalid(part.name, `send the export in a field named "file"`);
      const resolved = resolveImportOptions(
        readOptions(fields),
        parseTopics(readConfig(env).TOPICS),
      );
      if (!resolved.ok) throw invalidIssues(resolved.issues);
      return await uploadImport(
        { imports: env.IMPORTS, kv: env.SUBSCRIBERS, now },
        { body: part.body, name: part.filename || "export.csv" },
        resolved.options,
      );
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof MultipartError)
      throw invalid("(body)", `The form data is malformed: ${error.message}.`);
    throw decodingError(error);
  }
  throw invalid(
    "file",
    'the form has no file: send the export in a field named "file" after the options',
  );
}

const invalid = (path: string, message: string) => invalidIssues([{ path, message }]);
const invalidIssues = (issues: ErrorIssue[]) =>
  new ApiError(400, "invalid_request", issues.map((issue) => issue.message).join("; "), issues);

/** The import `id` names and its progress, or 404 for anything that is not one. */
export async function findImport(env: Pick<AppEnv, "IMPORTS">, id: string) {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) throw notFound("No import has this id.");
  const stub = importStub(env, id);
  // Only an object with no import is "not found": an error reaching it is not the editor's, and
  // answering 404 for a running import would tell them it is gone.
  const progress = await stub.progress();
  if (!progress) throw notFound("No import has this id.");
  return { stub, progress: { ...progress } };
}

/** The most recent imports, newest first, with their progress (one list call, one call each). */
export async function recentImports(env: AppEnv, limit: number): Promise<ImportProgress[]> {
  const page = await env.SUBSCRIBERS.list<ImportKeyMetadata>({ prefix: importKeys.prefix, limit });
  const found: ImportProgress[] = [];
  // One at a time: a handful of calls, and a request may hold only 6 connections.
  for (const key of page.keys) {
    const progress = await importStub(env, importKeys.idOf(key.name))
      .progress()
      .catch(() => null);
    if (progress) found.push({ ...progress });
  }
  return found;
}

/** The refused rows as CSV (row, address as given, reason), read from the import a page at a time. */
export function refusedCsv(stub: DurableObjectStub<ListImport>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after = 0;
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        return controller.enqueue(encoder.encode("row,email,reason\r\n"));
      }
      const rows = await stub.refusedRows(after, 5000);
      if (rows.length === 0) return controller.close();
      after = rows.at(-1)!.row;
      controller.enqueue(
        encoder.encode(
          rows.map((row) => csvLine([String(row.row), row.input, row.reason])).join(""),
        ),
      );
    },
  });
}
