// A run slot's owner keeps, beside each chunk, what each of its readers chose (their selection and
// the footer that says so), until the chunk is sent: one row per chunk, each distinct choice once.
// Only EditionSend calls these, in its own steps.
import type { DueReader } from "../subscribers/due-index";
import { Preferences } from "../subscribers/preferences";

export const CHOICE_TABLE = `CREATE TABLE IF NOT EXISTS chunk_choice (
  chunk INTEGER PRIMARY KEY,
  choices TEXT NOT NULL
)`;

/**
 * As stored: `p`, the chunk's distinct choices (JSON each); `i`, each walked reader's index into `p`,
 * in the order of the chunk's walked addresses (no address is repeated here). Rows written before
 * keep `e`, each address's index.
 */
type ChunkChoices = { p: string[]; i?: number[]; e?: Record<string, number> };

/** What each of a claim's recipients chose: `i[k]` indexes `p` for `recipients[k]` (-1: none known). */
export type AlignedChoices = { p: Preferences[]; i: number[] };

/** `readers` in the chunk's walked order. */
export function recordChoices(sql: SqlStorage, chunk: number, readers: DueReader[]): void {
  const p: string[] = [];
  const index = new Map<Preferences, number>();
  const i = readers.map((reader) => {
    let at = index.get(reader.preferences);
    if (at === undefined) {
      at = p.push(JSON.stringify(reader.preferences)) - 1;
      index.set(reader.preferences, at);
    }
    return at;
  });
  sql.exec(
    `INSERT OR REPLACE INTO chunk_choice (chunk, choices) VALUES (?, ?)`,
    chunk,
    JSON.stringify({ p, i } satisfies ChunkChoices),
  );
}

/** Choices already aligned with a new chunk's walked readers (a redrive's). */
export function recordAligned(sql: SqlStorage, chunk: number, choices: AlignedChoices): void {
  if (choices.i.every((at) => at < 0)) return;
  sql.exec(
    `INSERT OR REPLACE INTO chunk_choice (chunk, choices) VALUES (?, ?)`,
    chunk,
    JSON.stringify({
      p: choices.p.map((preferences) => JSON.stringify(preferences)),
      i: choices.i,
    } satisfies ChunkChoices),
  );
}

/** The reader at `position` of a chunk's walked list left it (erased): their choice goes too. */
export function dropChoiceAt(sql: SqlStorage, chunk: number, position: number): void {
  const row = sql
    .exec<{ choices: string }>(`SELECT choices FROM chunk_choice WHERE chunk = ?`, chunk)
    .toArray()[0];
  if (!row) return;
  const stored = JSON.parse(row.choices) as ChunkChoices;
  if (!stored.i) return;
  stored.i.splice(position, 1);
  sql.exec(`UPDATE chunk_choice SET choices = ? WHERE chunk = ?`, JSON.stringify(stored), chunk);
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

/**
 * The choices of `recipients` (the chunk's walked readers, or some of them in the same order), for
 * the consumer to render each one's selection. When nobody left since the walk, as stored.
 */
export function alignedChoices(
  sql: SqlStorage,
  chunk: number,
  recipients: string[],
): AlignedChoices {
  const row = sql
    .exec<{ choices: string }>(`SELECT choices FROM chunk_choice WHERE chunk = ?`, chunk)
    .toArray()[0];
  if (!row) return { p: [], i: recipients.map(() => -1) };
  const stored = JSON.parse(row.choices) as ChunkChoices;
  const p = stored.p.map(parseChoice);
  if (stored.e) return { p, i: recipients.map((email) => stored.e![email] ?? -1) };
  // `i` has one entry per walked reader (an erasure drops the reader from both): as many
  // recipients as entries means nobody left, and the walked list need not be read.
  const i = stored.i ?? [];
  if (i.length === recipients.length) return { p, i };
  const walked = JSON.parse(
    sql
      .exec<{ walked: string | null }>(`SELECT walked FROM chunk WHERE chunk = ?`, chunk)
      .toArray()[0]?.walked ?? "[]",
  ) as string[];
  const at = new Map(walked.map((email, k) => [email, i[k]!]));
  return { p, i: recipients.map((email) => at.get(email) ?? -1) };
}

/** Each of the chunk's walked readers' choices, by address (what the tests read back). */
export function choicesOf(sql: SqlStorage, chunk: number): Record<string, Preferences> {
  const walked = sql
    .exec<{ walked: string | null }>(`SELECT walked FROM chunk WHERE chunk = ?`, chunk)
    .toArray()[0]?.walked;
  const emails = JSON.parse(walked ?? "[]") as string[];
  const { p, i } = alignedChoices(sql, chunk, emails);
  const out: Record<string, Preferences> = {};
  emails.forEach((email, k) => {
    if (i[k]! >= 0) out[email] = p[i[k]!]!;
  });
  return out;
}

/**
 * An erased reader's choice leaves every chunk that holds it by address (rows written before the
 * walked order was used; a row by order holds no address, and the erasure scrubs the chunk's list).
 */
export function forgetChoice(sql: SqlStorage, email: string): void {
  const rows = sql
    .exec<{ chunk: number; choices: string }>(
      `SELECT chunk, choices FROM chunk_choice WHERE instr(choices, ?) > 0`,
      JSON.stringify(email),
    )
    .toArray();
  for (const row of rows) {
    const choices = JSON.parse(row.choices) as ChunkChoices;
    if (!choices.e) continue;
    delete choices.e[email];
    sql.exec(
      `UPDATE chunk_choice SET choices = ? WHERE chunk = ?`,
      JSON.stringify(choices),
      row.chunk,
    );
  }
}

/**
 * Before a finished send drops its sent chunks' addresses, the readers the provider refused alone
 * (failed_reader, awaiting a redrive) keep their choices by address: the walked order goes then.
 */
export function keepRefusedChoices(sql: SqlStorage): void {
  const refused = sql
    .exec<{ chunk: number; email: string; choices: string; walked: string | null }>(
      `SELECT failed_reader.chunk, failed_reader.email, chunk_choice.choices, chunk.walked
         FROM failed_reader JOIN chunk_choice ON chunk_choice.chunk = failed_reader.chunk
         JOIN chunk ON chunk.chunk = failed_reader.chunk ORDER BY failed_reader.chunk`,
    )
    .toArray();
  const byChunk = new Map<number, ChunkChoices & { e: Record<string, number> }>();
  for (const row of refused) {
    const stored = JSON.parse(row.choices) as ChunkChoices;
    if (!stored.i || row.walked === null) continue;
    const at = stored.i[(JSON.parse(row.walked) as string[]).indexOf(row.email)];
    if (at === undefined) continue;
    const kept = byChunk.get(row.chunk) ?? { p: stored.p, e: {} };
    kept.e[row.email] = at;
    byChunk.set(row.chunk, kept);
  }
  for (const [chunk, kept] of byChunk)
    sql.exec(`UPDATE chunk_choice SET choices = ? WHERE chunk = ?`, JSON.stringify(kept), chunk);
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
