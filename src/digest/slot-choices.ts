// A run slot's owner keeps, beside each chunk, what each of its readers chose (their selection and
// the footer that says so), until the chunk is sent. Only EditionSend calls these, in its own steps.
import type { DueReader } from "../subscribers/due-index";
import { Preferences } from "../subscribers/preferences";

export const CHOICE_TABLE = `CREATE TABLE IF NOT EXISTS choice (
  email TEXT PRIMARY KEY,
  preferences TEXT NOT NULL
)`;

export function recordChoices(sql: SqlStorage, readers: DueReader[]): void {
  for (const reader of readers)
    sql.exec(
      `INSERT OR REPLACE INTO choice (email, preferences) VALUES (?, ?)`,
      reader.email,
      JSON.stringify(reader.preferences),
    );
}

// Readers share a few dozen distinct choices: each is parsed (and checked) once per isolate.
const parsed = new Map<string, Preferences>();
function parseChoice(json: string): Preferences {
  let value = parsed.get(json);
  if (!value) {
    if (parsed.size >= 10_000) parsed.clear();
    value = Preferences.parse(JSON.parse(json));
    parsed.set(json, value);
  }
  return value;
}

/** Each recipient's choices, for the consumer to render their selection (one query a chunk). */
export function choicesOf(sql: SqlStorage, emails: string[]): Record<string, Preferences> {
  const out: Record<string, Preferences> = {};
  if (emails.length === 0) return out;
  const rows = sql
    .exec<{ email: string; preferences: string }>(
      `SELECT email, preferences FROM choice WHERE email IN (${emails.map(() => "?").join(",")})`,
      ...emails,
    )
    .toArray();
  for (const row of rows) out[row.email] = parseChoice(row.preferences);
  return out;
}

/** Nothing about a reader outlives their chunk: kept only for addresses still awaiting a redrive. */
export function scrubChoices(sql: SqlStorage, keep: string[]): void {
  if (keep.length === 0) {
    sql.exec(`DELETE FROM choice`);
    return;
  }
  const kept = new Set(keep);
  for (const { email } of sql.exec<{ email: string }>(`SELECT email FROM choice`).toArray())
    if (!kept.has(email)) sql.exec(`DELETE FROM choice WHERE email = ?`, email);
}
