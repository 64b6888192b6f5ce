// The desk's session cookie, kept apart so it can be reviewed alone: what it holds, how it is
// signed and checked, and the attributes it is set with.
//
// The cookie is `<editor>.<expiry ms>.<signature>`: HMAC-SHA256 with SIGNING_SECRET over a domain
// prefix, the editor's name, the expiry and a hash of the editor's current token. So a session ends
// when it expires (12 h), when the editor's token is changed or removed from EDITOR_TOKENS, or when
// SIGNING_SECRET changes; nothing is stored server-side, and a forged or altered cookie is refused.
import type { EditorToken } from "../auth/editor-tokens";
import { timingSafeEqualText } from "../auth/editor-tokens";

export const DESK_COOKIE = "tidings_desk";
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const encoder = new TextEncoder();
// An editor name from EDITOR_TOKENS is `name` before the colon; only these characters are accepted in
// a cookie so the value never needs quoting and cannot smuggle `;` or `,`.
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sign(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  // The domain prefix keeps these signatures from ever matching a reader token's.
  return hex(await crypto.subtle.sign("HMAC", key, encoder.encode(`tidings-desk-v1.${text}`)));
}

async function tokenHash(token: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(token)));
}

/** A signed session value for `editor` (whose entry in EDITOR_TOKENS is `entry`). */
export async function createSession(
  secret: string,
  entry: EditorToken,
  now: Date,
): Promise<string> {
  if (!NAME.test(entry.name))
    throw new Error("editor names in EDITOR_TOKENS must be [A-Za-z0-9_-]");
  const expires = now.getTime() + SESSION_TTL_SECONDS * 1000;
  const signature = await sign(secret, `${entry.name}.${expires}.${await tokenHash(entry.token)}`);
  return `${entry.name}.${expires}.${signature}`;
}

/** The editor a session value names, or null if it is malformed, forged, expired or revoked. */
export async function verifySession(
  secret: string,
  tokens: EditorToken[],
  value: string | undefined,
  now: Date,
): Promise<string | null> {
  const match = /^([A-Za-z0-9_-]{1,64})\.(\d{1,16})\.([0-9a-f]{64})$/.exec(value ?? "");
  if (!match) return null;
  const [, name = "", expiresText = "", presented = ""] = match;
  const expires = Number(expiresText);
  if (!(expires > now.getTime())) return null;
  // A session never outlives its 12 hours, whatever expiry a cookie claims.
  if (expires > now.getTime() + SESSION_TTL_SECONDS * 1000) return null;
  const entry = tokens.find((candidate) => candidate.name === name);
  if (!entry) return null;
  const expected = await sign(secret, `${name}.${expires}.${await tokenHash(entry.token)}`);
  return (await timingSafeEqualText(expected, presented)) ? name : null;
}

/** Set-Cookie attributes: HttpOnly, SameSite=Strict, Path=/, 12 h; Secure except on localhost. */
export function sessionCookieOptions(requestUrl: string) {
  const host = new URL(requestUrl).hostname;
  const local = host === "localhost" || host === "127.0.0.1" || host === "[::1]";
  return {
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: !local,
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  };
}
