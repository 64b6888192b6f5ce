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

export function createNoteStore(kv: KVNamespace) {
  return {
    async get(digestId: string): Promise<StoredNote | null> {
      const parsed = StoredNote.safeParse(await kv.get(digestKeys.note(digestId), "json"));
      return parsed.success ? parsed.data : null;
    },
    /** An empty text removes the note. Editors save at human pace (KV allows one write a second). */
    async put(
      digestId: string,
      text: string,
      editor: string,
      now: Date,
    ): Promise<StoredNote | null> {
      if (text === "") {
        await kv.delete(digestKeys.note(digestId));
        return null;
      }
      const note: StoredNote = { text, updatedAt: now.toISOString(), editor };
      await kv.put(digestKeys.note(digestId), JSON.stringify(note));
      return note;
    },
  };
}

/** Paragraphs of the note (split at blank lines), each with its line breaks kept. */
export const noteParagraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
