import { describe, expect, it } from "vitest";
import {
  createSession,
  sessionCookieOptions,
  SESSION_TTL_SECONDS,
  verifySession,
} from "../../src/desk/desk-session";

const SECRET = "session-test-secret";
const ADA = { name: "ada", token: "ada-token-1234" };
const now = new Date("2026-11-26T12:00:00Z");

describe("desk session values", () => {
  it("names the editor until 12 hours have passed", async () => {
    const value = await createSession(SECRET, ADA, now);
    expect(await verifySession(SECRET, [ADA], value, now)).toBe("ada");
    const almost = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000 - 1);
    expect(await verifySession(SECRET, [ADA], value, almost)).toBe("ada");
    const after = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
    expect(await verifySession(SECRET, [ADA], value, after)).toBeNull();
  });

  it("refuses an altered, forged, foreign or malformed value", async () => {
    const value = await createSession(SECRET, ADA, now);
    const [name, expires, signature] = value.split(".");
    const later = `${name}.${Number(expires) + 1000}.${signature}`;
    const other = `linus.${expires}.${signature}`;
    const linus = { name: "linus", token: "linus-token-1234" };
    for (const bad of [later, other, "", "ada", `${value}x`, "ada.1.abc", undefined]) {
      expect(await verifySession(SECRET, [ADA, linus], bad, now)).toBeNull();
    }
    expect(await verifySession("another-secret", [ADA], value, now)).toBeNull();
  });

  it("ends when the editor's token is changed or removed", async () => {
    const value = await createSession(SECRET, ADA, now);
    expect(
      await verifySession(SECRET, [{ name: "ada", token: "new-token-5678" }], value, now),
    ).toBeNull();
    expect(await verifySession(SECRET, [], value, now)).toBeNull();
  });

  it("refuses a value whose expiry lies past 12 hours from now", async () => {
    const future = await createSession(SECRET, ADA, new Date(now.getTime() + 3_600_000));
    expect(await verifySession(SECRET, [ADA], future, now)).toBeNull();
  });

  it("is HttpOnly, SameSite=Strict, 12 hours, and Secure except on localhost", () => {
    expect(sessionCookieOptions("https://tidings.test/desk/sign-in")).toEqual({
      httpOnly: true,
      sameSite: "Strict",
      secure: true,
      path: "/",
      maxAge: 43_200,
    });
    expect(sessionCookieOptions("http://localhost:8787/desk").secure).toBe(false);
    expect(sessionCookieOptions("http://127.0.0.1:8787/desk").secure).toBe(false);
  });
});
