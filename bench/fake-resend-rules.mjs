// The rules the fake Resend enforces, kept apart from its HTTP plumbing: which addresses it refuses,
// the one team rate limit every endpoint draws from, and faults that last for a period.

// Resend documents 40 MB per email (attachments included) and no limit for a batch; the fake refuses
// any request body above this with 413, and tests lower it (`maxBodyBytes`) to force one.
export const DEFAULT_MAX_BODY_BYTES = 40 * 1024 * 1024;

const MAX_BATCH = 100;

export const INVALID_ADDRESS_MESSAGE =
  "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.";

// Reserved marker: a local part that starts with `invalid` (e.g. `invalid-3@example.com`) is refused
// like a malformed address, so a test can seed one refused reader among valid ones.
const INVALID_MARKER = /^invalid/i;
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[A-Za-z]{2,}$/;

/** `ada@example.com` or `Ada <ada@example.com>`, with a plausible shape and no reserved marker. */
export function isValidAddress(value) {
  if (typeof value !== "string") return false;
  const address = /<([^<>]*)>\s*$/.exec(value)?.[1] ?? value.trim();
  return ADDRESS.test(address) && !INVALID_MARKER.test(address);
}

/** Per-email errors, as Resend's permissive batch answers them: `[{ index, message }]`. */
export function emailErrors(emails) {
  const errors = [];
  emails.forEach((email, index) => {
    const to = [email?.to].flat();
    if (to.length === 0 || !to.every(isValidAddress))
      errors.push({ index, message: INVALID_ADDRESS_MESSAGE });
  });
  return errors;
}

/**
 * Reads a request's emails: `{ emails, errors }`, or `{ invalid }` with the message of a 422. Strict
 * validation (Resend's default) refuses a whole batch for one bad address; permissive lists it in
 * `errors` and the rest are sent.
 */
export function readEmails(raw, { batch, permissive }) {
  let emails;
  try {
    const body = JSON.parse(raw);
    emails = batch ? body : [body];
  } catch {
    emails = undefined;
  }
  if (!Array.isArray(emails)) return { invalid: "The body is not valid JSON for this endpoint." };
  if (batch && (emails.length === 0 || emails.length > MAX_BATCH))
    return { invalid: `A batch holds 1 to ${MAX_BATCH} emails.` };
  const errors = emailErrors(emails);
  if (errors.length > 0 && !permissive) return { invalid: INVALID_ADDRESS_MESSAGE };
  return { emails, errors };
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
  return {
    rateNow,
    /** Takes a token and answers 0, or answers the seconds until one is due. */
    take(faults) {
      const rate = rateNow(faults);
      const now = performance.now();
      // A bucket holds at least one token, or a rate below 1 a second would never let a call through.
      tokens = Math.min(Math.max(1, rate), tokens + ((now - refilledAt) / 1000) * rate);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (1 - tokens) / rate;
    },
  };
}
