// The rules the fake Resend enforces, kept apart from its HTTP plumbing: how it reads a request's
// emails (the spec's schema, then the addresses, then injected refusals), the one team rate limit
// every endpoint draws from, the daily and monthly quotas, and faults that last for a period.
import {
  ERROR_TABLE,
  errorBody,
  fieldMessage,
  INJECTED_FIELD_MESSAGE,
  INVALID_ADDRESS_MESSAGE,
  strictName,
} from "./fake-resend-answers.mjs";
import { parseBody } from "./fake-resend-body.mjs";
import { emailViolations, MAX_BATCH_EMAILS } from "./resend-contract.mjs";

// Resend documents 40 MB per email (attachments included) and no limit for a batch; the fake refuses
// any request body above this with 413, and tests lower it (`maxBodyBytes`) to force one.
export const DEFAULT_MAX_BODY_BYTES = 40 * 1024 * 1024;

// Reserved marker: a local part that starts with `invalid` (e.g. `invalid-3@example.com`) is refused
// like a malformed address, so a test can seed one refused reader among valid ones.
const INVALID_MARKER = /^invalid/i;
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[A-Za-z]{2,}$/;

/** `ada@example.com` or `Ada <ada@example.com>`, with a plausible shape and no reserved marker. */
export function isValidAddress(value, { marker = true } = {}) {
  if (typeof value !== "string") return false;
  const address = /<([^<>]*)>\s*$/.exec(value)?.[1] ?? value.trim();
  return ADDRESS.test(address) && !(marker && INVALID_MARKER.test(address));
}

const recipientsOf = (email) =>
  [email?.to, email?.cc, email?.bcc].flat().filter((to) => typeof to === "string");

/**
 * Reads a request's emails as Resend would. Answers `{ answer }` (an error for the whole request) or
 * `{ emails, errors, violations }`: `errors` are permissive mode's `[{ index, message }]`, and
 * `violations` the spec's rules the request broke (a contract breach by the caller, whatever Resend
 * then answers). Strict validation (the default) refuses the whole batch for one refused email.
 * `refuse(email)`: an injected refusal of a valid email for a field that is not its address.
 */
