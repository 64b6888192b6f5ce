// Hostile and malformed requests across every route. Each must answer 4xx with a clear error, never
// 500, change nothing in any KV namespace, and never echo its payload unescaped into HTML or a header.
import { env, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenSigner } from "../../src/subscribers/reader-token";
import { ALICE, BASE } from "../fixtures/api";
import { confirmedRecord } from "../fixtures/digest";
import { kvSnapshot } from "../fixtures/kv";
import { sign } from "../fixtures/webhook";

type Case = {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

const SCRIPT = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';
const HOSTILE = [
  SCRIPT,
  IMG,
  "javascript:alert(1)",
  "\u0000\u0001\u0002",
  "\u202Eevil\u202C",
  "a@b.c\r\nBcc: x@y.z",
  "{{7*7}}${7*7}",
  "../../etc/passwd",
  "\uD800",
  "💥".repeat(3000),
  "x".repeat(100_000),
];
const WRONG_TYPES = [null, 42, true, [], {}, ["x"]];
const json = { "Content-Type": "application/json" };
const form = { "Content-Type": "application/x-www-form-urlencoded" };
const auth = { Authorization: `Bearer ${ALICE}` };
const good = { url: "https://hostile.test/story", title: "A story" };

const cases: Case[] = [];
// Names go over the test runner's WebSocket: keep them printable ASCII (a cut emoji is invalid UTF-8).
const add = (c: Case) => cases.push({ ...c, name: c.name.replace(/[^\x20-\x7e]/g, "?") });
const postArticle = (name: string, body: unknown) =>
  add({
    name,
    method: "POST",
    path: "/api/articles",
    headers: { ...auth, ...json },
    body: JSON.stringify(body),
  });

// Article fields: every rule broken, with hostile strings and wrong types.
for (const url of [
  "javascript:alert(1)",
  "data:text/html,<b>x</b>",
  "/relative",
  "http://",
  "ftp://x.test/y",
  `https://x.test/${"a".repeat(2050)}`,
  IMG,
  "",
  ...WRONG_TYPES,
])
  postArticle(`article url ${JSON.stringify(url)?.slice(0, 30)}`, { ...good, url });
for (const title of [
  "",
  "   ",
  "\u0000",
  "x\u0007y",
  "t".repeat(301),
  HOSTILE[9],
  HOSTILE[10],
  ...WRONG_TYPES,
])
  postArticle(`article title ${JSON.stringify(title)?.slice(0, 30)}`, { ...good, title });
for (const summary of ["s".repeat(2001), "\u0000", HOSTILE[10], 42, {}, []])
  postArticle(`article summary ${JSON.stringify(summary)?.slice(0, 30)}`, { ...good, summary });
for (const source of ["s".repeat(101), "\u0001", 5, {}])
  postArticle(`article source ${JSON.stringify(source)?.slice(0, 30)}`, { ...good, source });
for (const topics of [
  "ai",
  [1],
  ["UPPER"],
  ["a b"],
  [SCRIPT],
  Array(11).fill("t"),
  [null],
  ["a".repeat(33)],
  {},
])
  postArticle(`article topics ${JSON.stringify(topics).slice(0, 30)}`, { ...good, topics });
for (const publishedAt of ["yesterday", "2026-13-45T00:00:00Z", "2026-11-25T08:00:00", 0, SCRIPT])
  postArticle(`article publishedAt ${JSON.stringify(publishedAt)}`, { ...good, publishedAt });
for (const extra of [
  { extra: 1 },
  { id: "mine" },
  { editor: "mallory" },
  { createdAt: "2020-01-01T00:00:00Z" },
])
  postArticle(`article unknown field ${Object.keys(extra)[0]}`, { ...good, ...extra });
for (const body of [
  "{",
  "[",
  "null",
  '"text"',
  "123",
  '{"url":',
  "\u0000",
  "[[[[[[[[[[",
  "{'single': 1}",
  `{"url": "${"x".repeat(70_000)}"}`,
])
  add({
    name: `article body ${body.slice(0, 12)}`,
    method: "POST",
    path: "/api/articles",
    headers: { ...auth, ...json },
    body,
  });
for (const type of [
  "text/plain",
  "application/xml",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "text/html",
])
  add({
    name: `article content type ${type}`,
    method: "POST",
    path: "/api/articles",
    headers: { ...auth, "Content-Type": type },
    body: JSON.stringify(good),
  });
add({
  name: "article with no content type",
  method: "POST",
  path: "/api/articles",
  headers: auth,
  body: JSON.stringify(good),
});
for (const body of [
  '{"articles": "x"}',
  '{"articles": []}',
  `{"articles": [${Array(101).fill("{}").join(",")}]}`,
  "{}",
  '{"articles": [], "extra": 1}',
])
  add({
    name: `batch ${body.slice(0, 20)}`,
    method: "POST",
    path: "/api/articles/batch",
    headers: { ...auth, ...json },
    body,
  });

// Editor auth: forged and truncated tokens.
for (const authorization of [
  "",
  "Bearer",
  "Bearer ",
  `Bearer ${ALICE.slice(0, -1)}`,
  `Bearer ${ALICE}x`,
  `Basic ${btoa(`x:${ALICE}`)}`,
  `Token ${ALICE}`,
  `Bearer ${SCRIPT}`,
]) {
  add({
    name: `auth ${authorization.slice(0, 20)}`,
    method: "POST",
    path: "/api/articles",
    headers: { ...json, Authorization: authorization },
    body: JSON.stringify(good),
  });
}
for (const query of [
  "limit=0",
  "limit=101",
  "limit=-1",
  "limit=abc",
  "since=yesterday",
  "until=2026-99-99T00:00:00Z",
  "topic=UPPER",
  `topic=${encodeURIComponent(SCRIPT)}`,
  "cursor=garbage",
  `cursor=${"a".repeat(5000)}`,
  "unknown=1",
  "limit=1&limit=2",
]) {
  add({
    name: `list ${query.slice(0, 20)}`,
    method: "GET",
    path: `/api/articles?${query}`,
    headers: auth,
  });
}
for (const id of ["x", "%00", encodeURIComponent(SCRIPT), "01JZZZZZZZZZZZZZZZZZZZZZZZ"]) {
  for (const method of ["GET", "DELETE"])
    add({
      name: `${method} article ${id.slice(0, 12)}`,
      method,
      path: `/api/articles/${id}`,
      headers: auth,
    });
  add({
    name: `PATCH article ${id.slice(0, 12)}`,
    method: "PATCH",
    path: `/api/articles/${id}`,
    headers: { ...auth, ...json },
    body: JSON.stringify({ title: "x" }),
  });
}

// Sign-up: hostile addresses, wrong bodies.
for (const email of HOSTILE)
  add({
    name: `sign-up form ${JSON.stringify(email).slice(0, 20)}`,
    method: "POST",
    path: "/subscribe",
    headers: form,
    body: new URLSearchParams({ email }).toString(),
  });
for (const email of [...HOSTILE.slice(0, 4), ...WRONG_TYPES])
  add({
    name: `sign-up json ${JSON.stringify(email)?.slice(0, 20)}`,
    method: "POST",
    path: "/subscribe",
    headers: json,
    body: JSON.stringify({ email }),
  });
add({
  name: "sign-up text/plain",
  method: "POST",
  path: "/subscribe",
  headers: { "Content-Type": "text/plain" },
  body: "email=a@b.co",
});
add({
  name: "sign-up oversized form",
  method: "POST",
  path: "/subscribe",
  headers: form,
  body: `email=${"a".repeat(20_000)}`,
});
add({
  name: "sign-up malformed json",
  method: "POST",
  path: "/subscribe",
  headers: json,
  body: "{",
});

// Reader tokens: forged, truncated, altered, wrong purpose, on every token route.
const tokens: string[] = [];
beforeAll(async () => {
  const signer = createTokenSigner("test-signing-secret");
  const confirm = await signer.sign("confirm", "hostile@readers.test", new Date());
  const unsubscribe = await signer.sign("unsubscribe", "hostile@readers.test", new Date());
  const expired = await signer.sign(
    "confirm",
    "hostile@readers.test",
    new Date("2020-01-01T00:00:00Z"),
  );
  const forged = await createTokenSigner("wrong-secret").sign(
    "unsubscribe",
    "hostile@readers.test",
    new Date(),
  );
  tokens.push(
    unsubscribe.slice(0, -2),
    `${confirm}x`,
    forged,
    expired,
    SCRIPT,
    "",
    confirm,
    unsubscribe,
  );
  await env.SUBSCRIBERS.put(
    "v1:subscriber:hostile@readers.test",
    JSON.stringify(confirmedRecord("hostile@readers.test")),
    { metadata: { status: "confirmed" } },
  );
});
const tokenRoutes: [string, string, "confirm" | "unsubscribe"][] = [
  ["GET", "/confirm", "confirm"],
  ["POST", "/confirm", "confirm"],
  ["GET", "/unsubscribe", "unsubscribe"],
  ["POST", "/unsubscribe", "unsubscribe"],
  ["GET", "/preferences", "unsubscribe"],
  ["GET", "/preferences/export", "unsubscribe"],
  ["GET", "/preferences/erase", "unsubscribe"],
  ["POST", "/preferences/erase", "unsubscribe"],
];
// Token i: 0 truncated, 1 extended, 2 other secret, 3 expired, 4 markup, 5 empty, 6 confirm token, 7 unsubscribe token.
const TOKEN_KINDS = [
  "truncated",
  "extended",
  "forged",
  "expired",
  "markup",
  "empty",
  "confirm",
  "unsubscribe",
];
for (const [method, path, purpose] of tokenRoutes) {
  for (let i = 0; i < 6; i++)
    add({
      name: `${method} ${path} with a ${TOKEN_KINDS[i]} token`,
      method,
      path,
      headers: form,
      body: `token=${i}`,
    });
  // A token for the other purpose.
  add({
    name: `${method} ${path} with a ${purpose === "confirm" ? "unsubscribe" : "confirm"} token`,
    method,
    path,
    headers: form,
    body: `token=${purpose === "confirm" ? 7 : 6}`,
  });
}

// Webhooks: forged, stale, malformed, oversized.
const webhookBody = JSON.stringify({
  type: "email.complained",
  data: { to: ["hostile@readers.test"], tags: { digest: "2026-01-01" } },
});
for (const [name, headers] of [
  ["no svix headers", {}],
  [
    "a garbage signature",
    { "svix-id": "msg_1", "svix-timestamp": "NOW", "svix-signature": "v1,abc" },
  ],
  [
    "a non-numeric timestamp",
    { "svix-id": "msg_1", "svix-timestamp": "abc", "svix-signature": "v1,abc" },
  ],
  ["an id with spaces", { "svix-id": "msg 1", "svix-timestamp": "NOW", "svix-signature": "SIGN" }],
  ["a stale timestamp", { "svix-id": "msg_2", "svix-timestamp": "OLD", "svix-signature": "SIGN" }],
  ["a v2 signature", { "svix-id": "msg_3", "svix-timestamp": "NOW", "svix-signature": "v2,SIGN" }],
] as [string, Record<string, string>][])
  add({
    name: `webhook with ${name}`,
    method: "POST",
    path: "/webhooks/resend",
    headers: { ...json, ...headers },
    body: webhookBody,
  });
add({
  name: "webhook oversized",
  method: "POST",
  path: "/webhooks/resend",
  headers: { ...json, "svix-id": "m", "svix-timestamp": "NOW", "svix-signature": "v1,x" },
  body: "x".repeat(300_000),
});

// Digests, outbox, subscribers.
for (const path of [
  "/api/digests/bad",
  "/api/digests/2026-99-99",
  `/api/digests/${encodeURIComponent(SCRIPT)}`,
  "/api/digests/2099-01-01",
])
  add({ name: `digest status ${path.slice(13, 30)}`, method: "GET", path, headers: auth });
for (const body of [
  '{"date": "tomorrow"}',
  '{"date": "2999-01-01"}',
  '{"dryRun": "yes"}',
  '{"extra": 1}',
  "[",
  '{"date": 20260101}',
])
  add({
    name: `digest run ${body}`,
    method: "POST",
    path: "/api/digests/run",
    headers: { ...auth, ...json },
    body,
  });
// The run route takes an optional body: left out it reads as {}, but a body without a type is refused.
add({
  name: "digest run, body without a content type",
  method: "POST",
  path: "/api/digests/run",
  headers: auth,
  body: '{"dryRun": true}',
});
add({
  name: "digest run, oversized body without a content type",
  method: "POST",
  path: "/api/digests/run",
  headers: auth,
  body: "x".repeat(70_000),
});
for (const id of ["bad", "2099-01-01", SCRIPT])
  add({
    name: `release ${id.slice(0, 12)}`,
    method: "POST",
    path: `/api/digests/${encodeURIComponent(id)}/release`,
    headers: auth,
  });
for (const query of [
  "limit=0",
  "limit=1000",
  "to=not-an-address",
  `to=${encodeURIComponent(SCRIPT)}`,
  "x=1",
])
  add({ name: `outbox ${query}`, method: "GET", path: `/api/outbox?${query}`, headers: auth });
for (const authorization of ["Basic !!!", `Basic ${btoa("editor:wrong")}`, `Basic ${btoa(SCRIPT)}`])
  add({
    name: `outbox page ${authorization.slice(0, 12)}`,
    method: "GET",
    path: "/outbox",
    headers: { Authorization: authorization },
  });
for (const path of [
  "/api/subscribers?status=vip",
  "/api/subscribers?limit=0",
  "/api/subscribers?cursor=x&cursor=y",
  `/api/subscribers/${encodeURIComponent(SCRIPT)}`,
  "/api/subscribers/nobody@hostile.test",
])
  add({ name: `subscribers ${path.slice(16, 40)}`, method: "GET", path, headers: auth });
for (const body of [
  '{"addresses": []}',
  '{"addresses": ["a@b.co"]}',
  `{"addresses": ["a@b.co"], "consentSource": "${SCRIPT}\\u0000"}`,
  "{",
  '{"addresses": "a@b.co", "consentSource": "x"}',
])
  add({
    name: `import ${body.slice(0, 20)}`,
    method: "POST",
    path: "/api/subscribers/import",
    headers: { ...auth, ...json },
    body,
  });
add({
  name: "erase an unknown reader",
  method: "DELETE",
  path: "/api/subscribers/nobody@hostile.test",
  headers: auth,
});

// The editor's note, the test send and readers as CSV.
for (const body of [
  "{}",
  '{"text": 5}',
  `{"text": "${"x".repeat(2001)}"}`,
  `{"text": "${SCRIPT}\u0007"}`,
  '{"text": "ok", "more": 1}',
])
  add({
    name: `note ${body.slice(0, 20)}`,
    method: "PUT",
    path: "/api/digests/next/note",
    headers: { ...auth, ...json },
    body,
  });
for (const body of [
  "{}",
  '{"to": "not-an-address"}',
  `{"to": "${IMG.replaceAll('"', '\\"')}"}`,
  '{"to": ["a@b.co"]}',
])
  add({
    name: `test send ${body.slice(0, 20)}`,
    method: "POST",
    path: "/api/digests/next/test",
    headers: { ...auth, ...json },
    body,
  });
for (const [query, type, body] of <[string, string, string][]>[
  ["", "text/csv", "a@b.co\n"],
  [`?consentSource=${encodeURIComponent(SCRIPT + "\u0000")}`, "text/csv", "a@b.co\n"],
  ["?consentSource=x", "application/json", '["a@b.co"]'],
  ["?consentSource=x", "text/csv", "email\n"],
  ["?consentSource=x", "text/csv", "a@b.co\n".repeat(101)],
])
  add({
    name: `csv import ${query.slice(0, 20)} ${type}`,
    method: "POST",
    path: `/api/subscribers.csv${query}`,
    headers: { ...auth, "Content-Type": type },
    body,
  });
add({
  name: "csv export, overlong cursor",
  method: "GET",
  path: `/api/subscribers.csv?cursor=${"c".repeat(2049)}`,
  headers: auth,
});
for (const [method, path, body] of <[string, string, string | undefined][]>[
  [
    "POST",
    "/desk/sign-in",
    `token=${encodeURIComponent(SCRIPT)}&next=${encodeURIComponent("https://evil.test")}`,
  ],
  ["POST", "/desk/note", "text=x"],
  ["POST", "/desk/post", "url=x"],
  ["POST", "/desk/readers/nobody@hostile.test/erase", ""],
])
  add({ name: `desk without a session ${path}`, method, path, headers: form, body });

// Wrong methods.
for (const [method, path] of <[string, string][]>[
  ["PUT", "/api/articles"],
  ["DELETE", "/api/articles"],
  ["PATCH", "/subscribe"],
  ["PUT", "/confirm"],
  ["DELETE", "/"],
  ["POST", "/digests"],
  ["POST", "/feed.xml"],
  ["PUT", "/webhooks/resend"],
  ["GET", "/webhooks/resend"],
  ["POST", "/api/digests/preview"],
  ["POST", "/api/digests/next/note"],
  ["DELETE", "/desk/sign-in"],
  ["PUT", "/health"],
]) {
  add({ name: `wrong method ${method} ${path}`, method, path, headers: auth });
}

const answered: Record<string, number> = {};
afterAll(() => {
  const fourxx = Object.entries(answered)
    .filter(([status]) => status.startsWith("4"))
    .reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `hostile inputs: ${cases.length} tried, ${fourxx} answered 4xx (${JSON.stringify(answered)})`,
  );
});

