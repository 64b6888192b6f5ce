import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createOutboxMailer } from "../../src/mail/outbox-mailer";
import { readerLedger } from "../../src/subscribers/reader-ledger";
import { createTokenSigner } from "../../src/subscribers/reader-token";
import { subscribe } from "../../src/subscribers/subscription";
import { BASE } from "../fixtures/api";
import { mirrorOf } from "../fixtures/ledger";
import { kvSnapshot } from "../fixtures/kv";
import { parseHtml } from "../fixtures/parse";
import {
  confirmedReader,
  freshIp,
  linkIn,
  mailTo,
  postForm,
  signUp,
  textOf,
  tokenOf,
} from "../fixtures/reader";

let n = 0;
const address = (label: string) => `${label}.${++n}@readers.test`;

async function expectNoChange(act: () => Promise<unknown>) {
  const before = [await kvSnapshot(env.SUBSCRIBERS), await kvSnapshot(env.OUTBOX)];
  await act();
  expect([await kvSnapshot(env.SUBSCRIBERS), await kvSnapshot(env.OUTBOX)]).toEqual(before);
}

describe("GET /", () => {
  it("is a real sign-up page: lang, viewport, labelled required email field, honeypot, archive link", async () => {
    const response = await SELF.fetch(`${BASE}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/text\/html/);
    const page = await response.text();
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('name="viewport"');
    expect(page).toMatch(/<label for="email">/);
    expect(page).toMatch(/<input\s+id="email"\s+name="email"\s+type="email"\s+required/);
    expect(page).toMatch(
      /<div class="hp" aria-hidden="true">[\s\S]*name="website"[\s\S]*tabindex="-1"/,
    );
    expect(page).toContain('<a href="/digests">');
    expect(page).toContain('<button type="submit">Subscribe</button>');
    expect(page).not.toContain("<script");
  });
});

describe("POST /subscribe", () => {
  it("sends a confirmation email with a confirm link, and stores a pending reader with consent", async () => {
    const email = address("new");
    const response = await signUp(`  ${email.toUpperCase()} `, { ip: "203.0.113.9" });
    expect(response.status).toBe(200);
    const answer = await response.text();
    expect(answer).toContain("Check your inbox to confirm");
    // The address as stored (trimmed, lower-cased), so a typo shows, and the way back to fix it.
    expect(textOf(answer)).toContain("We sent a confirmation link to");
    const back = parseHtml(answer);
    expect(back.all("strong").map((strong) => back.text(strong))).toContain(email);
    expect(
      back
        .all("a")
        .some((a) => back.attr(a, "href") === "/" && /Wrong address\?/.test(back.text(a))),
    ).toBe(true);
    const [mail, ...rest] = await mailTo(email);
    expect(rest).toEqual([]);
    expect(mail!.subject).toBe("Confirm your subscription to Tidings");
    expect(linkIn(mail!, "/confirm?token=")).toMatch(/^https:\/\/tidings\.test\/confirm\?token=/);
    expect(mail!.text).toContain(`${BASE}/confirm?token=`);
    // The raw fallback link has no break points: it must be allowed to wrap on a phone.
    const fallback =
      /<a href="([^"]*\/confirm\?token=[^"]*)" class="l" style="([^"]*)">\1<\/a>/.exec(mail!.html);
    expect(fallback?.[2]).toContain("word-break:break-all");
    // The token carries no address, so the whole link stays well under the old 190 characters.
    expect(fallback![1]!.length).toBeLessThan(140);
    expect(mail!.headers["List-Unsubscribe"]).toBeUndefined();
    const record = await mirrorOf(email);
    expect(record).toMatchObject({
      status: "pending",
      consent: { source: "form", formVersion: "signup-2026-11" },
    });
    expect(record!.consent.ipHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(record)).not.toContain("203.0.113.9");
  });

  it("answers JSON sign-ups with 202 pending", async () => {
    const email = address("json");
    const response = await signUp(email, { json: true });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "pending" });
    expect((await mirrorOf(email))?.consent.source).toBe("api");
  });

  // KV takes one write a second per key: a reader changed several times in a row waits each out.
  it("answers the same for new, pending, confirmed and unsubscribed addresses", async () => {
    const pending = address("pending");
    await signUp(pending);
    const confirmed = address("confirmed");
    await confirmedReader(confirmed);
    const left = address("left");
    const leftReader = await confirmedReader(left);
    await postForm(leftReader.unsubscribeUrl, {});
    const answers = [];
    for (const email of [address("brand-new"), pending, confirmed, left]) {
      for (const json of [false, true]) {
        const response = await signUp(email, { json });
        // The page names the address typed; apart from it, nothing tells the cases apart.
        const body = (await response.text()).replaceAll(email, "<address>");
        answers.push(`${json} ${response.status} ${body}`);
      }
    }
    expect(new Set(answers.filter((a) => a.startsWith("false"))).size).toBe(1);
    expect(new Set(answers.filter((a) => a.startsWith("true"))).size).toBe(1);
  }, 20_000);

  it("sends a confirmed reader no confirmation email", async () => {
    const email = address("already");
    await confirmedReader(email);
    const before = (await mailTo(email)).length;
    await signUp(email);
    expect(await mailTo(email)).toHaveLength(before);
  });

  it("sends a previously unsubscribed reader a fresh confirmation", async () => {
    const email = address("returning");
    const { unsubscribeUrl } = await confirmedReader(email);
    await postForm(unsubscribeUrl, {});
    await signUp(email);
    const confirmations = (await mailTo(email)).filter((m) => m.subject.startsWith("Confirm"));
    expect(confirmations).toHaveLength(2);
    expect((await mirrorOf(email))?.status).toBe("pending");
  });

  it("sends at most one confirmation per 10 minutes however often the form is sent", async () => {
    const email = address("eager");
    for (let i = 0; i < 4; i++) expect((await signUp(email)).status).toBe(200);
    expect(await mailTo(email)).toHaveLength(1);
  });

  it("sends another confirmation once 10 minutes have passed", async () => {
    const email = address("patient");
    const deps = (now: Date) => ({
      readers: (address: string) => readerLedger(env, address),
      mailer: createOutboxMailer(env.OUTBOX),
      signer: createTokenSigner("test-signing-secret"),
      site: {
        siteTitle: "Tidings",
        siteUrl: BASE,
        mailFrom: "T <t@x.test>",
        postalAddress: "1 St",
        sendTime: "07:00 UTC",
      },
      now,
    });
    const input = { email, source: "form" as const, formVersion: "v", ipHash: null };
    const start = Date.parse("2026-11-26T10:00:00Z");
    expect(await subscribe(deps(new Date(start)), input)).toBe("confirmation_sent");
    expect(await subscribe(deps(new Date(start + 9 * 60_000)), input)).toBe("nothing_to_do");
    expect(await subscribe(deps(new Date(start + 10 * 60_000 + 1)), input)).toBe(
      "confirmation_sent",
    );
    expect(await mailTo(email)).toHaveLength(2);
  });

  it("answers a filled honeypot like a success and stores nothing", async () => {
    await expectNoChange(async () => {
      const response = await signUp(address("bot"), { extra: { website: "http://spam.example" } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Check your inbox to confirm");
    });
  });

  it.each([
    ["not-an-email"],
    ["a@b"],
    [""],
    ["a@b.c\r\nBcc: x@y.z"],
    [`${"x".repeat(250)}@example.com`],
  ])(
    "shows the form again with the error beside the field for %j, storing nothing",
    async (email) => {
      await expectNoChange(async () => {
        const response = await signUp(email);
        expect(response.status).toBe(400);
        const page = await response.text();
        expect(page).toContain('aria-invalid="true"');
        expect(page).toMatch(/id="email-error"[^>]*>Enter a valid email address/);
        expect(page).not.toContain("\r\nBcc");
      });
    },
  );

  it("answers an invalid JSON address with 400 invalid_request naming the field", async () => {
    const response = await signUp("nope", { json: true });
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues[0].path).toBe("email");
  });

  // The rate-limit binding counts in fixed one-minute windows: twelve sign-ups that straddle a
  // window's end are counted in two, so the test runs once more (on a fresh IP) if that happens.
  it("answers 429 past 10 sign-ups a minute from one IP", { retry: 1 }, async () => {
    const ip = freshIp();
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await signUp(address("flood"), { ip })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await signUp(address("other-ip"))).status).toBe(200);
  });
});

describe("confirming", () => {
  it("GET /confirm shows a button and changes nothing; POST confirms and sends one welcome", async () => {
    const email = address("confirm");
    await signUp(email);
    const [confirmation] = await mailTo(email);
    const link = linkIn(confirmation!, "/confirm");
    await expectNoChange(async () => {
      const page = await (await SELF.fetch(link)).text();
      expect(page).toContain('<form class="stack" method="post" action="/confirm">');
      expect(page).toContain(`name="token" value="${tokenOf(link)}"`);
      expect(page).toContain("Confirm subscription");
    });
    expect((await mirrorOf(email))?.status).toBe("pending");

    for (let i = 0; i < 2; i++) {
      const response = await postForm(`${BASE}/confirm`, { token: tokenOf(link) });
      expect(response.status).toBe(200);
      expect(textOf(await response.text())).toContain("You're subscribed");
    }
    const record = await mirrorOf(email);
    expect(record?.status).toBe("confirmed");
    expect(record?.consent.confirmedAt).toBeTruthy();
    const welcomes = (await mailTo(email)).filter((m) => m.subject === "Welcome to Tidings");
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]!.text).toContain("07:00 UTC");
    // What they get and when (this suite sends one edition to all), with the way to change it.
    expect(welcomes[0]!.text).toContain("\nYou get one email every day at 07:00 UTC.\n");
    expect(welcomes[0]!.text).toContain("Change what you get and when: ");
  });

  it("puts List-Unsubscribe headers and a visible unsubscribe link on the welcome email", async () => {
    const email = address("headers");
    const { unsubscribeUrl } = await confirmedReader(email);
    const welcome = (await mailTo(email)).find((m) => m.subject.startsWith("Welcome"))!;
    expect(welcome.headers["List-Unsubscribe"]).toBe(`<${unsubscribeUrl}>`);
    expect(welcome.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const parsed = parseHtml(welcome.html);
    expect(
      parsed
        .all("a")
        .filter((a) => parsed.attr(a, "href") === unsubscribeUrl)
        .map((a) => parsed.text(a)),
    ).toEqual(["Unsubscribe"]);
    expect(welcome.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
  });

  it.each([
    [
      "a forged token",
      async () => "eyJwIjoiY29uZmlybSJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
    ["a truncated token", async (link: string) => tokenOf(link).slice(0, -3)],
    ["an unsubscribe token", async (link: string) => tokenOf(link)],
    [
      "an expired token",
      async (_link: string, email: string) =>
        createTokenSigner("test-signing-secret").sign(
          "confirm",
          email,
          new Date("2020-01-01T00:00:00Z"),
        ),
    ],
  ])(
    "refuses %s with a 400 page that says what to do, changing nothing",
    async (name, makeToken) => {
      const email = address("bad-token");
      await signUp(email);
      const mails = await mailTo(email);
      const link =
        name === "an unsubscribe token"
          ? `${BASE}/confirm?token=${await createTokenSigner("test-signing-secret").sign("unsubscribe", email, new Date())}`
          : linkIn(mails[0]!, "/confirm");
      const token = await makeToken(link, email);
      await expectNoChange(async () => {
        for (const response of [
          await SELF.fetch(`${BASE}/confirm?token=${encodeURIComponent(token)}`),
          await postForm(`${BASE}/confirm`, { token }),
        ]) {
          expect(response.status).toBe(400);
          expect(textOf(await response.text())).toMatch(
            /This link does not work[\s\S]*(sign up again|from the email|matching link)/i,
          );
        }
      });
    },
  );
});

describe("leaving", () => {
  it("GET /unsubscribe shows a button and changes nothing; POST unsubscribes and offers to come back", async () => {
    const email = address("leave");
    const { unsubscribeUrl } = await confirmedReader(email);
    await expectNoChange(async () => {
      const page = await (await SELF.fetch(unsubscribeUrl)).text();
      expect(page).toContain(`action="/unsubscribe?token=${tokenOf(unsubscribeUrl)}"`);
    });
    for (let i = 0; i < 2; i++) {
      const response = await postForm(unsubscribeUrl, {});
      expect(response.status).toBe(200);
      const page = await response.text();
      expect(textOf(page)).toContain("You're unsubscribed");
      expect(page).toContain('action="/subscribe"');
      expect(page).toContain(`name="email" value="${email}"`);
    }
    const record = await mirrorOf(email);
    expect(record).toMatchObject({
      status: "unsubscribed",
      consent: { unsubscribeMethod: "page" },
    });
    // Back on the same link later: the page says so, and offers the way back instead of a button.
    const again = await (await SELF.fetch(unsubscribeUrl)).text();
    expect(textOf(again)).toContain("You're already unsubscribed");
    expect(textOf(again)).not.toContain("Press the button to stop");
    expect(again).toContain('action="/subscribe"');
    expect(again).toContain(`name="email" value="${email}"`);
  });

  it("accepts the RFC 8058 one-click POST with no cookies and no Origin", async () => {
    const email = address("one-click");
    const { unsubscribeUrl } = await confirmedReader(email);
    const response = await SELF.fetch(unsubscribeUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
    expect(await mirrorOf(email)).toMatchObject({
      status: "unsubscribed",
      consent: { unsubscribeMethod: "one-click" },
    });
  });

  it("accepts the one-click POST as multipart form data too", async () => {
    const email = address("one-click-multipart");
    const { unsubscribeUrl } = await confirmedReader(email);
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const response = await SELF.fetch(unsubscribeUrl, { method: "POST", body: form });
    expect(response.status).toBe(200);
    expect((await mirrorOf(email))?.status).toBe("unsubscribed");
  });

  it("refuses a confirm token on the unsubscribe route, changing nothing", async () => {
    const email = address("wrong-purpose");
    await confirmedReader(email);
    const confirmToken = await createTokenSigner("test-signing-secret").sign(
      "confirm",
      email,
      new Date(),
    );
    await expectNoChange(async () => {
      const response = await postForm(`${BASE}/unsubscribe?token=${confirmToken}`, {
        "List-Unsubscribe": "One-Click",
      });
      expect(response.status).toBe(400);
    });
    expect((await mirrorOf(email))?.status).toBe("confirmed");
  });
});
