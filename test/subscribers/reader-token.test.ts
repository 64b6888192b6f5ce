import { describe, expect, it } from "vitest";
import { signLegacyTokenForTest } from "../../src/subscribers/legacy-reader-token";
import { CONFIRM_TOKEN_TTL_SECONDS, createTokenSigner } from "../../src/subscribers/reader-token";
import { base64url, fromBase64url } from "../../src/subscribers/token-encoding";

const signer = createTokenSigner("test-signing-secret");
const now = new Date("2026-11-26T07:00:00Z");

describe("reader tokens", () => {
  it("verifies a token it signed, for its purpose and reader", async () => {
    const token = await signer.sign("confirm", "ada@example.com", now);
    expect(await signer.verify(token, "confirm", now)).toEqual({
      ok: true,
      email: "ada@example.com",
    });
  });

  it("refuses a token for another purpose", async () => {
    const token = await signer.sign("confirm", "ada@example.com", now);
    expect(await signer.verify(token, "unsubscribe", now)).toEqual({
      ok: false,
      reason: "wrong_purpose",
    });
  });

  it("refuses a token signed with another secret", async () => {
    const token = await createTokenSigner("another-secret").sign(
      "unsubscribe",
      "ada@example.com",
      now,
    );
    expect(await signer.verify(token, "unsubscribe", now)).toEqual({ ok: false, reason: "forged" });
  });

  it("refuses a token with any byte altered", async () => {
    const token = await signer.sign("unsubscribe", "ada@example.com", now);
    const bytes = fromBase64url(token)!;
    for (let i = 0; i < bytes.length; i++) {
      const altered = bytes.slice();
      altered[i] = altered[i]! ^ 0x01;
      expect((await signer.verify(base64url(altered), "unsubscribe", now)).ok).toBe(false);
    }
  });

  it("carries no readable address, even after base64 decoding", async () => {
    const email = "demo.reader@example.com";
    const token = await signer.sign("unsubscribe", email, now);
    const decoded = new TextDecoder().decode(fromBase64url(token)!);
    expect(token).not.toContain("demo");
    expect(decoded).not.toContain("demo");
    expect(decoded).not.toContain("example");
    expect(decoded).not.toContain("unsubscribe");
    // Short enough that a link with it stays one line in most mail clients.
    expect(token.length).toBeLessThan(90);
  });

  it("signs the same reader and purpose to the same token, and readers to different ones", async () => {
    const first = await signer.sign("unsubscribe", "ada@example.com", now);
    expect(await signer.sign("unsubscribe", "ada@example.com", now)).toBe(first);
    expect(await signer.sign("unsubscribe", "adb@example.com", now)).not.toBe(first);
    expect(await signer.sign("preferences", "ada@example.com", now)).not.toBe(first);
  });

  it("accepts exactly one spelling of a token", async () => {
    for (const email of ["ada@example.com", "a@b.co", "long.name+tag@sub.example.org"]) {
      const token = await signer.sign("unsubscribe", email, now);
      expect(base64url(fromBase64url(token)!)).toBe(token);
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      let accepted = 0;
      for (const last of alphabet) {
        const spelling = token.slice(0, -1) + last;
        if ((await signer.verify(spelling, "unsubscribe", now)).ok) accepted++;
      }
      expect(accepted).toBe(1);
    }
  });

  it("hides the address's length to within 16 bytes", async () => {
    const short = await signer.sign("unsubscribe", "ab@example.com", now);
    const longer = await signer.sign("unsubscribe", "abcdefg@example.com", now);
    expect(longer.length).toBe(short.length);
  });

  it("round-trips the longest address and non-ASCII addresses", async () => {
    const longest = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
    expect(longest.length).toBeLessThanOrEqual(254);
    for (const email of [longest, "zoë@exämple.com"]) {
      const token = await signer.sign("preferences", email, now);
      expect(await signer.verify(token, "preferences", now)).toEqual({ ok: true, email });
    }
  });

  describe("tokens of the first format, in emails already sent", () => {
    const legacyKey = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode("test-signing-secret"),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    const old = async (purpose: "confirm" | "unsubscribe" | "preferences", expires: number) =>
      signLegacyTokenForTest(await legacyKey, purpose, "ada@example.com", expires);

    it("accepts an old unsubscribe token for ever", async () => {
      const token = await old("unsubscribe", 0);
      expect(token).toContain(".");
      const muchLater = new Date(now.getTime() + 20 * 365 * 86_400_000);
      expect(await signer.verify(token, "unsubscribe", muchLater)).toEqual({
        ok: true,
        email: "ada@example.com",
      });
    });

    it("accepts an old confirm token until it expires, then refuses it", async () => {
      const expires = Math.floor(now.getTime() / 1000) + CONFIRM_TOKEN_TTL_SECONDS;
      const token = await old("confirm", expires);
      expect((await signer.verify(token, "confirm", now)).ok).toBe(true);
      const later = new Date((expires + 1) * 1000);
      expect(await signer.verify(token, "confirm", later)).toEqual({
        ok: false,
        reason: "expired",
      });
      expect(await signer.verify(token, "unsubscribe", now)).toEqual({
        ok: false,
        reason: "wrong_purpose",
      });
    });

    it("accepts only the one spelling of an old token's signature", async () => {
      const token = await old("unsubscribe", 0);
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      let accepted = 0;
      for (const last of alphabet) {
        if ((await signer.verify(token.slice(0, -1) + last, "unsubscribe", now)).ok) accepted++;
      }
      expect(accepted).toBe(1);
    });

    it("refuses an old token whose reader was altered", async () => {
      const token = await old("unsubscribe", 0);
      const [payload, signature] = token.split(".");
      const text = new TextDecoder().decode(fromBase64url(payload!)!).replace("ada@", "eve@");
      const altered = base64url(new TextEncoder().encode(text));
      expect(await signer.verify(`${altered}.${signature}`, "unsubscribe", now)).toEqual({
        ok: false,
        reason: "forged",
      });
    });
  });

  it("refuses truncated and malformed tokens", async () => {
    const token = await signer.sign("unsubscribe", "ada@example.com", now);
    for (const bad of [
      "",
      "x",
      token.slice(0, -1),
      `${token}.x`,
      `${token}A`,
      token.slice(1),
      "a".repeat(5000),
    ]) {
      expect((await signer.verify(bad, "unsubscribe", now)).ok).toBe(false);
    }
  });

  it("expires a confirm token after 7 days, but never an unsubscribe token", async () => {
    const confirmToken = await signer.sign("confirm", "ada@example.com", now);
    const unsubscribeToken = await signer.sign("unsubscribe", "ada@example.com", now);
    const later = new Date(now.getTime() + (CONFIRM_TOKEN_TTL_SECONDS + 1) * 1000);
    expect(await signer.verify(confirmToken, "confirm", later)).toEqual({
      ok: false,
      reason: "expired",
    });
    const muchLater = new Date(now.getTime() + 10 * 365 * 86_400_000);
    expect(await signer.verify(unsubscribeToken, "unsubscribe", muchLater)).toEqual({
      ok: true,
      email: "ada@example.com",
    });
  });
});