async function snapshot() {
  return Promise.all([env.ARTICLES, env.SUBSCRIBERS, env.DIGESTS, env.OUTBOX].map(kvSnapshot));
}

describe("hostile input", () => {
  it("has at least 150 cases", () => expect(cases.length).toBeGreaterThanOrEqual(150));

  it.each(cases.map((c) => [c.name, c] as const))(
    "%s: answers 4xx, changes nothing, echoes nothing",
    async (_name, c) => {
      const now = Math.floor(Date.now() / 1000);
      let body = c.body;
      const headers: Record<string, string> = {
        ...c.headers,
        "CF-Connecting-IP": `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
      };
      if (headers["svix-timestamp"] === "NOW") headers["svix-timestamp"] = String(now);
      if (headers["svix-timestamp"] === "OLD") headers["svix-timestamp"] = String(now - 3600);
      if (headers["svix-signature"]?.includes("SIGN")) {
        const signature = (
          await sign(
            "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5",
            headers["svix-id"]!,
            Number(headers["svix-timestamp"]),
            body ?? "",
          )
        ).slice(3);
        headers["svix-signature"] = headers["svix-signature"].replace("SIGN", signature);
      }
      let path = c.path;
      const tokenMatch = /^token=(\d)$/.exec(body ?? "");
      if (tokenMatch) {
        const token = tokens[Number(tokenMatch[1])]!;
        if (c.method === "GET") {
          path = `${c.path}?token=${encodeURIComponent(token)}`;
          body = undefined;
        } else {
          body = `token=${encodeURIComponent(token)}`;
          if (c.path !== "/confirm") path = `${c.path}?token=${encodeURIComponent(token)}`;
        }
      }
      const before = await snapshot();
      const response = await SELF.fetch(`${BASE}${path}`, {
        method: c.method,
        headers,
        // Bytes, not a string: fetch would add `Content-Type: text/plain` to a string body by itself.
        body: c.method === "GET" || body === undefined ? undefined : new TextEncoder().encode(body),
      });
      const text = await response.text();
      answered[response.status] = (answered[response.status] ?? 0) + 1;
      expect(response.status, `${c.name}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      if ((response.headers.get("Content-Type") ?? "").includes("json")) {
        const error = (JSON.parse(text) as { error: { code: string; message: string } }).error;
        expect(error.code).toMatch(/^[a-z_]+$/);
        expect(error.message.length).toBeGreaterThan(5);
      }
      expect(text).not.toContain(SCRIPT);
      expect(text).not.toContain("<img src=x");
      for (const [name, value] of response.headers) {
        expect(name.toLowerCase()).not.toBe("bcc");
        expect(value).not.toMatch(/[\r\n]/);
      }
      expect(await snapshot()).toEqual(before);
    },
  );
});