export function readEmails(raw, { batch, permissive, domains, refuse = () => false, skimAbove }) {
  let emails;
  try {
    const body = parseBody(raw, skimAbove);
    emails = batch ? body : [body];
  } catch {
    return { answer: errorBody(400, "validation_error", "The request body is not valid JSON.") };
  }
  if (!Array.isArray(emails) || emails.some((e) => typeof e !== "object" || e === null))
    return { answer: errorBody(422, "validation_error", "The request body must hold emails.") };
  if (batch && (emails.length === 0 || emails.length > MAX_BATCH_EMAILS))
    return {
      answer: errorBody(422, "validation_error", `A batch holds 1 to ${MAX_BATCH_EMAILS} emails.`),
      violations: [
        `body: a batch holds 1 to ${MAX_BATCH_EMAILS} emails, this one ${emails.length}`,
      ],
    };
  const errors = [];
  const violations = [];
  let strict = null;
  emails.forEach((email, index) => {
    const broken = emailViolations(email, { batch });
    let refusal = null;
    if (broken.length > 0) {
      violations.push(...broken.map((v) => `body/${index}${v.path}: ${v.message}`));
      refusal = { message: fieldMessage(broken[0]), name: strictName(broken[0]) };
    } else if (!isValidAddress(email.from, { marker: false })) {
      const message = ERROR_TABLE["422 invalid_from_address"];
      refusal = { message, name: "invalid_from_address" };
    } else if (
      recipientsOf(email).length === 0 ||
      !recipientsOf(email).every((to) => isValidAddress(to))
    ) {
      refusal = { message: INVALID_ADDRESS_MESSAGE, name: "validation_error" };
    } else if (refuse(email)) {
      refusal = { message: INJECTED_FIELD_MESSAGE, name: "validation_error" };
    }
    if (!refusal) return;
    errors.push({ index, message: refusal.message });
    strict ??= refusal;
  });
  if (domains && emails.length > 0) {
    const from = String(emails[0].from ?? "");
    const domain = (/<([^<>]*)>\s*$/.exec(from)?.[1] ?? from).split("@")[1]?.toLowerCase();
    if (!domains.includes(domain))
      return {
        answer: errorBody(
          403,
          "validation_error",
          `The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
        ),
        violations,
      };
  }
  if (strict && !permissive)
    return { answer: errorBody(422, strict.name, strict.message), violations };
  return { emails, errors, violations };
}

/** Emails a request spends from the quotas: each To, CC and BCC recipient counts. */
export const quotaCost = (emails) => emails.reduce((n, email) => n + recipientsOf(email).length, 0);

/**
 * The account's quotas: `daily` emails a quota day (a UTC day unless `dayMs` shortens it for scaled
 * time: days are counted from the epoch, so 86,400,000 ms days begin at 00:00 UTC) and `monthly`
 * emails in all. Free plans have both; paid plans only a monthly one (knowledge-base/account-quotas).
 */
export function createQuota({ daily, monthly, dayMs = 86_400_000 } = {}) {
  let day = -1;
  let usedToday = 0;
  let usedThisMonth = 0;
  const roll = (nowMs) => {
    const today = Math.floor(nowMs / dayMs);
    if (today !== day) {
      day = today;
      usedToday = 0;
    }
  };
  return {
    /** The refusal for `cost` more emails now, or null when they fit. */
    refusal(cost, nowMs = Date.now()) {
      roll(nowMs);
      if (daily !== undefined && usedToday + cost > daily) return "daily_quota_exceeded";
      if (monthly !== undefined && usedThisMonth + cost > monthly) return "monthly_quota_exceeded";
      return null;
    },
    spend(cost, nowMs = Date.now()) {
      roll(nowMs);
      usedToday += cost;
      usedThisMonth += cost;
    },
    /** When the current quota day ends (epoch ms). */
    dayEndsAt: (nowMs = Date.now()) => (Math.floor(nowMs / dayMs) + 1) * dayMs,
    state: (nowMs = Date.now()) => (roll(nowMs), { usedToday, usedThisMonth, daily, monthly }),
  };
}

/**
 * Turns the relative fault periods into absolute ones when the faults are set:
 * `outageForMs` → `outageUntil`, `limitForMs` → `limitUntil` (epoch ms).
 */
export function resolveFaults(next = {}, nowMs = Date.now()) {
  const faults = { ...next };
  if (faults.outageForMs !== undefined) faults.outageUntil = nowMs + faults.outageForMs;
  if (faults.limitForMs !== undefined) faults.limitUntil = nowMs + faults.limitForMs;
  return faults;
}

/** The status every call gets during an outage, or 0 when the provider is up. */
export function outageStatus(faults, nowMs = Date.now()) {
  return faults.outageUntil !== undefined && nowMs < faults.outageUntil
    ? (faults.outageStatus ?? 503)
    : 0;
}

/**
 * One token bucket for the whole team, as Resend counts: /emails and /emails/batch draw from it
 * alike. While `faults.limitRate` is in force (until `limitUntil`, or for good without one), the
 * provider allows that rate instead of the configured one.
 */
export function createTeamLimit(configuredRate) {
  let tokens = configuredRate;
  let refilledAt = performance.now();
  const rateNow = (faults, nowMs = Date.now()) =>
    faults.limitRate !== undefined && (faults.limitUntil === undefined || nowMs < faults.limitUntil)
      ? faults.limitRate
      : configuredRate;
  const refill = (rate) => {
    const now = performance.now();
    // A bucket holds at least one token, or a rate below 1 a second would never let a call through.
    tokens = Math.min(Math.max(1, rate), tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
  };
  return {
    rateNow,
    /** Takes a token and answers 0, or answers the seconds until one is due. */
    take(faults) {
      const rate = rateNow(faults);
      refill(rate);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (1 - tokens) / rate;
    },
    /** The `ratelimit-*` headers' values now: the limit, whole calls left, seconds until full. */
    state(faults) {
      const rate = rateNow(faults);
      refill(rate);
      const capacity = Math.max(1, rate);
      return {
        limit: Math.round(capacity),
        remaining: Math.floor(tokens),
        resetSeconds: Math.ceil((capacity - tokens) / rate),
      };
    },
  };
}
