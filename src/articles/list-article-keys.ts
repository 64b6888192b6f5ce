// Walks the day-bucketed article keys newest first, with an opaque cursor that resumes mid-day.
import { z } from "zod";
import { ApiError } from "../errors";
import { articleKeys, dayOf, type ArticleKeyMetadata } from "./article-keys";

export type ArticleListQuery = {
  /** Inclusive bounds on `createdAt`, in ms. */
  fromMs?: number;
  toMs?: number;
  topic?: string;
  limit: number;
  cursor?: string | null;
};

// KV list returns at most 1,000 keys per call; a request stays well inside the 1,000-operation budget
// by stopping after this many calls and answering a cursor that carries on from there.
const MAX_LIST_CALLS = 50;
const DAY_MS = 86_400_000;

/** Where the next page starts: a day, KV's cursor for the list page, and the last key returned. */
const Cursor = z.object({
  d: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  c: z.string().optional(),
  a: z.string().optional(),
});
type Cursor = z.infer<typeof Cursor>;

const encodeCursor = (cursor: Cursor) =>
  btoa(JSON.stringify(cursor)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");

function decodeCursor(text: string): Cursor {
  try {
    return Cursor.parse(JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/"))));
  } catch {
    throw new ApiError(400, "invalid_request", "cursor is not one this API gave out", [
      { path: "cursor", message: "cursor is not one this API gave out" },
    ]);
  }
}

const previousDay = (day: string) => dayOf(Date.parse(`${day}T00:00:00Z`) - DAY_MS);

async function earliestDay(kv: KVNamespace): Promise<string | null> {
  const first = await kv.list({ prefix: articleKeys.all, limit: 1 });
  const key = first.keys[0];
  return key ? articleKeys.parse(key.name).day : null;
}

export async function listArticleKeys(
  kv: KVNamespace,
  query: ArticleListQuery,
): Promise<{ keys: string[]; versions: (string | undefined)[]; cursor: string | null }> {
  // A cursor is checked first: a made-up one is the caller's error even when there is nothing to list.
  const start = query.cursor ? decodeCursor(query.cursor) : null;
  const toMs = query.toMs ?? Date.now();
  const lowestDay = query.fromMs !== undefined ? dayOf(query.fromMs) : await earliestDay(kv);
  const fromMs = query.fromMs ?? 0;
  if (lowestDay === null) return { keys: [], versions: [], cursor: null };

  let day = start?.d ?? dayOf(toMs);
  let kvCursor = start?.c;
  let after = start?.a;
  const keys: string[] = [];
  const versions: (string | undefined)[] = [];

  for (let calls = 0; day >= lowestDay; calls++) {
    if (calls === MAX_LIST_CALLS)
      return { keys, versions, cursor: encodeCursor({ d: day, c: kvCursor }) };
    const page = await kv.list<ArticleKeyMetadata>({
      prefix: articleKeys.day(day),
      cursor: kvCursor,
      limit: 1000,
    });
    let olderThanWindow = false;
    for (const key of page.keys) {
      // Keys at or before `after` were answered on an earlier page; newer keys that arrived since
      // sort before it and are newer than the listing, so skipping them keeps every answer once.
      if (after !== undefined && key.name <= after) continue;
      const { createdAtMs } = articleKeys.parse(key.name);
      if (createdAtMs > toMs) continue;
      if (createdAtMs < fromMs) {
        olderThanWindow = true;
        break;
      }
      if (query.topic && !key.metadata?.topics.includes(query.topic)) continue;
      keys.push(key.name);
      versions.push(key.metadata?.v);
      if (keys.length === query.limit) {
        return { keys, versions, cursor: encodeCursor({ d: day, c: kvCursor, a: key.name }) };
      }
    }
    after = undefined;
    if (olderThanWindow) break;
    if (page.list_complete) {
      day = previousDay(day);
      kvCursor = undefined;
    } else {
      kvCursor = page.cursor;
    }
  }
  return { keys, versions, cursor: null };
}
