import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "../fixtures/api";
import { kvSnapshot } from "../fixtures/kv";
import { confirmedReader, freshIp } from "../fixtures/reader";

describe("security headers", () => {
  it.each(["/", "/digests", "/confirm?token=x", "/nowhere"])(
    "puts a script-free CSP and friends on the HTML at %s",
    async (path) => {
      const response = await SELF.fetch(`${BASE}${path}`);
      expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src/);
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    },
  );

  it("marks JSON answers nosniff too", async () => {
    const response = await SELF.fetch(`${BASE}/api/articles`);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});

describe("cross-site form posts", () => {
  it.each([
    ["a foreign Origin", { Origin: "https://evil.example" }],
    ["a null Origin", { Origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
  ])("refuses a sign-up form sent with %s, storing nothing", async (_name, headers) => {
    const before = await kvSnapshot(env.SUBSCRIBERS);
    const response = await SELF.fetch(`${BASE}/subscribe`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "CF-Connecting-IP": freshIp(),
        ...headers,
      },
      body: "email=victim%40example.com",
    });
    expect(response.status).toBe(403);
    expect(await kvSnapshot(env.SUBSCRIBERS)).toBe(before);
  });

  it("accepts the same site's own form", async () => {
    const response = await SELF.fetch(`${BASE}/subscribe`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: BASE,
        "Sec-Fetch-Site": "same-origin",
        "CF-Connecting-IP": freshIp(),
      },
      body: "email=own-site%40example.com",
    });
    expect(response.status).toBe(200);
  });

  it("lets the one-click unsubscribe POST through whatever its Origin, on its token alone", async () => {
    const { unsubscribeUrl } = await confirmedReader("one-click-origin@hardening.test");
    const response = await SELF.fetch(unsubscribeUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "https://mail.provider.example",
      },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
  });
});
