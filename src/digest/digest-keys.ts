// Every DIGESTS key is built here. See docs/storage.md.
//
// The digest record is written once, by the compile its owner adopted (and again on release).
// Everything that changes during a send lives in the edition's owner (EditionSend): KV allows one
// write per second per key and has no compare-and-set.

const pad = (n: number, width: number) => String(n).padStart(width, "0");
/** `2026-11-26` → a key segment that sorts newest first. */
const invertDate = (id: string) => pad(99_999_999 - Number(id.replaceAll("-", "")), 8);

export const digestKeys = {
  digest: (id: string) => `v1:digest:${id}`,
  index: "v1:digest-index:",
  indexEntry: (id: string) => `v1:digest-index:${invertDate(id)}`,
  /** The editor's note for a digest, written while it is the next one. */
  note: (id: string) => `v1:note:${id}`,
};
