// One step of an edition's walk over the readers: up to N list pages of KV (1,000 readers a page,
// status in metadata, no record read), cut into chunks of at most 100 confirmed readers.
import { MAX_BATCH_EMAILS } from "../mail/mailer";
import type { SubscriberStore } from "../subscribers/subscriber-store";

// KV lists may be up to 60 s stale: a reader who left in the minute before a walk can still be
// listed as confirmed. So a claim of an edition's chunk skips whoever left since this long before
// its digest was compiled: the list's 60 s, plus a mirror write that waited out KV's second or was
// retried by its ledger's alarm (10 s), plus room for clocks. The cost: a reader who left and came
// back within these two minutes misses that edition.
export const STALE_LIST_MS = 2 * 60 * 1000;

// Workers allow 1,000 KV operations per invocation; the budget is 500. A step never lists
// more pages than this, whatever FANOUT_PAGES_PER_STEP says.
export const MAX_PAGES_PER_STEP = 400;

export type WalkStep = {
  chunks: string[][];
  /** Where the next step lists from; null when the walk is done. */
  cursor: string | null;
  pages: number;
};

/**
 * Lists from `cursor` (null: the first page). A chunk never spans two steps, so a step that died
 * before it was recorded is walked again from the same cursor into the very same chunks.
 */
export async function walkReaders(
  readers: SubscriberStore,
  cursor: string | null,
  pagesPerStep: number,
): Promise<WalkStep> {
  const limit = Math.max(1, Math.min(pagesPerStep, MAX_PAGES_PER_STEP));
  const chunks: string[][] = [];
  let current: string[] = [];
  let next = cursor;
  let pages = 0;
  do {
    const page = await readers.listPage(next);
    pages++;
    for (const reader of page.readers) {
      if (reader.status !== "confirmed") continue;
      current.push(reader.email);
      if (current.length === MAX_BATCH_EMAILS) {
        chunks.push(current);
        current = [];
      }
    }
    next = page.cursor;
  } while (next !== null && pages < limit);
  if (current.length > 0) chunks.push(current);
  return { chunks, cursor: next, pages };
}
