// A fake Resend on loopback, for the fault tests and the benchmark, built from Resend's spec and
// documented errors (bench/resend/resend.yaml; ../shared/resend/README.md), not from our code. It
// answers POST /emails and POST /emails/batch as the API does: every status and error name of the
// error table (fake-resend-answers.mjs), rate headers on every answer, idempotency keys (replay,
// 409 for another payload or a key still in progress), strict and permissive batch validation with
// per-email errors for the address or any other field, a team rate limit, daily and monthly quotas,
// latency (a fixed part plus a part per MB of request body), outages and injected faults. Every
// request is checked against the spec (bench/resend-contract.mjs): a breach is recorded, and the
// harness fails the run on it.
import { crc32 } from "node:zlib";
import { errorBody, rateHeaders } from "./fake-resend-answers.mjs";
import { serveOnLoopback } from "./fake-resend-http.mjs";
import {
  answerOf,
  COUNTERS,
  createKeys,
  createEventSink,
  createRecord,
  emailEvent,
  suppressionOf,
} from "./fake-resend-record.mjs";
import {
  createQuota,
  createTeamLimit,
  DEFAULT_MAX_BODY_BYTES,
  outageStatus,
  quotaCost,
  readEmails,
  resolveFaults,
} from "./fake-resend-rules.mjs";
import { SKIM_ABOVE } from "./fake-resend-body.mjs";
import { headerViolations, operationFor } from "./resend-contract.mjs";

const SEND_PATHS = new Set(["/emails", "/emails/batch"]);

// Every answer's latency unless told otherwise: 300 ms for Resend to take a call in and answer,
// plus 150 ms per MB of body to carry it there (a batch of 100 emails of 35 KB: about 0.83 s).
// Why these numbers: docs/proof-at-scale.md, "Latency".
export const DEFAULT_LATENCY_MS = 300;
export const DEFAULT_LATENCY_MS_PER_MB = 150;

/**
 * Options and faults are listed in docs/proof-at-scale.md. In short: latencyMs + latencyMsPerMB ×
 * request MB is how long every answer takes (the emails are taken in on arrival; the key stays in
 * progress until the answer); dailyQuota per quota day (quotaDayMs, a UTC day unless shortened for
 * scaled time) and monthlyQuota; keepEmails: the last N emails kept whole; onEvent: where webhook
 * events go (`email.suppressed` for the `suppressed` share of accepted emails).
 * @param {{ apiKey?: string, restrictedApiKey?: string, ratePerSecond?: number, seed?: number,
 *   latencyMs?: number, latencyMsPerMB?: number, dailyQuota?: number, monthlyQuota?: number,
 *   quotaDayMs?: number, domains?: string[], keepEmails?: number, maxBodyBytes?: number,
 *   faults?: object, onEvent?: (event: object) => Promise<unknown> }} options
 */
