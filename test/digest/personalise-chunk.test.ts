// A chunk's emails from the shared render: each is exactly the render around that reader's footer,
// and only the reader's token is their own (the rest are shared objects, escaped once per isolate).
import { describe, expect, it } from "vitest";
import { personaliseChunk } from "../../src/digest/personalise-chunk";
import { joinPieces } from "../../src/mail/mailer";
import { readerLinks } from "../../src/subscribers/reader-links";
import { createTokenSigner } from "../../src/subscribers/reader-token";
import type { DigestEmailParts } from "../../templates/digest-email";
import { renderReaderFooterLinks, renderReaderFooterText } from "../../templates/email-layout";

const site = {
  siteTitle: "Tidings <&> 'News'",
  siteUrl: "https://tidings.test",
  mailFrom: "Tidings <digest@tidings.test>",
};
const parts: DigestEmailParts = {
  subject: "Tidings: AI · Thu 26 Nov",
  html: ["<html><body><p>The stories</p>", "<p>1 Example Street</p></body></html>"],
  text: ["The stories\n\n--\n", "\n1 Example Street\n"],
};
const signer = createTokenSigner("personalise-test-secret");
const now = new Date("2026-11-26T07:00:00Z");

async function emailsFor(recipients: string[], about?: string) {
  return personaliseChunk(
    () => ({ parts, ...(about === undefined ? {} : { about }) }),
    site,
    signer,
    now,
    { digestId: "2026-11-26", chunk: 3 },
    recipients,
  );
}

/** The email as rendered whole for one reader: what the pieces must add up to. */
async function whole(to: string, about?: string) {
  const token = await signer.sign("unsubscribe", to, now);
  const links = readerLinks(site.siteUrl, token);
  return {
    token,
    html:
      parts.html[0] + renderReaderFooterLinks(site.siteTitle, links, about).value + parts.html[1],
    text: parts.text[0] + renderReaderFooterText(links, about) + parts.text[1],
    listUnsubscribe: `<${links.unsubscribeUrl}>`,
  };
}

describe("a chunk's emails from pieces", () => {
  const about = "AI & Security, daily at 07:00 Europe/Berlin";

  it.each([
    ["with what the reader chose", about],
    ["for everyone (the day's edition)", undefined],
  ])("are each exactly the render around the reader's footer, %s", async (_, chosen) => {
    const recipients = ["ada@example.com", "bo@example.com", "cy@example.com"];
    const emails = await emailsFor(recipients, chosen);
    for (const [i, email] of emails.entries()) {
      const expected = await whole(recipients[i]!, chosen);
      expect(email.html).toBe(expected.html);
      expect(email.text).toBe(expected.text);
      expect(joinPieces(email.pieces!.html)).toBe(expected.html);
      expect(joinPieces(email.pieces!.text)).toBe(expected.text);
      expect(email.headers!["List-Unsubscribe"]).toBe(expected.listUnsubscribe);
      // The reader's own strings are their token only.
      const own = [...email.pieces!.html, ...email.pieces!.text].filter(
        (p) => typeof p === "string",
      );
      expect(new Set(own)).toEqual(new Set([expected.token]));
    }
    // Everything else is the same objects in every email: escaped once, not once per reader.
    const shared = (n: number) => emails[n]!.pieces!.html.filter((p) => typeof p !== "string");
    shared(0).forEach((piece, i) => expect(shared(1)[i]).toBe(piece));
  });

  it("renders a footer whole when its words hold the token's marker, and still exactly", async () => {
    const odd = `AI \uE000reader-token\uE000, daily`;
    const [email] = await emailsFor(["dee@example.com"], odd);
    const expected = await whole("dee@example.com", odd);
    expect(email!.html).toBe(expected.html);
    expect(email!.text).toBe(expected.text);
  });
});
