// Request-body rules shared by every JSON route: media type (415), size (413), syntax (400), schema (400).
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import type { z } from "zod";

type ZodFailure = z.core.$ZodError;
import {
  BodyTooLargeError,
  capStream,
  decodeBody,
  readCappedBody,
  UnsupportedCodingError,
} from "../read-capped-body";
import { ApiError, type ErrorIssue } from "../errors";

export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** Reads a body, stopping as soon as it passes `maxBytes` (a missing Content-Length cannot dodge it). */
export async function readTextLimited(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  const tooLarge = () =>
    new ApiError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  if (declared > maxBytes) throw tooLarge();
  const bytes = await readCappedBody(decodedRequestBody(request, maxBytes), maxBytes).catch(
    (error: unknown) => {
      if (error instanceof BodyTooLargeError) return null;
      throw undecodable();
    },
  );
  if (bytes === null) throw tooLarge();
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid UTF-8.");
  }
}

const undecodable = () =>
  new ApiError(
    400,
    "invalid_encoding",
    "The request body could not be decoded as its Content-Encoding says.",
  );

/**
 * The request body as decoded from its `Content-Encoding` (gzip, deflate, br), with the cap applied to
 * the body as sent and again as decoded (a small gzip may hold gigabytes). An unknown coding is a 415
 * naming it: a body is never read as plain when it says it is not.
 */
export function decodedRequestBody(
  request: Request,
  maxBytes: number,
): ReadableStream<Uint8Array> | null {
  try {
    return decodeBody(
      capStream(request.body, maxBytes),
      request.headers.get("Content-Encoding"),
      maxBytes,
    );
  } catch (error) {
    if (!(error instanceof UnsupportedCodingError)) throw error;
    throw new ApiError(415, "unsupported_content_encoding", error.message);
  }
}

/** A stream decoding failed: too large (413) or not what its coding says (400). */
export function decodingError(error: unknown): ApiError {
  if (error instanceof BodyTooLargeError)
    return new ApiError(413, "payload_too_large", "The request body is too large.");
  return undecodable();
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

const KINDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
};

// zod's own messages start like this; a schema's own message (written in plain words) is kept.
const ZOD_DEFAULT = /^(Invalid|Too (big|small)|Unrecognized key)/;

type RawIssue = ZodFailure["issues"][number] & Record<string, unknown>;

/**
 * One issue in plain words that name the field and the rule: "title is required", "limit must be
 * between 1 and 100". A schema message may start with `{field}`, filled in here with the path.
 */
export function plainMessage(issue: RawIssue, field: string): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message.replaceAll("{field}", field);
  const unit = (origin: unknown) =>
    origin === "string" ? " characters" : origin === "array" ? " items" : "";
  switch (issue.code) {
    case "invalid_type":
      // zod leaves the input out of an issue; its own message says what was received.
      if (issue.input === undefined && /received undefined$/.test(issue.message))
        return `${field} is required`;
      return `${field} must be ${KINDS[String(issue.expected)] ?? String(issue.expected)}`;
    case "too_big":
      return `${field} must be at most ${String(issue.maximum)}${unit(issue.origin)}`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return `${field} is required`;
      return `${field} must be at least ${String(issue.minimum)}${unit(issue.origin)}`;
    case "unrecognized_keys": {
      const keys = (issue.keys as string[]) ?? [];
      return `${keys.join(", ")} ${keys.length === 1 ? "is not a known field" : "are not known fields"}${field === "(body)" ? "" : ` of ${field}`}`;
    }
    case "invalid_value":
      return `${field} must be one of ${((issue.values as unknown[]) ?? []).map(String).join(", ")}`;
    case "invalid_format":
      return `${field} must be ${issue.format === "email" ? "an email address" : `a valid ${String(issue.format)}`}`;
    default:
      return `${field} is not valid`;
  }
}

export function issuesOf(error: ZodFailure): ErrorIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(body)";
    return { path, message: plainMessage(issue as RawIssue, path) };
  });
}

/** The error for a schema failure: its message is the issues' messages, in plain words. */
export function invalidRequest(issues: ErrorIssue[]): ApiError {
  const message = issues.map((issue) => issue.message).join("; ") || "The request is not valid.";
  return new ApiError(400, "invalid_request", message, issues);
}

/** zValidator hook: a schema failure is the caller's error, 400 `invalid_request`, naming each field. */
export function onInvalid(
  result: { success: true } | { success: false; error: ZodFailure },
  _c: Context,
): void {
  if (!result.success) throw invalidRequest(issuesOf(result.error));
}
