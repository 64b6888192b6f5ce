// Why a body is not a feed Tidings reads, in words an editor can act on (shown as a source's lastError).

export class FeedError extends Error {
  override name = "FeedError";
}

/** "line 3, column 14" of a character index in `text` (lines and columns counted from 1). */
export function positionOf(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < index; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}
