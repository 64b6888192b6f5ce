// The contract every request Tidings makes to Resend must keep, derived from Resend's own OpenAPI
// spec (bench/resend/resend.yaml, MIT, resend/resend-openapi) by ajv, plus the limits Resend
// documents in prose that the spec does not encode (each cited below; ../shared/resend/README.md).
// The fake Resend checks every request with it, and the workerd tests check every request their
// fetch spies capture (test/contract/contract-server.mjs): a request the spec refuses fails the test.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { parse } from "yaml";

const spec = parse(readFileSync(new URL("./resend/resend.yaml", import.meta.url), "utf8"));

// OpenAPI 3.1 schemas are JSON Schema 2020-12. `strict: false` lets ajv pass over the spec's
// annotations (`example`, `format: binary`); formats are annotations here, not checks.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: "resend.yaml", components: spec.components });

// What the spec leaves to prose, as schemas of their own:
// - Tag: "It can only contain ASCII letters (a–z, A–Z), numbers (0–9), underscores (_), or dashes
//   (-). It can contain no more than 256 characters." (the spec's own Tag descriptions);
// - a batch holds 1 to 100 emails and no attachments (api-reference/emails/send-batch-emails);
// - `template` replaces `html` and `text`; at most 50 variables, keys of at most 50 characters,
//   string values of at most 2,000 characters (dashboard/templates);
// - `headers` are email header fields: RFC 5322 names, values on one line.
const TAG_TEXT = { type: "string", pattern: "^[A-Za-z0-9_-]+$", maxLength: 256 };
const DOCUMENTED = {
  type: "object",
  properties: {
    tags: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "value"],
        properties: { name: TAG_TEXT, value: TAG_TEXT },
      },
    },
    headers: {
      type: "object",
      propertyNames: { pattern: "^[!-9;-~]+$" },
      additionalProperties: { type: "string", pattern: "^[^\\r\\n]*$" },
    },
    template: {
      type: "object",
      properties: {
        variables: {
          type: "object",
          maxProperties: 50,
          propertyNames: { maxLength: 50 },
          additionalProperties: { not: { type: "string", minLength: 2001 } },
        },
      },
    },
  },
  if: { required: ["template"] },
  then: { not: { anyOf: [{ required: ["html"] }, { required: ["text"] }] } },
};
const IN_BATCH = { not: { required: ["attachments"] } };
export const MAX_BATCH_EMAILS = 100;

const sendEmail = ajv.compile({
  allOf: [{ $ref: "resend.yaml#/components/schemas/SendEmailRequest" }, DOCUMENTED],
});
const batchEmail = ajv.compile({
  allOf: [{ $ref: "resend.yaml#/components/schemas/SendEmailRequest" }, DOCUMENTED, IN_BATCH],
});

