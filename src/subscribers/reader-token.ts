// Signed reader tokens: HMAC-SHA256 with SIGNING_SECRET over the purpose, the reader and the expiry.
// A token names its purpose, so a confirm link can never unsubscribe and the reverse.
import { z } from "zod";

export type TokenPurpose = "confirm" | "unsubscribe" | "preferences";

// A confirm link works for 7 days; unsubscribe and preferences links never expire, since an old email must still work.
export const CONFIRM_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

const Payload = z.object({
  p: z.enum(["confirm", "unsubscribe", "preferences"]),
  e: z.string().min(3).max(254),
  /** Expiry, Unix seconds; 0 = never. */
  x: z.number().int().nonnegative(),
});

export type TokenCheck =
  | { ok: true; email: string }
  | { ok: false; reason: "malformed" | "forged" | "expired" | "wrong_purpose" };

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** Signs tokens; the imported key is reused, since a send signs one token per reader. */
export function createTokenSigner(secret: string) {
  const key = hmacKey(secret);
  // The domain prefix keeps these signatures from ever matching another use of the same secret.
  const signedText = (payload: string) => encoder.encode(`tidings-token-v1.${payload}`);

  return {
    async sign(purpose: TokenPurpose, email: string, now: Date): Promise<string> {
      const expires =
        purpose === "confirm" ? Math.floor(now.getTime() / 1000) + CONFIRM_TOKEN_TTL_SECONDS : 0;
      const payload = base64url(
        encoder.encode(JSON.stringify({ p: purpose, e: email, x: expires })),
      );
      const signature = new Uint8Array(
        await crypto.subtle.sign("HMAC", await key, signedText(payload)),
      );
      return `${payload}.${base64url(signature)}`;
    },

    /** Checks signature (in constant time, by crypto.subtle.verify), expiry and purpose. */
    async verify(token: string, purpose: TokenPurpose, now: Date): Promise<TokenCheck> {
      const match = /^([A-Za-z0-9_-]{1,600})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match?.[1] || !match[2]) return { ok: false, reason: "malformed" };
      const [, payload, signature] = match;
      let signatureBytes: Uint8Array;
      try {
        signatureBytes = fromBase64url(signature);
      } catch {
        return { ok: false, reason: "malformed" };
      }
      if (!(await crypto.subtle.verify("HMAC", await key, signatureBytes, signedText(payload)))) {
        return { ok: false, reason: "forged" };
      }
      let parsed: z.infer<typeof Payload>;
      try {
        parsed = Payload.parse(JSON.parse(new TextDecoder().decode(fromBase64url(payload))));
      } catch {
        return { ok: false, reason: "malformed" };
      }
      if (parsed.p !== purpose) return { ok: false, reason: "wrong_purpose" };
      if (parsed.x !== 0 && parsed.x * 1000 < now.getTime())
        return { ok: false, reason: "expired" };
      return { ok: true, email: parsed.e };
    },
  };
}
export type TokenSigner = ReturnType<typeof createTokenSigner>;

/** A salted hash (HMAC with SIGNING_SECRET) that cannot be reversed without the secret. */
async function saltedHash(secret: string, purpose: string, value: string): Promise<string> {
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(`${purpose}.${value}`),
  );
  return base64url(new Uint8Array(signature)).slice(0, 22);
}

/** The client IP for the consent record; the IP itself is never stored. */
export const hashClientIp = (secret: string, ip: string) => saltedHash(secret, "ip", ip);

/** An erased address in the suppression list; the address itself is not kept. */
export const hashAddress = (secret: string, email: string) => saltedHash(secret, "address", email);
