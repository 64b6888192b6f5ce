import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";

describe("missing secrets", () => {
  it("fails closed with 503 when EDITOR_TOKENS is not set, never accepting a default token", async () => {
    for (const token of ["", "dev-editor-token", "undefined"]) {
      const response = await app.request(
        "/api/articles",
        { headers: { Authorization: `Bearer ${token}` } },
        { ...env, EDITOR_TOKENS: undefined },
      );
      expect(response.status).toBe(503);
      const body = (await response.json()) as any;
      expect(body.error.code).toBe("not_configured");
      expect(body.error.message).toContain("EDITOR_TOKENS");
    }
  });
});

describe("the curl session in the README", () => {
  it("posts and lists an article the way an editor does with curl", async () => {
    // curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{...}'
    const post = await app.request(
      "/api/articles",
      {
        method: "POST",
        headers: {
          Authorization: "Bearer alice-test-token",
          "Content-Type": "application/json",
          "User-Agent": "curl/8.5.0",
        },
        body: '{"url":"https://pytorch.org/blog/pytorch-foundation/","title":"PyTorch joins the Linux Foundation","topics":["ai"]}',
      },
      env,
    );
    expect(post.status).toBe(201);
    const list = await app.request(
      "/api/articles?topic=ai&limit=5",
      { headers: { Authorization: "Bearer alice-test-token" } },
      env,
    );
    const body = (await list.json()) as any;
    expect(body.articles.map((a: any) => a.title)).toContain("PyTorch joins the Linux Foundation");
    expect(body).toHaveProperty("cursor");
  });
});
