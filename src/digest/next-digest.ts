// The next digest as an editor sees it before it goes: which edition it is, what it would hold now,
// the email a reader would get (preview), and a test send of that email to one address.
import type { Config } from "../env";
import type { Mailer } from "../mail/mailer";
import { readerLinks } from "../subscribers/reader-links";
import { renderDigestEmailParts } from "../../templates/digest-email";
import { renderReaderFooterLinks, renderReaderFooterText } from "../../templates/email-layout";
import type { Digest } from "./digest-schema";
import { compileWindow, digestIdFor, type RunDeps } from "./run-digest";

const DAY_MS = 86_400_000;

export type PreviewSite = { siteTitle: string; siteUrl: string; postalAddress: string };

export const previewSite = (config: Config) => ({
  siteTitle: config.DIGEST_TITLE,
  siteUrl: config.SITE_URL,
  postalAddress: config.MAIL_POSTAL_ADDRESS,
  mailFrom: config.MAIL_FROM,
});
export type RenderedEmail = { subject: string; html: string; text: string };

/** Today's digest, or tomorrow's once today's exists. */
export async function nextDigestId(deps: Pick<RunDeps, "digests">, now: Date): Promise<string> {
  const today = digestIdFor(now);
  return (await deps.digests.get(today)) ? digestIdFor(new Date(now.getTime() + DAY_MS)) : today;
}

/** What the next digest would hold if it closed now (nothing is stored). */
export async function compileNext(deps: RunDeps, now: Date): Promise<Digest> {
  return compileWindow(deps, await nextDigestId(deps, now), now);
}

/** The email as a reader would get it, with footer links that open nothing (no reader has them). */
export function renderPreviewEmail(digest: Digest, site: PreviewSite): RenderedEmail {
  const parts = renderDigestEmailParts(digest, site);
  const links = readerLinks(site.siteUrl, "preview");
  return {
    subject: parts.subject,
    html: parts.html[0] + renderReaderFooterLinks(site.siteTitle, links).value + parts.html[1],
    text: parts.text[0] + renderReaderFooterText(links) + parts.text[1],
  };
}

export type TestSendResult = { ok: true; subject: string } | { ok: false; message: string };

/**
 * Sends the next digest to one address with "[Test]" before its subject. It goes through no
 * edition's owner and carries no `digest` tag, so it is counted nowhere (sends, brake, events).
 * The caller checks first that the address is not suppressed.
 */
export async function sendTestDigest(
  digest: Digest,
  site: PreviewSite & { mailFrom: string },
  mailer: Mailer,
  to: string,
  now: Date,
): Promise<TestSendResult> {
  const email = renderPreviewEmail(digest, site);
  const subject = `[Test] ${email.subject}`;
  // Each test is its own send: two tests in a row are two emails.
  const key = `test/${digest.id}/${to}/${now.getTime()}/${crypto.randomUUID()}`;
  const result = await mailer.send(
    {
      to,
      from: site.mailFrom,
      subject,
      html: email.html,
      text: email.text,
      tags: [{ name: "test", value: "1" }],
    },
    key,
  );
  return result.ok ? { ok: true, subject } : { ok: false, message: result.message };
}
