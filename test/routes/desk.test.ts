// The editor's desk through the real HTTP surface: sign-in, the next digest, the article form,
// the note, test sends, sends and readers.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDigestStore } from "../../src/digest/digest-store";
import { api, BASE, postArticle } from "../fixtures/api";
import { desk, signIn } from "../fixtures/desk";
import { uniqueUrl } from "../fixtures/kv";
import { confirmedReader, mailTo } from "../fixtures/reader";

describe("desk sign-in", () => {
  it("sets a signed HttpOnly SameSite=Strict Secure cookie for 12 hours and goes where it was asked", async () => {
    const response = await SELF.fetch(`${BASE}/desk/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE },
      body: new URLSearchParams({ token: "alice-test-token", next: "/desk/sends" }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/desk/sends");
    const cookie = response.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^tidings_desk=alice\.\d+\.[0-9a-f]{64};/);
    expect(cookie).toContain("Max-Age=43200");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Secure");
  });

  it("leaves Secure off on localhost", async () => {
    const response = await SELF.fetch("http://localhost:8787/desk/sign-in", {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "alice-test-token" }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Set-Cookie")).not.toContain("Secure");
  });

  it("refuses a wrong token with the message next to the field, and never sends anyone off-site", async () => {
    const wrong = await desk("/desk/sign-in", "", { token: "nope-nope-nope", next: "/desk" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain(
      '<p class="error" id="token-error">That editor token is not valid.</p>',
    );
    const empty = await desk("/desk/sign-in", "", { token: "" });
    expect(await empty.text()).toContain("token is required");
    const offsite = await desk("/desk/sign-in", "", {
      token: "alice-test-token",
      next: "//evil.test/",
    });
    expect(offsite.headers.get("Location")).toBe("/desk");
    // A line break in `next` (decoded from the form) would break the Location header.
    const split = await desk("/desk/sign-in", "", {
      token: "alice-test-token",
      next: "/desk/readers\r\nSet-Cookie: x=1",
    });
    expect(split.status).toBe(303);
    expect(split.headers.get("Location")).toBe("/desk");
  });

  it("sends a page without a session to sign-in, refuses a post without one, and signs out", async () => {
    const page = await desk("/desk/readers", "");
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toBe("/desk/sign-in?next=%2Fdesk%2Freaders");
    expect((await desk("/desk/note", "tidings_desk=alice.1.00", { text: "x" })).status).toBe(401);
    const out = await desk("/desk/sign-out", "", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("Set-Cookie")).toMatch(/^tidings_desk=;.*Max-Age=0/);
  });

  it("refuses a desk form posted from another site", async () => {
    const cookie = await signIn();
    const response = await SELF.fetch(`${BASE}/desk/note`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "https://evil.test",
      },
      body: "text=hijacked",
    });
    expect(response.status).toBe(403);
    expect(await (await api("/api/digests/next/note")).json()).toMatchObject({ note: null });
  });
});

describe("the next digest on the desk", () => {
  it("posts through the form with the API's message next to each field", async () => {
    const cookie = await signIn();
    const bad = await desk("/desk/post", cookie, {
      url: "not-a-url",
      title: "  ",
      summary: "",
      source: "",
      topics: "AI",
      publishedAt: "yesterday",
    });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('id="article-url-error">url must be an absolute http or https URL');
    expect(page).toContain('id="article-title-error">title is required');
    expect(page).toContain('id="article-topics-error">topics.0 must be a slug of a-z, 0-9 and -');
    expect(page).toContain('id="article-publishedAt-error">publishedAt must be a date');
    expect(page).toContain('value="not-a-url"');

    const url = uniqueUrl("desk-post");
    const ok = await desk("/desk/post", cookie, {
      url,
      title: "Posted from the desk",
      summary: "A summary.",
      source: "",
      topics: "ai, open-source",
      publishedAt: "2026-11-25",
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe("/desk?done=posted");
    const next = await (await desk("/desk?done=posted", cookie)).text();
    expect(next).toContain("The article is posted.");
    expect(next).toContain("Posted from the desk");
    const id = /href="\/desk\/articles\/([0-9A-Z]{26})"/.exec(next)?.[1];
    expect(id).toBeDefined();
    const stored = (await (await api(`/api/articles/${id}`)).json()) as any;
    expect(stored.article).toMatchObject({
      topics: ["ai", "open-source"],
      publishedAt: "2026-11-25T00:00:00.000Z",
      editor: "alice",
    });

    const edit = await desk(`/desk/articles/${id}`, cookie);
    expect(await edit.text()).toContain('value="Posted from the desk"');
    const saved = await desk(`/desk/articles/${id}`, cookie, {
      url,
      title: "Edited on the desk",
      summary: "",
      source: "Desk",
      topics: "",
      publishedAt: "",
    });
    expect(saved.status).toBe(303);
    expect(((await (await api(`/api/articles/${id}`)).json()) as any).article).toMatchObject({
      title: "Edited on the desk",
      source: "Desk",
      topics: [],
    });

    const deleted = await desk(`/desk/articles/${id}/delete`, cookie, {});
    expect(deleted.headers.get("Location")).toBe("/desk?done=deleted");
    expect((await api(`/api/articles/${id}`)).status).toBe(404);
  });

  it("keeps the editor's note, shows it on the desk and in the preview above the stories", async () => {
    await postArticle({ url: uniqueUrl("note"), title: "A story under the note" });
    const cookie = await signIn();
    const saved = await desk("/desk/note", cookie, {
      text: "Hello readers.\n\nMore at https://example.com/more <b>now</b>.",
    });
    expect(saved.status).toBe(303);
    const next = await (await desk("/desk", cookie)).text();
    expect(next).toContain("Hello readers.");
    const preview = await (await api("/api/digests/preview")).text();
    expect(preview).toContain(
      "<a href='https://example.com/more' class='l' style='color:#0b57d0;word-break:break-all;'>https://example.com/more</a> &lt;b&gt;now&lt;/b&gt;.",
    );
    const body = preview.slice(preview.indexOf("In this issue"));
    expect(body.indexOf("Hello readers.")).toBeGreaterThan(0);
    expect(body.indexOf("Hello readers.")).toBeLessThan(body.indexOf("A story under the note"));

    const note = (await (await api("/api/digests/next/note")).json()) as any;
    expect(note.note).toMatchObject({
      text: expect.stringContaining("Hello readers."),
      editor: "alice",
    });
    const tooLong = await desk("/desk/note", cookie, { text: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain("text must be at most 2000 characters");
  });

  it("previews the email full size, as plain text, and in dark mode", async () => {
    const cookie = await signIn();
    const html = await (await desk("/desk/preview", cookie)).text();
    expect(html).toMatch(/<iframe class="full" sandbox="" title="Email: [^"]*" srcdoc="/);
    expect(html).toContain('href="/desk/preview?format=text"');
    const text = await (await desk("/desk/preview?format=text", cookie)).text();
    expect(text).toContain('<pre class="card" aria-label="Plain text version">');
    const dark = await (await desk("/desk/preview?scheme=dark", cookie)).text();
    // The email's own dark styles, applied whatever the editor's setting; no inversion.
    expect(dark).toContain("@media all{.b{background:#111214!important;}");
    expect(dark).not.toContain("filter:invert(1)");
    const alone = await desk("/desk/preview/email", cookie);
    expect(alone.status).toBe(200);
    expect(await alone.text()).toMatch(/^<!doctype html>/);
  });

  it("sends a test with [Test] in the subject, counted nowhere, and never to a suppressed address", async () => {
    await postArticle({ url: uniqueUrl("test-send"), title: "Test send story" });
    const cookie = await signIn();
    const sent = await desk("/desk/test", cookie, { to: "Editor@Desk-Test.example" });
    expect(sent.headers.get("Location")).toBe("/desk?done=test");
    const [mail] = await mailTo("editor@desk-test.example");
    expect(mail?.subject).toMatch(/^\[Test\] Tidings: /);
    expect(mail?.tags).toEqual([{ name: "test", value: "1" }]);

    const api202 = await api("/api/digests/next/test", {
      method: "POST",
      json: { to: "api@desk-test.example" },
    });
    expect(api202.status).toBe(202);
    expect((await mailTo("api@desk-test.example"))[0]?.subject).toMatch(/^\[Test\] /);

    await confirmedReader("gone@desk-test.example");
    await env.READERS.get(env.READERS.idFromName("gone@desk-test.example")).markInvalid(
      new Date().toISOString(),
    );
    const refused = await api("/api/digests/next/test", {
      method: "POST",
      json: { to: "gone@desk-test.example" },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).error.code).toBe("suppressed");
    const page = await desk("/desk/test", cookie, { to: "gone@desk-test.example" });
    expect(page.status).toBe(409);
    const tests = (await mailTo("gone@desk-test.example")).filter((m) =>
      m.subject.startsWith("[Test]"),
    );
    expect(tests).toHaveLength(0);
    expect(await page.text()).toContain('id="test-to-error">gone@desk-test.example is suppressed');

    const bad = await api("/api/digests/next/test", { method: "POST", json: {} });
    expect(bad.status).toBe(400);
  });
});

describe("sends and readers on the desk", () => {
  it("lists each digest's progress with Release for a held one", async () => {
    const digests = createDigestStore(env.DIGESTS);
    await digests.put({
      id: "2020-01-02",
      status: "held",
      heldReason: "complaints at 0.5%",
      title: "Tidings for Thursday, 2 January 2020",
      subject: "Tidings: held story",
      windowStart: "2020-01-01T07:00:00.000Z",
      cutoff: "2020-01-02T07:00:00.000Z",
      sections: [],
      articleCount: 1,
      webHtml: "<p>held</p>",
      createdAt: "2020-01-02T07:00:00.000Z",
    });
    const cookie = await signIn();
    const page = await (await desk("/desk/sends", cookie)).text();
    expect(page).toContain("complaints at 0.5%");
    expect(page).toContain('action="/desk/sends/2020-01-02/release"');
    expect(page).not.toContain("/desk/sends/2020-01-02/redrive");
    const released = await desk("/desk/sends/2020-01-02/release", cookie, {});
    expect(released.headers.get("Location")).toBe("/desk/sends?done=released");
    const again = await desk("/desk/sends/2020-01-02/release", cookie, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("is not held");
    const none = await desk("/desk/sends/2020-01-02/redrive", cookie, {});
    expect(none.status).toBe(409);
  });

  it("counts readers by status, finds one by address, and erases after a confirmation step", async () => {
    await confirmedReader("erase.me@desk-readers.example");
    const cookie = await signIn();
    const list = await (await desk("/desk/readers?q=erase.me@", cookie)).text();
    expect(list).toMatch(/<td>confirmed<\/td><td>[1-9]\d*<\/td>/);
    expect(list).toContain('href="/desk/readers/erase.me%40desk-readers.example"');
    const record = await (
      await desk("/desk/readers/erase.me%40desk-readers.example", cookie)
    ).text();
    expect(record).toContain("confirmed");
    expect(record).not.toContain("Yes, erase this reader");
    const confirm = await (
      await desk("/desk/readers/erase.me%40desk-readers.example?erase=1", cookie)
    ).text();
    expect(confirm).toContain("Yes, erase this reader");
    const erased = await desk("/desk/readers/erase.me%40desk-readers.example/erase", cookie, {});
    expect(erased.headers.get("Location")).toBe("/desk/readers?done=erased");
    expect((await api("/api/subscribers/erase.me%40desk-readers.example")).status).toBe(404);
  });

  it("imports readers from CSV, each with a confirmation email", async () => {
    const cookie = await signIn();
    const page = await desk("/desk/readers/import", cookie, {
      csv: "name,email\nAda,csv.one@desk-readers.example\nLin,not-an-address\n",
      consentSource: "conference list",
    });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("csv.one@desk-readers.example: confirmation sent");
    expect(text).toContain("addresses.1 is not an email address.");
    expect((await mailTo("csv.one@desk-readers.example"))[0]?.subject).toMatch(/^Confirm/);
    const missing = await desk("/desk/readers/import", cookie, { csv: "", consentSource: "" });
    expect(missing.status).toBe(400);
    const missingText = await missing.text();
    expect(missingText).toContain("consentSource is required");
    expect(missingText).toContain("the CSV must hold 1 to 100 addresses");
  });

  it("shows an embeddable sign-up form", async () => {
    const cookie = await signIn();
    const page = await (await desk("/desk/embed", cookie)).text();
    expect(page).toContain(
      "&lt;form method=&quot;post&quot; action=&quot;https://tidings.test/subscribe&quot;&gt;",
    );
  });
});
