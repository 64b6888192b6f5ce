// Reader tokens: the purpose, the reader's address and the expiry, encrypted and authenticated with
// AES-256-GCM under a key derived from SIGNING_SECRET, so a logged or forwarded link shows no address.
import { LEGACY_TOKEN, verifyLegacyToken } from "./legacy-reader-token";
import { base64url, fromBase64url } from "./token-encoding";

export type TokenPurpose = "confirm" | "unsubscribe" | "preferences";

// A confirm link works for 7 days; unsubscribe and preferences links never expire, since an old email must still work.
export const CONFIRM_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

export type TokenCheck =
  | { ok: true; email: string }
  | { ok: false; reason: "malformed" | "forged" | "expired" | "wrong_purpose" };

// Why encryption rather than an opaque id with a MAC: `verify` must answer the address with no
// storage read (it runs before any ledger is touched, and for addresses already erased), and an id
// would need a lookup table kept for ever for links in old emails.
//
// Layout, before base64url: version (1) | nonce (12) | ciphertext | GCM tag (16). The plaintext is
// purpose (1) | expiry, Unix seconds, 0 = never (4) | address (UTF-8) | zero padding to 16 bytes, so
// the length tells at most the address's length to within 16 bytes.
const VERSION = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PAD_BYTES = 16;
const MAX_EMAIL_BYTES = 254;
const PURPOSES: readonly TokenPurpose[] = ["confirm", "unsubscribe", "preferences"];
const MAX_TOKEN_CHARS = Math.ceil(
  ((1 + NONCE_BYTES + 5 + MAX_EMAIL_BYTES + PAD_BYTES + TAG_BYTES) * 4) / 3,
);

const encoder = new TextEncoder();
// The version byte is authenticated too, so a token cannot be replayed as another format.
const AAD = encoder.encode("tidings-reader-token-v2");

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** One key per use, derived with HKDF, so no key ever serves two algorithms. */
async function derivedKeys(secret: string) {
  const master = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  const params = (info: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: encoder.encode("tidings"),
    info: encoder.encode(info),
  });
  const [aes, nonce, legacy] = await Promise.all([
    crypto.subtle.deriveKey(
      params("reader-token-v2 aes-gcm"),
      master,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    ),
    crypto.subtle.deriveKey(
      params("reader-token-v2 nonce"),
      master,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      ["sign"],
    ),
    hmacKey(secret),
  ]);
  return { aes, nonce, legacy };
}

function plaintextOf(purpose: TokenPurpose, email: string, expires: number): Uint8Array {
  const address = encoder.encode(email);
  const length = Math.ceil((5 + address.length) / PAD_BYTES) * PAD_BYTES;
  const bytes = new Uint8Array(length);
  bytes[0] = PURPOSES.indexOf(purpose) + 1;
  new DataView(bytes.buffer).setUint32(1, expires);
  bytes.set(address, 5);
  return bytes;
}

/** Reads a decrypted plaintext; null when it is not one `plaintextOf` could have made. */
function readPlaintext(bytes: Uint8Array) {
  const purpose = PURPOSES[(bytes[0] ?? 0) - 1];
  if (!purpose || bytes.length < PAD_BYTES) return null;
  const expires = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
  let end = bytes.length;
  while (end > 5 && bytes[end - 1] === 0) end--;
  if (bytes.length - end >= PAD_BYTES) return null;
  let email: string;
  try {
    email = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(5, end),
    );
  } catch {
    return null;
  }
  if (email.length < 3 || email.length > MAX_EMAIL_BYTES || email.includes("\0")) return null;
  return { purpose, expires, email };
}

/** Signs tokens; the derived keys are reused, since a send signs one token per reader. */
export function createTokenSigner(secret: string) {
  const keys = derivedKeys(secret);

  return {
    /** Deterministic: the same reader, purpose and expiry always give the same token. */
    async sign(purpose: TokenPurpose, email: string, now: Date): Promise<string> {
      const { aes, nonce } = await keys;
      const expires =
        purpose === "confirm" ? Math.floor(now.getTime() / 1000) + CONFIRM_TOKEN_TTL_SECONDS : 0;
      const plaintext = plaintextOf(purpose, email, expires);
      // A synthetic nonce (HMAC of the plaintext, as in SIV): equal tokens only for equal contents,
      // and two contents share a nonce with chance 2^-96 a pair, as with random nonces.
      const iv = new Uint8Array(await crypto.subtle.sign("HMAC", nonce, plaintext)).slice(
        0,
        NONCE_BYTES,
      );
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: AAD }, aes, plaintext),
      );
      const token = new Uint8Array(1 + NONCE_BYTES + sealed.length);
      token[0] = VERSION;
      token.set(iv, 1);
      token.set(sealed, 1 + NONCE_BYTES);
      return base64url(token);
    },

    /** Checks authenticity (AES-GCM's tag, or the old format's HMAC), then purpose and expiry. */
    async verify(token: string, purpose: TokenPurpose, now: Date): Promise<TokenCheck> {
      const { aes, legacy } = await keys;
      if (LEGACY_TOKEN.test(token)) return verifyLegacyToken(legacy, token, purpose, now);
      if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "malformed" };
      const bytes = fromBase64url(token);
      // One accepted spelling: the unused low bits of the last character must be zero.
      if (!bytes || base64url(bytes) !== token) return { ok: false, reason: "malformed" };
      if (bytes.length < 1 + NONCE_BYTES + PAD_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
        return { ok: false, reason: "malformed" };
      }
      let plaintext: Uint8Array;
      try {
        plaintext = new Uint8Array(
          await crypto.subtle.decrypt(
            { name: "AES-GCM", iv: bytes.subarray(1, 1 + NONCE_BYTES), additionalData: AAD },
            aes,
            bytes.subarray(1 + NONCE_BYTES),
          ),
        );
      } catch {
        return { ok: false, reason: "forged" };
      }
      const parsed = readPlaintext(plaintext);
      if (!parsed) return { ok: false, reason: "malformed" };
      if (parsed.purpose !== purpose) return { ok: false, reason: "wrong_purpose" };
      if (parsed.expires !== 0 && parsed.expires * 1000 < now.getTime()) {
        return { ok: false, reason: "expired" };
      }
      return { ok: true, email: parsed.email };
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
