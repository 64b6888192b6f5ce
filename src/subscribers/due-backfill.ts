// The DueIndex's one-time backfill: readers confirmed before personal delivery existed have no due
// row until their ledger next changes, so without it they would get no mail at all. The DueIndex
// walks the readers' KV list pages in alarm steps and schedules each confirmed reader it does not
// know with the defaults every older record has (all topics, daily at 07:00 UTC: what they got
// before). KV may show a reader as confirmed for up to 60 s after they left: the DepartureLog
// (3 days of departures) is asked about every page, and the index skips a reader its ledger removed
// while the step ran.
import { departureLog, DEPARTURE_KEEP_MS } from "./departure-log";
import { defaultPreferences, type Preferences } from "./preferences";
import { createSubscriberStore } from "./subscriber-store";

export const BACKFILL_SCHEMA = `CREATE TABLE IF NOT EXISTS backfill (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cursor TEXT,
  done INTEGER NOT NULL,
  adopted INTEGER NOT NULL
)`;

// A step lists this many pages of 1,000 readers: 20 KV operations and 40 subrequests.
const PAGES_PER_STEP = 20;

/** Starts the backfill once; false when it was already started (or done). */
export function startBackfill(sql: SqlStorage): boolean {
  if (sql.exec(`SELECT id FROM backfill`).toArray().length > 0) return false;
  sql.exec(`INSERT INTO backfill (id, cursor, done, adopted) VALUES (1, NULL, 0, 0)`);
  return true;
}

/**
 * One step: answers whether another is needed. `adopt` schedules a reader the index does not know
 * (and answers whether it did).
 */
export async function backfillStep(
  env: Pick<Env, "SUBSCRIBERS" | "DEPARTURES" | "SIGNING_SECRET">,
  sql: SqlStorage,
  adopt: (email: string, preferences: Preferences) => boolean,
  nowMs: number,
): Promise<boolean> {
  const state = sql
    .exec<{ cursor: string | null; done: number }>(`SELECT cursor, done FROM backfill`)
    .toArray()[0];
  if (!state || state.done) return false;
  const store = createSubscriberStore(env.SUBSCRIBERS);
  let cursor = state.cursor;
  let adopted = 0;
  for (let pages = 0; pages < PAGES_PER_STEP; pages++) {
    const page = await store.listPage(cursor);
    const confirmed = page.readers.filter((r) => r.status === "confirmed").map((r) => r.email);
    const left = new Set(
      await departureLog(env).departedAmong(confirmed, nowMs - DEPARTURE_KEEP_MS),
    );
    for (const email of confirmed)
      if (!left.has(email) && adopt(email, defaultPreferences("UTC"))) adopted++;
    cursor = page.cursor;
    if (cursor === null) break;
  }
  sql.exec(
    `UPDATE backfill SET cursor = ?, done = ?, adopted = adopted + ?`,
    cursor,
    cursor === null ? 1 : 0,
    adopted,
  );
  return cursor !== null;
}
