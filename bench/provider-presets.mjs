// Bench presets for Resend's answers (`npm run bench -- --faults quota`): what the fake does, in
// scaled time, and what a run checks after it. Each ends with every reader mailed exactly once or
// listed failed with a reason, nobody wrongly suppressed or marked invalid, and no limit crossed.
//   quota         the daily quota is 40% of the readers; a quota day lasts twice the time that quota
//                 takes to send, so the send stops twice and carries on each next quota day
//   field-errors  5% of emails refused for a field other than the address (failed, listed)
//   in-progress   5% of first calls answered 409 concurrent_idempotent_requests (an earlier call
//                 with the key runs 500 ms more, then half of them fail and half are accepted)
//   suppressed    email.suppressed webhooks for 1% of readers during the send
// bench/run.mjs's `every` puts all of these together with its own `all`.

export const PROVIDER_PRESETS = {
  quota: { quotaShare: 0.4 },
  "field-errors": { faults: { fieldErrors: 0.05 } },
  "in-progress": { faults: { inProgress: 0.05, inProgressMs: 500, inProgressFails: 0.5 } },
  suppressed: { faults: { suppressed: 0.01 } },
};

/** Whether a preset's setup has Resend answer as above (its runs are checked by providerOutcome). */
export const answersResend = (setup) =>
  Boolean(
    setup.quotaShare ||
    setup.faults?.fieldErrors ||
    setup.faults?.inProgress ||
    setup.faults?.suppressed,
  );

// An invocation's connections (src/mail/connection-gate.ts): with latency, they bound the rate.
const CONNECTIONS = 6;

/**
 * The fake's quota options for a run of `readers` at `rate` calls a second, `latencyMs` a call and
 * `consumers` invocations at once (none without a quota): a quota day twice as long as sending the
 * day's quota takes, so each day's quota is spent before the day ends and the send waits for the next.
 */
export function quotaOptions(setup, readers, rate, latencyMs = 0, consumers = 1) {
  if (!setup.quotaShare) return {};
  const callsPerSecond = Math.min(rate, (consumers * CONNECTIONS) / (latencyMs / 1000 + 0.5));
  const quotaCalls = (setup.quotaShare * readers) / 100;
  return {
    dailyQuota: Math.round(setup.quotaShare * readers),
    quotaDayMs: Math.max(2000, Math.round((2 * quotaCalls * 10) / callsPerSecond) * 100),
  };
}

/** Waits for the next quota day to begin, so a run's quota counts from its first email. */
export async function atNextQuotaDay(quotaDayMs) {
  if (!quotaDayMs) return;
  await new Promise((resolve) => setTimeout(resolve, quotaDayMs - (Date.now() % quotaDayMs) + 20));
}

/**
 * After the drain: the status once every webhook event landed, who was listed failed, who is no
 * longer confirmed without Resend having said so, and who was neither mailed nor listed.
 */
export async function providerOutcome(harness, id, emails, left = new Set()) {
  await harness.fake.eventsSettled();
  await harness.fake.refresh();
  const status = await harness.status(id);
  const listed = new Set(await harness.failedReaders(id));
  const suppressed = new Set(harness.fake.suppressedTo());
  const { notConfirmed } = await harness.countReaders();
  const perReader = harness.fake.perReader();
  return {
    status,
    listedFailed: listed.size,
    suppressed: suppressed.size,
    // Readers who left mid-send are not confirmed either, nor owed their email.
    wronglySuppressed: notConfirmed.filter(
      (reader) => !suppressed.has(reader.email) && !left.has(reader.email),
    ).length,
    missing: emails.filter(
      (email) => !perReader.has(email) && !listed.has(email) && !left.has(email),
    ).length,
  };
}

export const PROVIDER_HEADER = `| date | cores | readers N | rate/s | preset | latency ms | runs | wall s (median) | floor s | calls / 1k readers | most calls after a quota answer | failed, listed with a reason | suppressed by Resend | wrongly suppressed or invalid | duplicates | missing | limits crossed |`;

/** The row of a preset's runs: medians for time and calls, the worst run for everything counted. */
export function providerRow(results, options, row) {
  const worst = (pick) => Math.max(...results.map(pick));
  const run = results[0];
  return `| ${run.date} | ${run.cores} | ${options.readers} | ${options.rate} | ${options.preset} | ${options.latencyMs ?? 0} | ${options.runs} | ${row.wall.toFixed(2)} | ${row.floor.toFixed(2)} | ${row.calls.toFixed(1)} | ${worst((r) => r.fake.callsAfterQuota)} | ${worst((r) => r.provider.listedFailed)} | ${worst((r) => r.provider.suppressed)} | ${worst((r) => r.provider.wronglySuppressed)} | ${row.duplicates} | ${row.missing} | ${row.violations} |`;
}
