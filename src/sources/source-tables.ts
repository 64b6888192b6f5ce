// SourceRegistry's SQLite schema (documented in docs/storage.md) and its rows as the API's Source.
import type { Source } from "./source-schema";

export const SOURCE_TABLES = [
  `CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    topics TEXT NOT NULL,
    every_minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_fetch_at TEXT,
    last_status INTEGER,
    last_error TEXT,
    items_last_fetch INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    next_fetch_at INTEGER NOT NULL,
    leased_until INTEGER
  )`,
  "CREATE INDEX IF NOT EXISTS sources_due ON sources (next_fetch_at)",
  `CREATE TABLE IF NOT EXISTS seen (
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, url)
  )`,
  "CREATE INDEX IF NOT EXISTS seen_age ON seen (seen_at)",
];

export type SourceRow = {
  id: string;
  url: string;
  name: string;
  topics: string;
  every_minutes: number;
  created_at: string;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: string | null;
  last_status: number | null;
  last_error: string | null;
  items_last_fetch: number | null;
  failures: number;
  next_fetch_at: number;
  leased_until: number | null;
};

function topicsOf(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

export function sourceOfRow(row: SourceRow): Source {
  return {
    id: row.id,
    url: row.url,
    name: row.name,
    topics: topicsOf(row.topics),
    everyMinutes: row.every_minutes,
    createdAt: row.created_at,
    lastFetchAt: row.last_fetch_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    itemsLastFetch: row.items_last_fetch,
    nextFetchAt: new Date(row.next_fetch_at).toISOString(),
    failures: row.failures,
  };
}
