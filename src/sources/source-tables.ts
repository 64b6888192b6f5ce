// SourceRegistry's SQLite schema (documented in docs/storage.md) and its rows as the API's Source.
import type { Source } from "./source-schema";

const SOURCE_TABLES = [
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
  // When each undated item was first seen: its date, whenever it is ingested (never a later one).
  `CREATE TABLE IF NOT EXISTS first_seen (
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, url)
  )`,
  "CREATE INDEX IF NOT EXISTS first_seen_age ON first_seen (seen_at)",
];

/** Columns added after a table was first created: added to an older object's table on start. */
const SOURCE_COLUMNS = [{ table: "sources", column: "last_warning", type: "TEXT" }];

/** Creates the tables, and adds to an older object's tables the columns they lack. */
export function migrateSourceTables(sql: SqlStorage): void {
  for (const statement of SOURCE_TABLES) sql.exec(statement);
  for (const { table, column, type } of SOURCE_COLUMNS) {
    const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
    if (!columns.some((c) => c.name === column)) {
      sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }
}

/** When a source first saw the item at `url`: `now` if never before (recorded then). */
export function firstSeenAt(sql: SqlStorage, sourceId: string, url: string, now: number): number {
  sql.exec(
    "INSERT OR IGNORE INTO first_seen (source_id, url, seen_at) VALUES (?, ?, ?)",
    sourceId,
    url,
    now,
  );
  return sql
    .exec<{ seen_at: number }>(
      "SELECT seen_at FROM first_seen WHERE source_id = ? AND url = ?",
      sourceId,
      url,
    )
    .one().seen_at;
}

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
  last_warning: string | null;
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
    lastWarning: row.last_warning ?? null,
    itemsLastFetch: row.items_last_fetch,
    nextFetchAt: new Date(row.next_fetch_at).toISOString(),
    failures: row.failures,
  };
}
