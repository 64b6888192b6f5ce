// A run slot's owner keeps, beside each chunk, what each of its readers chose (their selection and
// the footer that says so), until the chunk is sent: one row per chunk, each distinct choice once.
// Only EditionSend calls these, in its own steps.
import type { DueReader } from "../subscribers/due-index";
import { Preferences } from "../subscribers/preferences";

export const CHOICE_TABLE = `CREATE TABLE IF NOT EXISTS chunk_choice (
  chunk INTEGER PRIMARY KEY,
  choices TEXT NOT NULL
)`;

/** `p`: the chunk's distinct choices (JSON each); `e`: each reader's index into `p`. */
type ChunkChoices = { p: string[]; e: Record<string, number> };

export function recordChoices(sql: SqlStorage, chunk: number, readers: DueReader[]): void {
  const p: string[] = [];
  const index = new Map<Preferences, number>();
  const e: Record<string, number> = {};
  for (const reader of readers) {
    let at = index.get(reader.preferences);
    if (at === undefined) {
      at = p.push(JSON.stringify(reader.preferences)) - 1;
      index.set(reader.preferences, at);
    }
    e[reader.email] = at;
  }
  sql.exec(
    `INSERT OR REPLACE INTO chunk_choice (chunk, choices) VALUES (?, ?)`,
    chunk,
    JSON.stringify({ p, e } satisfies ChunkChoices),
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

/** Each of the chunk's readers' choices, for the consumer to render their selection. */
export function choicesOf(sql: SqlStorage, chunk: number): Record<string, Preferences> {
  const row = sql
    .exec<{ choices: string }>(`SELECT choices FROM chunk_choice WHERE chunk = ?`, chunk)
    .toArray()[0];
  if (!row) return {};
  const { p, e } = JSON.parse(row.choices) as ChunkChoices;
  const choices = p.map(parseChoice);
  const out: Record<string, Preferences> = {};
  for (const [email, at] of Object.entries(e)) out[email] = choices[at]!;
  return out;
}

/** An erased reader's choice leaves every chunk that holds it. */
export function forgetChoice(sql: SqlStorage, email: string): void {
  const rows = sql
    .exec<{ chunk: number; choices: string }>(
      `SELECT chunk, choices FROM chunk_choice WHERE instr(choices, ?) > 0`,
      JSON.stringify(email),
    )
    .toArray();
  for (const row of rows) {
    const choices = JSON.parse(row.choices) as ChunkChoices;
    delete choices.e[email];
    sql.exec(
      `UPDATE chunk_choice SET choices = ? WHERE chunk = ?`,
      JSON.stringify(choices),
      row.chunk,
    );
  }
}

/**
 * Nothing about a reader outlives their chunk: kept only for failed chunks, and chunks with readers
 * the provider refused alone (failed-readers.ts), awaiting a redrive.
 */
export function scrubChoices(sql: SqlStorage): void {
  sql.exec(
    `DELETE FROM chunk_choice WHERE chunk NOT IN
       (SELECT chunk FROM chunk WHERE state = 'failed' AND walked IS NOT NULL)
       AND chunk NOT IN (SELECT chunk FROM failed_reader)`,
  );
}
