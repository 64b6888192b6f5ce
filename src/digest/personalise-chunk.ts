// One chunk's emails from the digest's shared render: only the footer links, the List-Unsubscribe
// headers and the tags differ per reader. And the idempotency key that names exactly who is in it.
import { listUnsubscribeHeaders } from "../mail/list-unsubscribe";
import type { OutgoingEmail } from "../mail/mailer";
import { readerLinks } from "../subscribers/reader-links";
import type { TokenSigner } from "../subscribers/reader-token";
import type { DigestEmailParts } from "../../templates/digest-email";
import { renderReaderFooterLinks, renderReaderFooterText } from "../../templates/email-layout";

async function sha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** The key names the digest, the chunk and exactly who is in it: a changed chunk never reuses a key. */
export async function idempotencyKey(
  digestId: string,
  chunk: number,
  recipients: string[],
): Promise<string> {
  return `digest/${digestId}/${chunk}/${await sha256Hex([...recipients].sort().join("\n"))}`;
}

/** Each reader's body: the one digest for everyone, or a run slot's selection and what they chose. */
export type PartsFor = (email: string) => { parts: DigestEmailParts; about?: string };

export async function personaliseChunk(
  partsFor: PartsFor,
  site: { siteTitle: string; siteUrl: string; mailFrom: string },
  signer: TokenSigner,
  now: Date,
  job: { digestId: string; chunk: number },
  recipients: string[],
): Promise<OutgoingEmail[]> {
  const tags = [
    { name: "digest", value: job.digestId },
    { name: "chunk", value: String(job.chunk) },
  ];
  return Promise.all(
    recipients.map(async (to) => {
      const links = readerLinks(site.siteUrl, await signer.sign("unsubscribe", to, now));
      const { parts, about } = partsFor(to);
      return {
        to,
        from: site.mailFrom,
        subject: parts.subject,
        html:
          parts.html[0] +
          renderReaderFooterLinks(site.siteTitle, links, about).value +
          parts.html[1],
        text: parts.text[0] + renderReaderFooterText(links, about) + parts.text[1],
        headers: listUnsubscribeHeaders(links.unsubscribeUrl),
        tags,
      };
    }),
  );
}
