import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { createOutboxMailer } from "../../src/mail/outbox-mailer";
import { api, BASE } from "../fixtures/api";
import { desk, signIn } from "../fixtures/desk";

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
  it("sends a browser without a session to the desk's sign-in, and refuses a wrong password", async () => {
    for (const authorization of [undefined, "Bearer alice-test-token"]) {
      const response = await SELF.fetch(`${BASE}/outbox?to=a@b.test`, {
        headers: authorization ? { Authorization: authorization } : {},
        redirect: "manual",
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("Location")).toBe(
        `/desk/sign-in?next=${encodeURIComponent("/outbox?to=a@b.test")}`,
      );
    }
    for (const authorization of [basic("wrong-password"), "Basic !!!"]) {
      const response = await SELF.fetch(`${BASE}/outbox`, {
        headers: { Authorization: authorization },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Basic realm=/);
    }
  });

  it("lists from, to, subject and time in words, escaped, each subject opening the message", async () => {
    await seedMail("page@outbox-route.test", "<b>Bold</b> subject");
    const cookie = await signIn();
    const response = await desk("/outbox?to=page@outbox-route.test", cookie);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("&lt;b&gt;Bold&lt;/b&gt; subject");
    expect(page).not.toContain("<b>Bold</b>");
    expect(page).toContain("just now");
    expect(page).toContain("T &lt;t@x.test&gt;");
    const ref = /href="\/outbox\/([^"?]+)"/.exec(page)?.[1];
    expect(ref).toBeDefined();

    const message = await (await desk(`/outbox/${ref}`, cookie)).text();
    expect(message).toMatch(/<iframe class="full" sandbox="" [^>]*srcdoc="&lt;p&gt;/);
    // Links as a short list: the words they are on, and the address cut short.
    expect(message).toContain(
      'Confirm: <a href="https://tidings.test/confirm?token=abc">tidings.test/confirm?token=abc</a>',
    );
    expect(await (await desk(`/outbox/${ref}?view=text`, cookie)).text()).toContain(
      '<pre class="card">text</pre>',
    );
    expect(await (await desk(`/outbox/${ref}?view=raw`, cookie)).text()).toContain(
      "&quot;subject&quot;: &quot;&lt;b&gt;Bold&lt;/b&gt; subject&quot;",
    );
    expect((await desk("/outbox/not-a-ref", cookie)).status).toBe(404);
    expect((await desk(`/outbox/${ref}?view=nope`, cookie)).status).toBe(400);
  });

  it("still takes HTTP Basic with the editor token as password", async () => {
    const response = await SELF.fetch(`${BASE}/outbox`, {
      headers: { Authorization: basic("alice-test-token") },
    });
    expect(response.status).toBe(200);
  });
});
