// API messages a person understands, 405 with Allow, date-only publishedAt, raw URLs refused,
// /health, readers as CSV, and sign-ups from the sites in SIGNUP_ORIGINS.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { api, BASE, postArticle } from "../fixtures/api";
import { kvSnapshot, uniqueUrl } from "../fixtures/kv";
import { confirmedRecord } from "../fixtures/digest";
import { mailTo } from "../fixtures/reader";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";

const errorOf = async (response: Response) => ((await response.json()) as any).error;

describe("API messages in plain words", () => {
  it("names the field and the rule", async () => {
    const missing = await postArticle({ url: "https://example.com/plain" });
    expect(missing.response.status).toBe(400);
    expect(missing.body.error.message).toBe("title is required");
    expect(missing.body.error.issues).toEqual([{ path: "title", message: "title is required" }]);

    const limit = await errorOf(await api("/api/articles?limit=500"));
    expect(limit.message).toBe("limit must be between 1 and 100");
    expect((await errorOf(await api("/api/articles?limit=x"))).message).toBe(
      "limit must be a whole number",
    );
    const unknown = await postArticle({ url: "https://example.com/p", title: "t", colour: "red" });
    expect(unknown.body.error.message).toBe("colour is not a known field");
    const typed = await postArticle({ url: "https://example.com/p", title: 42 });
    expect(typed.body.error.message).toBe("title must be text");
    const topics = await postArticle({ url: "https://example.com/p", title: "t", topics: ["A B"] });
    expect(topics.body.error.message).toBe("topics.0 must be a slug of a-z, 0-9 and -");
    const status = await errorOf(await api("/api/subscribers?status=gone"));
    expect(status.message).toMatch(/^status must be one of pending, confirmed, /);
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const put = await api("/api/articles", { method: "PUT", json: {} });
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("GET, HEAD, POST");
    expect((await errorOf(put)).code).toBe("method_not_allowed");
    const article = await api("/api/articles/01ARZ3NDEKTSV4RRFFQ69G5FAV", { method: "PUT" });
    expect(article.headers.get("Allow")).toBe("DELETE, GET, HEAD, PATCH");
    const page = await SELF.fetch(`${BASE}/digests`, { method: "DELETE" });
    expect(page.status).toBe(405);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect((await api("/api/nothing-here", { method: "PUT" })).status).toBe(404);
  });

  it("takes a date-only publishedAt as midnight UTC", async () => {
    const { response, body } = await postArticle({
      url: uniqueUrl("date-only"),
      title: "Dated",
      publishedAt: "2024-05-01",
    });
    expect(response.status).toBe(201);
    expect(body.article.publishedAt).toBe("2024-05-01T00:00:00.000Z");
    const bad = await postArticle({
      url: uniqueUrl("bad-date"),
      title: "x",
      publishedAt: "2024-13-01",
    });
    expect(bad.response.status).toBe(400);
  });

  it("refuses a URL with raw whitespace or control characters and stores nothing", async () => {
    const before = await kvSnapshot(env.ARTICLES);
    for (const url of [
      "https://example.com/a b",
      "https://example.com/a\tb",
      "https://exam\nple.com/",
      " https://example.com/lead",
      "https://example.com/\u0000",
    ]) {
      const { response, body } = await postArticle({ url, title: "Raw" });
      expect(response.status).toBe(400);
      expect(body.error.message).toBe("url must not contain spaces or control characters");
    }
    expect(await kvSnapshot(env.ARTICLES)).toBe(before);
  });
});

describe("GET /health", () => {
  it("answers ok and the package version without auth or storage", async () => {
    const response = await SELF.fetch(`${BASE}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, version: "0.1.0" });
    // No storage at all: it answers with every binding gone.
    const bare = await app.request("/health", {}, { COMMIT_SHA: "abc123" } as any);
    expect(await bare.json()).toEqual({ ok: true, version: "0.1.0", commit: "abc123" });
  });
});

describe("readers as CSV", () => {
  it("exports address, status, dates and source, with formula cells neutralised", async () => {
    const store = createSubscriberStore(env.SUBSCRIBERS);
    await store.put(confirmedRecord("=cmd@csv-export.example"), null);
    await store.put(confirmedRecord("plain@csv-export.example"), null);
    const response = await api("/api/subscribers.csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const csv = await response.text();
    expect(csv.split("\r\n")[0]).toBe(
      "email,status,signed_up_at,confirmed_at,unsubscribed_at,source,consent_source",
    );
    expect(csv).toMatch(/\r\n'=cmd@csv-export\.example,confirmed,/);
    expect(csv).toMatch(/\r\nplain@csv-export\.example,confirmed,\d{4}-/);
    expect(csv).not.toMatch(/token|ipHash/i);
    expect((await api("/api/subscribers.csv", { token: null })).status).toBe(401);
  });

  it("imports from CSV with a confirmation email each", async () => {
    const response = await api("/api/subscribers.csv?consentSource=meetup", {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: "email\ncsv.import@csv-import.example\n",
    });
    expect(response.status).toBe(207);
    expect(((await response.json()) as any).results[0]).toMatchObject({
      status: 202,
      outcome: "confirmation_sent",
    });
    expect((await mailTo("csv.import@csv-import.example"))[0]?.subject).toMatch(/^Confirm/);
    const noSource = await api("/api/subscribers.csv", {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: "a@b.example\n",
    });
    expect((await errorOf(noSource)).message).toBe("consentSource is required");
  });
});

describe("SIGNUP_ORIGINS", () => {
  const listed = { ...env, SIGNUP_ORIGINS: "https://blog.example.com, not a url" };
  const form = (origin: string) =>
    app.request(
      "/subscribe",
      {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Origin: origin,
          "Sec-Fetch-Site": "cross-site",
          "CF-Connecting-IP": "203.0.113.77",
        },
        body: new URLSearchParams({ email: "embedded@signup-origins.example", website: "" }),
      },
      listed,
    );

  it("accepts form posts from a listed site and refuses every other site", async () => {
    expect((await form("https://blog.example.com")).status).toBe(200);
    expect((await form("https://evil.example")).status).toBe(403);
  });

  it("answers CORS for JSON sign-ups from a listed site only", async () => {
    const preflight = await app.request(
      "/subscribe",
      { method: "OPTIONS", headers: { Origin: "https://blog.example.com" } },
      listed,
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("https://blog.example.com");
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toBe("Content-Type");
    const refused = await app.request(
      "/subscribe",
      { method: "OPTIONS", headers: { Origin: "https://evil.example" } },
      listed,
    );
    expect(refused.status).toBe(403);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const json = await app.request(
      "/subscribe",
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Origin: "https://blog.example.com",
          "CF-Connecting-IP": "203.0.113.78",
        },
        body: JSON.stringify({ email: "json@signup-origins.example" }),
      },
      listed,
    );
    expect(json.status).toBe(202);
    expect(json.headers.get("Access-Control-Allow-Origin")).toBe("https://blog.example.com");
    const unlisted = await app.request(
      "/subscribe",
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Origin: "https://evil.example",
          "CF-Connecting-IP": "203.0.113.79",
        },
        body: JSON.stringify({ email: "json@signup-origins.example" }),
      },
      listed,
    );
    expect(unlisted.status).toBe(403);
    expect(unlisted.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
