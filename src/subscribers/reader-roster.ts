// Reading the whole reader list for editors, within one invocation's budget (1,000 KV operations):
// counts by status, and CSV export pages of at most EXPORT_PAGE_LIST_CALLS list pages.
import { CSV_HEADER, csvLine, readerCsvRow } from "./readers-csv";
import { SubscriberStatus } from "./subscriber-schema";
import type { SubscriberStore } from "./subscriber-store";

// Counting walks the list (one KV call per 1,000 readers); past this many calls it stops and says so.
export const MAX_COUNT_LIST_CALLS = 200;
// An export page: 5 list calls and 50 bulk reads for 5,000 readers.
const EXPORT_PAGE_LIST_CALLS = 5;
// Bulk `get` takes up to 100 keys as one operation.
const BULK_GET_KEYS = 100;

export type ReaderCounts = { counts: Record<string, number>; complete: boolean; total: number };

export async function countReaders(store: SubscriberStore): Promise<ReaderCounts> {
  const counts: Record<string, number> = Object.fromEntries(
    SubscriberStatus.options.map((status) => [status, 0]),
  );
  let cursor: string | null = null;
  let calls = 0;
  let total = 0;
  do {
    const page = await store.listPage(cursor);
    for (const reader of page.readers) counts[reader.status] = (counts[reader.status] ?? 0) + 1;
    total += page.readers.length;
    cursor = page.cursor;
  } while (cursor && ++calls < MAX_COUNT_LIST_CALLS);
  return { counts, complete: cursor === null, total };
}

/** One page of the CSV export (with its header row on the first page) and the next page's cursor. */
export async function exportReaders(
  store: SubscriberStore,
  cursor: string | null,
): Promise<{ csv: string; cursor: string | null }> {
  let csv = cursor ? "" : csvLine(CSV_HEADER);
  let next = cursor;
  let calls = 0;
  do {
    const page = await store.listPage(next);
    const emails = page.readers.map((reader) => reader.email);
    for (let i = 0; i < emails.length; i += BULK_GET_KEYS) {
      for (const reader of await store.getMany(emails.slice(i, i + BULK_GET_KEYS)))
        csv += readerCsvRow(reader);
    }
    next = page.cursor;
  } while (next && ++calls < EXPORT_PAGE_LIST_CALLS);
  return { csv, cursor: next };
}
