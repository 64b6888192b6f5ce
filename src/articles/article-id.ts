// Article ids are ULIDs: their first 10 characters encode `createdAt`, so an id leads to its KV key.

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newArticleId(createdAtMs: number): string {
  let time = "";
  let rest = createdAtMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  return time + Array.from(random, (byte) => ALPHABET[byte % 32]).join("");
}

/** The creation instant encoded in an id, or null for anything that is not an article id. */
export function articleIdTime(id: string): number | null {
  if (!ID_PATTERN.test(id)) return null;
  let ms = 0;
  for (const char of id.slice(0, 10)) ms = ms * 32 + ALPHABET.indexOf(char);
  return ms <= 8_640_000_000_000_000 ? ms : null;
}
