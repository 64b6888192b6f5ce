// Every DIGESTS key is built here. See the README's storage schema.
//
// The digest record is written once, at compile time. Everything that changes during a send goes to
// keys written once each (fan-out checkpoints, progress records), summed on read: KV allows one write
// per second per key, so a counter that many invocations rewrite would fail.

const pad = (n: number, width: number) => String(n).padStart(width, "0");
/** `2026-11-26` → a key segment that sorts newest first. */
const invertDate = (id: string) => pad(99_999_999 - Number(id.replaceAll("-", "")), 8);

export const digestKeys = {
  digest: (id: string) => `v1:digest:${id}`,
  index: "v1:digest-index:",
  indexEntry: (id: string) => `v1:digest-index:${invertDate(id)}`,
  checkpoints: (id: string) => `v1:fanout:${id}:`,
  checkpoint: (id: string, sequence: number) => `v1:fanout:${id}:${pad(sequence, 6)}`,
  progress: (id: string) => `v1:progress:${id}:`,
  progressRecord: (id: string, firstChunk: number, unique: string) =>
    `v1:progress:${id}:${pad(firstChunk, 7)}:${unique}`,
  pin: (id: string, chunk: number) => `v1:pin:${id}:${pad(chunk, 7)}`,
  /** One key per provider event, so counting needs no counter that many webhooks rewrite. */
  events: (id: string, type: string) => `v1:event:${id}:${type}:`,
  event: (id: string, type: string, eventId: string) => `v1:event:${id}:${type}:${eventId}`,
  /** A provider event already handled (Resend retries deliveries; a replay must not count twice). */
  webhookSeen: (eventId: string) => `v1:webhook-seen:${eventId}`,
};

/** `[0,1,2,5,7,8]` → `0-2,5,7-8`: chunk sets stay small enough for KV metadata. */
export function encodeChunkRanges(chunks: number[]): string {
  const sorted = [...new Set(chunks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export function decodeChunkRanges(text: string): number[] {
  if (!text) return [];
  return text.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || Number.isNaN(from)) return [];
    const end = to === undefined || Number.isNaN(to) ? from : to;
    return Array.from({ length: end - from + 1 }, (_, i) => from + i);
  });
}
