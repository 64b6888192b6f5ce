// Reader tokens of the first format (base64 JSON + HMAC), still in emails already sent. Only verified,
// never signed: confirm tokens until they expire (7 days), unsubscribe and preferences links always.
import { z } from "zod";
import type { TokenCheck, TokenPurpose } from "./reader-token";
import { base64url, fromBase64url } from "./token-encoding";

const Payload = z.object({
  p: z.enum(["confirm", "unsubscribe", "preferences"]),
  e: z.string().min(3).max(254),
  /** Expiry, Unix seconds; 0 = never. */
  x: z.number().int().nonnegative(),
});

const encoder = new TextEncoder();

/** The shape of a first-format token: `<base64url JSON>.<base64url HMAC-SHA256>`. */
export const LEGACY_TOKEN = /^([A-Za-z0-9_-]{1,600})\.([A-Za-z0-9_-]{43})$/;

export async function verifyLegacyToken(
  key: CryptoKey,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<TokenCheck> {
  const match = LEGACY_TOKEN.exec(token);
  if (!match?.[1] || !match[2]) return { ok: false, reason: "malformed" };
  const [, payload, signature] = match;
  const signatureBytes = fromBase64url(signature);
  // 43 characters carry 258 bits for a 256-bit MAC: only the spelling that re-encodes is accepted,
  // so a token has exactly one accepted form (the payload's spelling is fixed by the MAC itself).
  if (!signatureBytes || base64url(signatureBytes) !== signature) {
    return { ok: false, reason: "malformed" };
  }
  const signed = encoder.encode(`tidings-token-v1.${payload}`);
  if (!(await crypto.subtle.verify("HMAC", key, signatureBytes, signed))) {
    return { ok: false, reason: "forged" };
  }
  const payloadBytes = fromBase64url(payload);
  let parsed: z.infer<typeof Payload>;
  try {
    if (!payloadBytes) throw new Error("not base64url");
    parsed = Payload.parse(JSON.parse(new TextDecoder().decode(payloadBytes)));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (parsed.p !== purpose) return { ok: false, reason: "wrong_purpose" };
  if (parsed.x !== 0 && parsed.x * 1000 < now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, email: parsed.e };
}

/** Signs a first-format token: only for tests that stand in for emails sent before the change. */
export async function signLegacyTokenForTest(
  key: CryptoKey,
  purpose: TokenPurpose,
  email: string,
  expires: number,
): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify({ p: purpose, e: email, x: expires })));
  const signed = encoder.encode(`tidings-token-v1.${payload}`);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
  return `${payload}.${base64url(signature)}`;
}