// The prose rules' own words where ajv's would say only "must NOT be valid".
const RULE_WORDS = [
  [/^#\/allOf\/2\/not$/, "attachments are not allowed in a batch"],
  [/^#\/allOf\/1\/then\/not$/, "`template` replaces `html` and `text`: send one or the other"],
  [/^#\/allOf\/1\/if$/, null],
];
const ruleWords = (e) => {
  const rule = RULE_WORDS.find(([pattern]) => pattern.test(e.schemaPath));
  return rule ? rule[1] : e.message;
};
const sentences = (errors, prefix) =>
  (errors ?? []).flatMap((e) => {
    const words = ruleWords(e);
    return words === null ? [] : [`${prefix}${e.instancePath || ""}: ${words}`];
  });

/**
 * One email against the spec's SendEmailRequest and the documented limits: `[]` when it keeps them,
 * otherwise `{ path, keyword, message }` for each broken rule (path like `/tags/0/value`).
 */
export function emailViolations(email, { batch }) {
  const validate = batch ? batchEmail : sendEmail;
  if (validate(email)) return [];
  return validate.errors
    .map((e) => ({
      path: e.instancePath,
      keyword: e.keyword,
      missing: e.params?.missingProperty,
      message: ruleWords(e),
    }))
    .filter((e) => e.message !== null);
}

// Request headers the API defines for these operations, and what any HTTP client adds on its way.
const API_HEADERS = new Set([
  "authorization",
  "content-type",
  "user-agent",
  "idempotency-key",
  "x-batch-validation",
]);
const TRANSPORT_HEADERS = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "accept",
  "accept-encoding",
  "accept-language",
  "sec-fetch-mode",
  "transfer-encoding",
]);

/** The spec's operation for `method path`, or null (`/emails/{email_id}` matches `/emails/abc`). */
export function operationFor(method, path) {
  const pathname = path.split("?")[0];
  for (const [template, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (pattern.test(pathname) && item[method.toLowerCase()])
      return { template, operation: item[method.toLowerCase()] };
  }
  return null;
}

/** What is wrong with the request's headers: names, the bearer scheme, the key's length, the mode. */
export function headerViolations(method, path, headers, operation) {
  const violations = [];
  const declared = new Set(
    (operation.parameters ?? []).filter((p) => p.in === "header").map((p) => p.name.toLowerCase()),
  );
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    const platform = lower.startsWith("cf-") || lower.startsWith("mf-");
    if (
      !API_HEADERS.has(lower) &&
      !TRANSPORT_HEADERS.has(lower) &&
      !declared.has(lower) &&
      !platform
    )
      violations.push(`header ${name}: not a header Resend's API defines`);
  }
  const get = (name) =>
    headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name)];
  // securitySchemes.bearerAuth: `Authorization: Bearer <key>`.
  if (!/^Bearer \S+$/.test(get("authorization") ?? ""))
    violations.push(
      "header Authorization: must be `Bearer <API key>` (securitySchemes.bearerAuth)",
    );
  // Requests without a User-Agent are refused (api-reference/introduction).
  if (!get("user-agent")) violations.push("header User-Agent: required");
  const key = get("idempotency-key");
  if (key !== undefined) {
    if (!declared.has("idempotency-key"))
      violations.push(`header Idempotency-Key: not accepted by ${method} ${path}`);
    // The spec says maxLength 256; the docs say 1 to 256 characters (invalid_idempotency_key).
    if (key.length < 1 || key.length > 256)
      violations.push(`header Idempotency-Key: must be 1 to 256 characters, is ${key.length}`);
  }
  const mode = get("x-batch-validation");
  if (mode !== undefined && (path !== "/emails/batch" || !["strict", "permissive"].includes(mode)))
    violations.push(
      "header x-batch-validation: `strict` or `permissive`, on POST /emails/batch only",
    );
  return violations;
}

/**
 * Every rule the request breaks, as sentences (empty: it keeps the contract). `body` is the parsed
 * JSON or the raw text; `headers` a plain object of the request's headers.
 */
export function requestViolations({ method, path, headers, body }) {
  const found = operationFor(method, path);
  if (!found) return [`${method} ${path}: not an operation of Resend's API`];
  const violations = headerViolations(method, path, headers, found.operation);
  const schema = found.operation.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return violations;
  let json = body;
  if (typeof body === "string") {
    try {
      json = JSON.parse(body);
    } catch {
      return [...violations, "body: not JSON"];
    }
  }
  if (found.template === "/emails/batch") {
    if (!Array.isArray(json)) return [...violations, "body: must be an array of emails"];
    if (json.length < 1 || json.length > MAX_BATCH_EMAILS)
      violations.push(
        `body: a batch holds 1 to ${MAX_BATCH_EMAILS} emails, this one ${json.length}`,
      );
    json.forEach((email, i) => {
      if (!batchEmail(email)) violations.push(...sentences(batchEmail.errors, `body/${i}`));
    });
    return violations;
  }
  if (found.template === "/emails") {
    if (!sendEmail(json)) violations.push(...sentences(sendEmail.errors, "body"));
    return violations;
  }
  const validate = ajv.compile(schema.$ref ? { $ref: `resend.yaml${schema.$ref}` } : schema);
  if (!validate(json)) violations.push(...sentences(validate.errors, "body"));
  return violations;
}

/** The documented webhook event types: the spec's `webhooks` section. */
export const SPEC_WEBHOOK_TYPES = Object.keys(spec.webhooks ?? {});
