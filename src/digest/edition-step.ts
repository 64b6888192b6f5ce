// One alarm step of an edition's walk over every reader (EditionSend keyed by the digest id): list the
// next KV pages, and record their chunks and the new cursor in one transaction, so a step that dies
// before it is recorded is walked again into the same chunks.
//
// The walk keeps a few seconds ahead of the send, not the whole list ahead: a step lists about
// STEP_SECONDS of sending at RESEND_RATE_PER_SECOND (at most FANOUT_PAGES_PER_STEP pages; the first
// step one page, so the first call goes out within moments, and the second already a full step: the
// consumer invocations that start on it each take several jobs, enough to keep the provider's rate
// while calls wait out their latency), and the next step waits while
// the queue holds more than LEAD_SECONDS of sending. So readers are walked shortly before they are
// mailed (a departure rarely finds its reader already in a walked chunk), the queue's backlog stays
// short, and no step is long enough to hold up the calls beside it.
import { readConfig } from "../env";
import { createSubscriberStore } from "../subscribers/subscriber-store";
import { recordStep } from "./chunk-ledger";
import { walkReaders } from "./walk-readers";

type WalkRow = { page_cursor: string | null; next_chunk: number; steps: number };

// Chunks a KV list page makes at most: 1,000 readers, 100 a chunk.
const CHUNKS_PER_PAGE = 10;
const STEP_SECONDS = 2;
const LEAD_SECONDS = 10;
// A waiting walk looks again within this, however slow the send (paused by a 429, or down).
const MAX_WAIT_MS = 60_000;
const MIN_WAIT_MS = 250;

/** The next step's size in pages, and how long to wait before taking it (0: now). */
export function planStep(
  stepsDone: number,
  backlogChunks: number,
  pagesPerStep: number,
  ratePerSecond: number,
): { pages: number; waitMs: number } {
  const paced = Math.ceil((ratePerSecond * STEP_SECONDS) / CHUNKS_PER_PAGE);
  const pages = stepsDone === 0 ? 1 : Math.max(1, Math.min(pagesPerStep, paced));
  const aheadSeconds = backlogChunks / ratePerSecond - LEAD_SECONDS;
  const waitMs =
    aheadSeconds <= 0 ? 0 : Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, aheadSeconds * 1000));
  return { pages, waitMs: Math.round(waitMs) };
}

function backlogChunks(sql: SqlStorage): number {
  return sql
    .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM chunk WHERE state IN ('new', 'queued')`)
    .one().n;
}

export async function walkEditionStep(
  env: Env,
  ctx: DurableObjectState,
  row: WalkRow,
): Promise<void> {
  const config = readConfig(env);
  const sql = ctx.storage.sql;
  const { pages, waitMs } = planStep(
    row.steps,
    backlogChunks(sql),
    config.FANOUT_PAGES_PER_STEP,
    config.RESEND_RATE_PER_SECOND,
  );
  if (waitMs > 0) {
    await ctx.storage.setAlarm(Date.now() + waitMs);
    return;
  }
  const step = await walkReaders(createSubscriberStore(env.SUBSCRIBERS), row.page_cursor, pages);
  ctx.storage.transactionSync(() =>
    recordStep(sql, row.next_chunk, step.chunks, step.cursor, Date.now()),
  );
  // A continuation: the next step is its own invocation, with its own limits.
  if (step.cursor !== null) await ctx.storage.setAlarm(Date.now());
}
