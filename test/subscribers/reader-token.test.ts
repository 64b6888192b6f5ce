import { describe, expect, it } from "vitest";
import { CONFIRM_TOKEN_TTL_SECONDS, createTokenSigner } from "../../src/subscribers/reader-token";

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

  it("refuses a token whose reader was altered", async () => {
    const token = await signer.sign("unsubscribe", "ada@example.com", now);
    const [payload, signature] = token.split(".");
    const altered = btoa(
      atob(payload!.replaceAll("-", "+").replaceAll("_", "/")).replace("ada@", "eve@"),
    )
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replaceAll("=", "");
    expect(await signer.verify(`${altered}.${signature}`, "unsubscribe", now)).toEqual({
      ok: false,
      reason: "forged",
    });
  });

  it("refuses truncated and malformed tokens", async () => {
    const token = await signer.sign("unsubscribe", "ada@example.com", now);
    for (const bad of [
      "",
      "x",
      token.slice(0, -1),
      `${token}.x`,
      token.replace(".", ""),
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
