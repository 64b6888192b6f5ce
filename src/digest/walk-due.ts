// One step of a run slot's walk: pages of the readers the DueIndex hands this slot (no KV at all),
// cut into chunks of at most 100. The DueIndex hands readers in schedule and address order, which
// mixes every selection in every chunk; the step's readers are put in selection order first (a
// stable sort, so the same pages always make the same chunks), so a chunk's emails share one or two
// selections' bodies and choices rather than dozens, and a consumer isolate renders only its own
// chunks' selections, not all of the slot's.
// A reader whose selection holds fewer than DIGEST_MIN_ARTICLES gets no email: skipped.
import { MAX_BATCH_EMAILS } from "../mail/mailer";
import { readPage, type DueReader, type HandedPage } from "../subscribers/due-index";
import type { Digest } from "./digest-schema";
import { selectionCount, selectionKey } from "./slot-pool";

export type DueSource = {
  pageJson(slot: string, slotMs: number, cursor: string, limit: number): Promise<HandedPage>;
};

export type DueStep = {
  chunks: DueReader[][];
  skipped: number;
  /** Where the next step pages from; null when the slot has no more readers. */
  cursor: string | null;
};

// Readers a page: 1,000, like a KV list page, so FANOUT_PAGES_PER_STEP means the same thing.
const READERS_PER_PAGE = 1000;

export async function walkDue(
  source: DueSource,
  pool: Digest,
  cursor: string,
  pages: number,
  rules: { maxArticles: number; minArticles: number },
): Promise<DueStep> {
  const slotMs = Date.parse(pool.cutoff);
  const counts = new Map<string, number>();
  const kept: { reader: DueReader; key: string }[] = [];
  let skipped = 0;
  // How many articles each distinct selection holds, counted once a step.
  const countOf = (key: string, preferences: DueReader["preferences"]) => {
    let count = counts.get(key);
    if (count === undefined) {
      count = selectionCount(pool, preferences, rules.maxArticles);
      counts.set(key, count);
    }
    return count;
  };
  let next = cursor;
  let done = false;
  for (let i = 0; i < Math.max(1, pages) && !done; i++) {
    const page = readPage(await source.pageJson(pool.id, slotMs, next, READERS_PER_PAGE));
    if (page.done) {
      done = true;
      continue;
    }
    // A page's readers with the same choice share one object: its selection is looked up once.
    const byChoice = new Map<DueReader["preferences"], { key: string; count: number }>();
    for (const reader of page.readers) {
      let choice = byChoice.get(reader.preferences);
      if (choice === undefined) {
        const key = selectionKey(reader.preferences, slotMs);
        choice = { key, count: countOf(key, reader.preferences) };
        byChoice.set(reader.preferences, choice);
      }
      if (choice.count === 0 || choice.count < rules.minArticles) skipped++;
      else kept.push({ reader, key: choice.key });
    }
    next = page.cursor;
  }
  // A chunk never spans two steps, so a step that died before it was recorded is walked again into
  // the very same chunks (the DueIndex answers the same readers for the same cursor, and the sort
  // is stable).
  kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const chunks: DueReader[][] = [];
  for (let at = 0; at < kept.length; at += MAX_BATCH_EMAILS)
    chunks.push(kept.slice(at, at + MAX_BATCH_EMAILS).map((entry) => entry.reader));
  return { chunks, skipped, cursor: done ? null : next };
}