export async function startFakeResend(options = {}) {
  const apiKey = options.apiKey ?? "re_fake_key";
  const domains = options.domains;
  let faults = resolveFaults(options.faults);
  const maxBodyBytes = () => faults.maxBodyBytes ?? options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // A seeded generator, so a run's faults can be replayed.
  let state = (options.seed ?? 42) >>> 0;
  const random = () =>
    (state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x6d2b79f5) >>> 0) / 4294967296;
  const teamLimit = createTeamLimit(options.ratePerSecond ?? 5);
  let quota = createQuota({
    daily: options.dailyQuota,
    monthly: options.monthlyQuota,
    dayMs: options.quotaDayMs,
  });
  // Who the fake said Resend suppressed (email.suppressed events): few, so kept whole.
  const suppressedTo = [];
  const keys = createKeys();
  const record = createRecord({ keepEmails: options.keepEmails ?? 0 });
  const counts = Object.fromEntries(COUNTERS.map((name) => [name, 0]));
  const events = createEventSink();
  let quotaSpentDayEnd = 0;
  let callsThisStop = 0;
  const fake = { onEvent: options.onEvent };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const emit = (event) => events.emit(fake.onEvent, event, () => counts.events++);

  function deliver(emails, batch, errors, permissive, key) {
    const refused = new Set(errors.map((e) => e.index));
    const accepted = emails.filter((_, i) => !refused.has(i));
    quota.spend(quotaCost(accepted));
    const ids = record.deliver(accepted, key);
    accepted.forEach((email, i) => {
      if (random() >= (faults.suppressed ?? 0)) return;
      suppressedTo.push(...[email.to].flat());
      const suppressed = suppressionOf(random() < 1 / 3);
      emit(emailEvent("email.suppressed", email, `fake_${ids.first + i}`, { suppressed }));
    });
    counts.accepted++;
    counts.rejectedEmails += errors.length;
    // `errors` is in the answer in permissive mode only (changelog/batch-validation-modes).
    return answerOf(ids, batch, permissive ? errors : undefined);
  }

  /** Every answer waits out the latency, carries the rate headers, and says what it is. */
  async function answer(res, started, bytes, status, body, extraHeaders = {}) {
    // The rate headers say what the team's limit was when the call was checked, on its arrival.
    const rate = rateHeaders(teamLimit.state(faults));
    const fixed = faults.latencyMs ?? options.latencyMs ?? DEFAULT_LATENCY_MS;
    const perMB = ((options.latencyMsPerMB ?? DEFAULT_LATENCY_MS_PER_MB) * bytes) / 1_000_000;
    const wait = fixed + perMB - (Date.now() - started);
    if (wait > 0) await sleep(wait);
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      ...rate,
      ...extraHeaders,
    });
    res.end(text);
  }

  /**
   * Who may call what, in the order Resend checks: key, route, headers, size, outage. `body` is read
   * before the first wait (the server reuses it for the next request).
   */
  async function handle(req, res, body, bytes) {
    const started = Date.now();
    const send = (status, body, headers) => answer(res, started, bytes, status, body, headers);
    const fail = (status, name, message, headers) =>
      send(status, errorBody(status, name, message), headers);
    counts.requests++;
    // Calls after the first quota answer of a stop, the most in any one stop.
    if (quotaSpentDayEnd > started)
      counts.callsAfterQuota = Math.max(counts.callsAfterQuota, ++callsThisStop);
    const path = req.url.split("?")[0];
    const request = `${req.method} ${path}`;
    const found = operationFor(req.method, path);
    if (!found) counts.violations += record.violate([`not an operation of Resend's API`], request);
    else
      counts.violations += record.violate(
        headerViolations(req.method, path, req.headers, found.operation),
        request,
      );
    const auth = req.headers.authorization;
    const sending = req.method === "POST" && SEND_PATHS.has(path);
    if (!auth) return (counts.unauthorized++, fail(401, "missing_api_key"));
    if (options.restrictedApiKey && auth === `Bearer ${options.restrictedApiKey}`) {
      if (!sending) return (counts.unauthorized++, fail(401, "restricted_api_key"));
    } else if (auth !== `Bearer ${apiKey}`)
      return (counts.unauthorized++, fail(403, "invalid_api_key"));
    if (!SEND_PATHS.has(path)) return fail(404, "not_found");
    if (!sending) return fail(405, "method_not_allowed");
    if (!req.headers["user-agent"])
      return fail(403, "validation_error", "Missing `user-agent` header.");
    if (bytes > maxBodyBytes()) {
      counts.tooLarge++;
      return send(413, {
        statusCode: 413,
        name: "request_too_large",
        message: "The request body is too large.",
      });
    }
    const down = outageStatus(faults);
    if (down) {
      counts.outage++;
      return send(down, {
        statusCode: down,
        name: "application_error",
        message: "An unexpected error occurred.",
      });
    }
    // Judged at once; only a small reply waits out the latency (a parsed batch kept alive through
    // it, 67 calls in flight at 35 KB emails, would be 230 MB for the garbage collector to mark).
    const judged = judge(req, body, path, send, fail, request);
    return judged?.reply ? accepted(req, judged, send) : judged;
  }

  /** An accepted request's answer (or, as a fault, none), and then its key's answer is kept. */
  async function accepted(req, { reply, key, bodyHash, roll }, send) {
    // The other half of the drops: delivered, but the answer never arrives.
    if (roll < (faults.drop ?? 0)) {
      if (key !== undefined) keys.accept(key, bodyHash, reply);
      return (counts.dropped++, req.socket.destroy());
    }
    if (random() < (faults.slow ?? 0)) await sleep(faults.slowMs ?? 1000);
    await send(200, reply);
    if (key !== undefined) keys.accept(key, bodyHash, reply);
  }

  /**
   * A sending request past the gate: forced answers, the rate limit, the emails, keys, quota. An
   * answer already on its way, or `{ reply, key, bodyHash, roll }` for emails accepted.
   */
  function judge(req, body, path, send, fail, request) {
    const forced = faults.answer;
    if (forced && (forced.count ?? Infinity) > 0) {
      if (forced.count !== undefined) forced.count--;
      counts.forced++;
      return fail(forced.status, forced.name);
    }
    const roll = random();
    if (roll < (faults.drop ?? 0) / 2) return (counts.dropped++, req.socket.destroy());
    const retryIn = teamLimit.take(faults);
    if (retryIn > 0 || random() < (faults.error429 ?? 0)) {
      counts[retryIn > 0 ? "rateLimited" : "injected429"]++;
      const retryAfter = String(Math.max(1, Math.ceil(retryIn)));
      return fail(429, "rate_limit_exceeded", undefined, { "retry-after": retryAfter });
    }
    const batch = path === "/emails/batch";
    const key = req.headers["idempotency-key"];
    if (key !== undefined && (key.length < 1 || key.length > 256))
      return fail(400, "invalid_idempotency_key");
    const permissive = batch && req.headers["x-batch-validation"] === "permissive";
    const refuse = () => random() < (faults.fieldErrors ?? 0) && (counts.fieldRefused++, true);
    // Tests that keep emails whole read every body whole; the bench skims the big ones.
    const skimAbove = (options.keepEmails ?? 0) > 0 ? undefined : SKIM_ABOVE;
    const read = readEmails(body, { batch, permissive, domains, refuse, skimAbove });
    counts.violations += record.violate(read.violations ?? [], request);
    if (read.answer) return (counts.invalid++, send(read.answer.statusCode, read.answer));
    const { emails, errors } = read;
    const poisoned = emails.some((e) => [e.to].flat().some((to) => faults.poison?.includes(to)));
    if (poisoned || random() < (faults.error500 ?? 0))
      return (counts.injected500++, fail(500, "internal_server_error"));
    // A fingerprint of the bytes tells "same payload" from "another payload" (length and CRC-32:
    // about 4 µs per 35 KB email, a fifth of sha1's; collisions do not matter to a fake).
    const bodyHash = key === undefined ? "" : `${body.length}:${crc32(body)}`;
    if (key !== undefined) {
      const earlier = keys.get(key);
      if (earlier?.pending)
        return (counts.inProgress++, fail(409, "concurrent_idempotent_requests"));
      if (earlier && earlier.bodyHash !== bodyHash)
        return (counts.conflicts++, fail(409, "invalid_idempotent_request"));
      if (earlier) return (counts.replayed++, send(200, earlier.answer));
      if (random() < (faults.inProgress ?? 0)) {
        // An earlier request with this key is still running: it ends later, failed or accepted.
        keys.begin(key, bodyHash);
        setTimeout(() => {
          const failed = random() < (faults.inProgressFails ?? 0.5);
          if (failed || quota.refusal(quotaCost(emails))) keys.release(key);
          else keys.accept(key, bodyHash, deliver(emails, batch, errors, permissive, key));
        }, faults.inProgressMs ?? 300);
        return (counts.inProgress++, fail(409, "concurrent_idempotent_requests"));
      }
    }
    const refused = new Set(errors.map((e) => e.index));
    const spent = quota.refusal(quotaCost(emails.filter((_, i) => !refused.has(i))));
    if (spent) {
      counts.quotaRefused++;
      if (quotaSpentDayEnd <= Date.now()) callsThisStop = 0;
      quotaSpentDayEnd = quota.dayEndsAt();
      // retry-after is the rate window's, as on every 429: it says nothing about the quota.
      return fail(429, spent, undefined, { "retry-after": "1" });
    }
    if (key !== undefined) keys.begin(key, bodyHash);
    return { reply: deliver(emails, batch, errors, permissive, key), key, bodyHash, roll };
  }

  const server = await serveOnLoopback(handle, maxBodyBytes);

  return Object.assign(fake, {
    url: server.url,
    apiKey,
    counts,
    /** The quotas now: { usedToday, usedThisMonth, daily, monthly }. */
    quotaState: () => quota.state(),
    /** New quotas from now (the day's count starts again), e.g. for the next scenario. */
    setQuota({ daily, monthly }) {
      quota = createQuota({ daily, monthly, dayMs: options.quotaDayMs });
    },
    /** Recipients of the `email.suppressed` events emitted. */
    suppressedTo: () => [...suppressedTo],
    /** Replaces the faults; `outageForMs` and `limitForMs` count from now. */
    setFaults(next) {
      faults = resolveFaults(next);
    },
    /**
     * Forgets deliveries and counts for the next scenario on the same fake; idempotency keys and
     * contract breaches stay (a breach fails the run, whichever scenario made it).
     */
    reset() {
      record.reset();
      suppressedTo.length = 0;
      quotaSpentDayEnd = 0;
      for (const name of COUNTERS) if (name !== "violations") counts[name] = 0;
    },
    /** Deliveries per recipient; duplicates are readers with more than one. */
    perReader: record.perReader,
    /** Emails delivered in each whole second since the fake started. */
    perSecond: record.perSecond,
    totals: record.totals,
    duplicateTrace: record.duplicateTrace,
    lastEmails: record.lastEmails,
    /** Requests that broke Resend's contract: examples (all are counted in `counts.violations`). */
    violations: record.violations,
    /** Every webhook event emitted so far has been handled. */
    eventsSettled: events.settled,
    /** Nothing to fetch in this thread (bench/fake-resend-thread.mjs fetches its numbers). */
    refresh: async () => {},
    /** Seconds this thread spent in the fake's handlers (bench/fake-resend-http.mjs). */
    handlerSeconds: server.handlerSeconds,
    close: server.close,
  });
}
