// One step of a run slot's walk: pages of the readers the DueIndex hands this slot (no KV at all),
// cut into chunks of at most 100 that mix selections (the batch call takes different content per
// email). A reader whose selection holds fewer than DIGEST_MIN_ARTICLES gets no email: skipped.
import { MAX_BATCH_EMAILS } from "../mail/mailer";
import { readPage, type DueReader, type HandedPage } from "../subscribers/due-index";
import type { Topic } from "../subscribers/preferences";
import type { Digest } from "./digest-schema";
import { selectFromPool, selectionKey } from "./slot-pool";

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
  rules: { topics: Topic[]; maxArticles: number; minArticles: number; siteTitle: string },
): Promise<DueStep> {
  const slotMs = Date.parse(pool.cutoff);
  const counts = new Map<string, number>();
  const chunks: DueReader[][] = [];
  let current: DueReader[] = [];
  let skipped = 0;
  // How many articles each distinct selection holds, counted once a step.
  const selectionCount = (preferences: DueReader["preferences"]) => {
    const key = selectionKey(preferences, slotMs);
    let count = counts.get(key);
    if (count === undefined) {
      const { maxArticles, siteTitle, topics } = rules;
      count = selectFromPool(pool, preferences, topics, maxArticles, siteTitle).articleCount;
      counts.set(key, count);
    }
    return count;
  };
  let next = cursor;
  for (let i = 0; i < Math.max(1, pages); i++) {
    const page = readPage(await source.pageJson(pool.id, slotMs, next, READERS_PER_PAGE));
    if (page.done) {
      if (current.length > 0) chunks.push(current);
      return { chunks, skipped, cursor: null };
    }
    // A page's readers with the same choice share one object: its selection is looked up once.
    const byChoice = new Map<DueReader["preferences"], number>();
    for (const reader of page.readers) {
      let count = byChoice.get(reader.preferences);
      if (count === undefined) {
        count = selectionCount(reader.preferences);
        byChoice.set(reader.preferences, count);
      }
      if (count === 0 || count < rules.minArticles) {
        skipped++;
        continue;
      }
      current.push(reader);
      if (current.length === MAX_BATCH_EMAILS) {
        chunks.push(current);
        current = [];
      }
    }
    next = page.cursor;
  }
  // A chunk never spans two steps, so a step that died before it was recorded is walked again into
  // the very same chunks (the DueIndex answers the same readers for the same cursor).
  if (current.length > 0) chunks.push(current);
  return { chunks, skipped, cursor: next };
}
