import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { createOutboxMailer } from "../../src/mail/outbox-mailer";
import { api, BASE } from "../fixtures/api";

const basic = (password: string) => `Basic ${btoa(`editor:${password}`)}`;

async function seedMail(
  to: string,
  subject: string,
  html = '<p><a href="https://tidings.test/confirm?token=abc">Confirm</a></p>',
) {
  await createOutboxMailer(env.OUTBOX).send(
    { to, from: "T <t@x.test>", subject, html, text: "text" },
    `seed:${to}:${subject}`,
  );
}

describe("GET /api/outbox", () => {
  it("lists messages newest first with every field, filtered by recipient", async () => {
    await seedMail("first@outbox-route.test", "one");
    await seedMail("second@outbox-route.test", "two");
    const response = await api("/api/outbox?to=FIRST@outbox-route.test");
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as any;
    expect(messages).toHaveLength(1);
    expect(Object.keys(messages[0]).sort()).toEqual([
      "createdAt",
      "from",
      "headers",
      "html",
      "id",
      "subject",
      "tags",
      "text",
      "to",
    ]);
    expect(messages[0]).toMatchObject({ to: "first@outbox-route.test", subject: "one" });
  });

  it("needs an editor token and validates its query", async () => {
    expect((await api("/api/outbox", { token: null })).status).toBe(401);
    for (const query of ["limit=0", "limit=101", "limit=x", "to=not-an-email", "unknown=1"]) {
      const response = await api(`/api/outbox?${query}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.code).toBe("invalid_request");
    }
  });

  it("answers 404 when the Resend adapter is in use", async () => {
    const withResend = { ...env, RESEND_API_KEY: "re_live_key" };
    const headers = { Authorization: "Bearer alice-test-token" };
    expect((await app.request("/api/outbox", { headers }, withResend)).status).toBe(404);
    expect(
      (
        await app.request(
          "/outbox",
          { headers: { Authorization: basic("alice-test-token") } },
          withResend,
        )
      ).status,
    ).toBe(404);
  });
});

describe("GET /outbox", () => {
  it("asks for Basic auth and refuses a wrong password", async () => {
    for (const authorization of [
      undefined,
      basic("wrong-password"),
      "Basic !!!",
      "Bearer alice-test-token",
    ]) {
      const response = await SELF.fetch(`${BASE}/outbox`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Basic realm=/);
    }
  });

  it("shows each message with clickable links and escapes what it shows", async () => {
    await seedMail("page@outbox-route.test", "<b>Bold</b> subject");
    const response = await SELF.fetch(`${BASE}/outbox?to=page@outbox-route.test`, {
      headers: { Authorization: basic("alice-test-token") },
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("&lt;b&gt;Bold&lt;/b&gt; subject");
    expect(page).not.toContain("<b>Bold</b>");
    expect(page).toContain(
      '<a href="https://tidings.test/confirm?token=abc">https://tidings.test/confirm?token=abc</a>',
    );
    expect(page).toMatch(/<iframe sandbox="" [^>]*srcdoc="&lt;p&gt;/);
  });
});
