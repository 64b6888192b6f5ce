// Request-body rules shared by every JSON route: media type (415), size (413), syntax (400), schema (400).
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import type { z } from "zod";

type ZodFailure = z.core.$ZodError;
import { ApiError, type ErrorIssue } from "../errors";

export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** Reads a body, stopping as soon as it passes `maxBytes` (a missing Content-Length cannot dodge it). */
export async function readTextLimited(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  const tooLarge = () =>
    new ApiError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid UTF-8.");
  }
}

const unsupportedMediaType = () =>
  new ApiError(415, "unsupported_media_type", "Send the body as `Content-Type: application/json`.");

/**
 * For POST, PUT and PATCH: the body must be JSON, at most `maxBytes`, and parse. The request is
 * rebuilt around the text already read, so the zod validator that follows can read it again.
 */
export const jsonBody = (maxBytes = MAX_JSON_BODY_BYTES, options: { optional?: boolean } = {}) =>
  createMiddleware(async (c, next) => {
    if (!["POST", "PUT", "PATCH"].includes(c.req.method)) return next();
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
    // An optional body may be left out entirely; it then reads as `{}`.
    // Read through the same size limit: a body without a Content-Type is still refused (415).
    if (options.optional && !c.req.header("Content-Type")) {
      if ((await readTextLimited(c.req.raw, maxBytes)) !== "") throw unsupportedMediaType();
      c.req.raw = new Request(c.req.raw.url, {
        method: c.req.method,
        body: "{}",
        headers: { "Content-Type": "application/json" },
      });
      return next();
    }
    if (mediaType !== "application/json") throw unsupportedMediaType();
    const text = await readTextLimited(c.req.raw, maxBytes);
    try {
      JSON.parse(text);
    } catch {
      throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
    }
    c.req.raw = new Request(c.req.raw, { body: text });
    await next();
  });

export function issuesOf(error: ZodFailure): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** zValidator hook: a schema failure is the caller's error, 400 `invalid_request`, naming each field. */
export function onInvalid(
  result: { success: true } | { success: false; error: ZodFailure },
  _c: Context,
): void {
  if (!result.success) {
    throw new ApiError(400, "invalid_request", "The request is not valid.", issuesOf(result.error));
  }
}
