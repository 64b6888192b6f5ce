// What the fake Resend answers, in Resend's own words: every status and error name of the documented
// error table (api-reference/errors; ../shared/resend/README.md), the per-email messages of a
// permissive batch (changelog/batch-validation-modes), and the rate headers sent on every answer
// (api-reference/rate-limit). Kept apart from the HTTP plumbing so the tests can walk the table.

/** `status name` → the message Resend's error page gives for it. */
export const ERROR_TABLE = {
  "400 validation_error": "The request body is not valid: check the field the message names.",
  "400 invalid_idempotency_key": "The key must be between 1-256 chars.",
  "401 missing_api_key": "Missing API key in the authorization header.",
  "401 restricted_api_key": "This API key is restricted to only send emails.",
  "403 invalid_api_key": "API key is invalid.",
  "403 validation_error":
    "The domain is not verified. Please, add and verify your domain on https://resend.com/domains",
  "404 not_found": "The requested endpoint does not exist.",
  "405 method_not_allowed": "Method is not allowed for the requested path.",
  "409 invalid_idempotent_request": "Same idempotency key used with a different request payload.",
  "409 concurrent_idempotent_requests":
    "Same idempotency key used while original request is still in progress.",
  "422 validation_error": "The request contains invalid data.",
  "422 invalid_attachment": "Attachment must have either a `content` or `path`.",
  "422 invalid_from_address":
    "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
  "422 invalid_access": 'Access must be "full_access" | "sending_access".',
  "422 invalid_parameter": "The `id` must be a valid UUID.",
  "422 invalid_region":
    'Region must be "us-east-1" | "eu-west-1" | "sa-east-1" | "ap-northeast-1".',
  "422 missing_required_field": "The request body is missing one or more required fields.",
  "429 rate_limit_exceeded":
    "Too many requests. You can only make 5 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.",
  "429 daily_quota_exceeded": "You have reached your daily email sending quota.",
  "429 monthly_quota_exceeded": "You have reached your monthly email sending quota.",
  "451 security_error": "We may have found a security issue with the request.",
  "500 application_error": "An unexpected error occurred.",
  "500 internal_server_error": "An unexpected error occurred.",
};

/** An error body as Resend sends it: `{ statusCode, name, message }`. */
export function errorBody(status, name, message) {
  const text = message ?? ERROR_TABLE[`${status} ${name}`];
  if (text === undefined) throw new Error(`not in Resend's error table: ${status} ${name}`);
  return { statusCode: status, name, message: text };
}

export const INVALID_ADDRESS_MESSAGE =
  "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.";

// Per-email messages for fields other than the address: Resend's message names the field.
const FIELD_WORDS = {
  tags: "Invalid `tags` field. Tag names and values can only contain ASCII letters, numbers, underscores, or dashes.",
  headers: "Invalid `headers` field. Header names must be valid and values must be strings.",
  subject: "Invalid `subject` field.",
  from: ERROR_TABLE["422 invalid_from_address"],
  attachments: "Attachments are not supported in batch emails.",
  template: "Invalid `template` field. Use `template` or `html`/`text`, not both.",
};

/** The message for an email the spec refuses: a missing field, or the first field found wrong. */
export function fieldMessage(violation) {
  if (violation.keyword === "required" && violation.missing)
    return `The \`${violation.missing}\` field is missing.`;
  const field = violation.path.split("/")[1] ?? "";
  if (field === "" && violation.message.startsWith("attachments")) return FIELD_WORDS.attachments;
  if (field === "" && violation.message.startsWith("`template`")) return FIELD_WORDS.template;
  return FIELD_WORDS[field] ?? `Invalid \`${field || "email"}\` field. ${violation.message}.`;
}

/** The 422's name for a strict batch refused for `violation` (or `address`: a bad `to`). */
export function strictName(violation) {
  if (!violation) return "validation_error";
  if (violation.keyword === "required") return "missing_required_field";
  if (violation.path.startsWith("/from")) return "invalid_from_address";
  if (violation.message.startsWith("attachments")) return "invalid_attachment";
  return "validation_error";
}

/** The injected non-address refusal (fault `fieldErrors`): a real message about a field that is not `to`. */
export const INJECTED_FIELD_MESSAGE = FIELD_WORDS.tags;

/**
 * The headers Resend sends on every answer, from the team limit's state, and `retry-after` on a 429
 * (IETF draft-06 names: ratelimit-limit, ratelimit-remaining, ratelimit-reset in seconds).
 */
export function rateHeaders(state, retryAfterSeconds) {
  return {
    "ratelimit-limit": String(state.limit),
    "ratelimit-remaining": String(state.remaining),
    "ratelimit-reset": String(state.resetSeconds),
    ...(retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
  };
}
