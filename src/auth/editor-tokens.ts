// Editor bearer tokens: parsing EDITOR_TOKENS and finding the editor behind a token in constant time.

export type EditorToken = { name: string; token: string };

/** Parses `name:token,name:token`. Malformed pairs are ignored rather than guessed at. */
export function parseEditorTokens(raw: string): EditorToken[] {
  return raw
    .split(",")
    .map((pair) => pair.trim())
    .map((pair) => {
      const colon = pair.indexOf(":");
      return { name: pair.slice(0, colon).trim(), token: pair.slice(colon + 1).trim() };
    })
    .filter((entry) => entry.name.length > 0 && entry.token.length >= 8);
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * Constant-time comparison: both sides are hashed to equal length first, and every configured
 * token is compared, so neither the token's length nor its position leaks through timing.
 */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(left, right);
}

export async function findEditor(tokens: EditorToken[], presented: string): Promise<string | null> {
  let editor: string | null = null;
  for (const entry of tokens) {
    if ((await timingSafeEqualText(entry.token, presented)) && editor === null) editor = entry.name;
  }
  return editor;
}
