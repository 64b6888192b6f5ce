// The editor's note: plain text shown above the stories, kept in DIGESTS under the id of the digest
// it belongs to (written while that digest is next; it stays with it after the send).
import { z } from "zod";
import { digestKeys } from "./digest-keys";

export const MAX_NOTE_CHARACTERS = 2000;

// C0/C1 control characters other than the line breaks that separate paragraphs.
const CONTROL = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** The note as an editor sends it: plain text, paragraphs split by blank lines; empty clears it. */
export const NoteText = z
  .string({ error: "text is required and must be a string" })
  .refine((text) => !CONTROL.test(text), "text must not contain control characters")
  .transform((text) => text.replace(/\r\n?/g, "\n").trim())
  .pipe(
    z.string().max(MAX_NOTE_CHARACTERS, `text must be at most ${MAX_NOTE_CHARACTERS} characters`),
  );

export const StoredNote = z.object({ text: z.string(), updatedAt: z.string(), editor: z.string() });
export type StoredNote = z.infer<typeof StoredNote>;

export type NoteStore = ReturnType<typeof createNoteStore>;

// KV takes one write a second per key (a second one answers 429): a save within a second of the
// last one waits out the rest, counted from the stored updatedAt, stamped as its write starts (plus
// a margin for KV's own clock). A removed note stays a minute (KV's shortest TTL) as an empty one,
// so a save just after a removal knows when it was.
const NOTE_WRITE_SPACING_MS = 1000;
const STAMP_MARGIN_MS = 100;
const REMOVED_NOTE_TTL_SECONDS = 60;

export function createNoteStore(kv: KVNamespace) {
  const read = async (digestId: string) =>
    StoredNote.safeParse(await kv.get(digestKeys.note(digestId), "json")).data ?? null;

  return {
    async get(digestId: string): Promise<StoredNote | null> {
      const note = await read(digestId);
      return note && note.text !== "" ? note : null;
    },
    /** An empty text removes the note. */
    async put(
      digestId: string,
      text: string,
      editor: string,
      now: Date,
    ): Promise<StoredNote | null> {
      const last = await read(digestId);
      const wait = last
        ? Date.parse(last.updatedAt) + STAMP_MARGIN_MS + NOTE_WRITE_SPACING_MS - Date.now()
        : 0;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const stamp = new Date(Math.max(now.getTime(), Date.now()));
      const note: StoredNote = { text, updatedAt: stamp.toISOString(), editor };
      await kv.put(
        digestKeys.note(digestId),
        JSON.stringify(note),
        text === "" ? { expirationTtl: REMOVED_NOTE_TTL_SECONDS } : {},
      );
      return text === "" ? null : note;
    },
  };
}

/** Paragraphs of the note (split at blank lines), each with its line breaks kept. */
export const noteParagraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
