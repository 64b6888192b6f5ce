// One chunk's emails from the digest's shared render: only the reader's token (in the footer links
// and the List-Unsubscribe header) differs per reader. And the idempotency key that names exactly
// who is in it. Each email keeps its pieces: the render's html and text and the footer's words are
// shared objects, so the Resend adapter escapes them once per isolate and per reader only the token.
import { listUnsubscribeHeaders } from "../mail/list-unsubscribe";
import { emailWithPieces, type OutgoingEmail, type SharedText } from "../mail/mailer";
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
export type PartsFor = (
  email: string,
  /** The recipient's place in the chunk's list. */
  position: number,
) => { parts: DigestEmailParts; about?: string };

type Site = { siteTitle: string; siteUrl: string; mailFrom: string };
type Shared = { html: [SharedText, SharedText]; text: [SharedText, SharedText] };

// A render's two halves, as shared pieces: they live as long as the render does.
const sharedParts = new WeakMap<DigestEmailParts, Shared>();

function sharedOf(parts: DigestEmailParts): Shared {
  let shared = sharedParts.get(parts);
  if (!shared) {
    const piece = (text: string) => ({ text });
    shared = {
      html: [piece(parts.html[0]), piece(parts.html[1])],
      text: [piece(parts.text[0]), piece(parts.text[1])],
    };
    sharedParts.set(parts, shared);
  }
  return shared;
}

// The footer's words around the reader's token, per site and per "what you chose": made once with a
// marker in the token's place. A token is base64url, which escaping leaves as it is; the first real
// token checks that the pieces rebuild the footer exactly, and if they ever did not, that footer is
// rendered whole for each reader instead (null).
const TOKEN_SLOT = "\uE000reader-token\uE000";
const TOKEN = /^[A-Za-z0-9_-]+$/;
type Footer = { html: SharedText[]; text: SharedText[]; checked: boolean };
const footers = new Map<string, Footer | null>();
const MAX_FOOTERS = 1_000;

function renderFooter(site: Site, token: string, about?: string) {
  const links = readerLinks(site.siteUrl, token);
  return {
    html: renderReaderFooterLinks(site.siteTitle, links, about).value,
    text: renderReaderFooterText(links, about),
  };
}

/** head, the footer's pieces with the token between each two, tail: one array, made once. */
function around(
  head: SharedText,
  footer: readonly (SharedText | string)[],
  token: string,
  tail: SharedText,
) {
  const pieces: (SharedText | string)[] = [head];
  footer.forEach((piece, i) => (i === 0 ? pieces.push(piece) : pieces.push(token, piece)));
  pieces.push(tail);
  return pieces;
}

function footerFor(site: Site, token: string, about?: string): Footer | null {
  const key = `${site.siteTitle}\n${site.siteUrl}\n${about ?? ""}`;
  let footer = footers.get(key);
  if (footer === undefined) {
    const marked = renderFooter(site, TOKEN_SLOT, about);
    const pieces = (text: string) => text.split(TOKEN_SLOT).map((part) => ({ text: part }));
    footer = { html: pieces(marked.html), text: pieces(marked.text), checked: false };
    if (footers.size >= MAX_FOOTERS) footers.delete(footers.keys().next().value!);
    footers.set(key, footer);
  }
  if (footer && !footer.checked) {
    const whole = renderFooter(site, token, about);
    const join = (pieces: SharedText[]) => pieces.map((piece) => piece.text).join(token);
    const same = join(footer.html) === whole.html && join(footer.text) === whole.text;
    footers.set(key, (footer = same ? { ...footer, checked: true } : null));
  }
  return footer;
}

/** A footer rendered whole for one reader: one string of their own (no token between pieces). */
function wholeFooter(site: Site, token: string, about?: string) {
  const whole = renderFooter(site, token, about);
  return { html: [whole.html], text: [whole.text] };
}

/** One reader's email: the shared render around their footer, their token its only own text. */
function readerEmail(
  site: Site,
  parts: DigestEmailParts,
  about: string | undefined,
  to: string,
  token: string,
  tags: { name: string; value: string }[],
  footerOf: (token: string, about?: string) => Footer | null,
): OutgoingEmail {
  const shared = sharedOf(parts);
  const footer = (TOKEN.test(token) && footerOf(token, about)) || wholeFooter(site, token, about);
  return emailWithPieces(
    {
      to,
      from: site.mailFrom,
      subject: parts.subject,
      headers: listUnsubscribeHeaders(readerLinks(site.siteUrl, token).unsubscribeUrl),
      tags,
    },
    around(shared.html[0], footer.html, token, shared.html[1]),
    around(shared.text[0], footer.text, token, shared.text[1]),
  );
}

export async function personaliseChunk(
  partsFor: PartsFor,
  site: Site,
  signer: TokenSigner,
  now: Date,
  job: { digestId: string; chunk: number },
  recipients: string[],
): Promise<OutgoingEmail[]> {
  const tags = [
    { name: "digest", value: job.digestId },
    { name: "chunk", value: String(job.chunk) },
  ];
  // Each "what you chose" of the chunk finds its footer once (a chunk has one or two).
  const chunkFooters = new Map<string | undefined, Footer | null>();
  const footerOf = (token: string, about?: string) => {
    let footer = chunkFooters.get(about);
    if (footer === undefined) chunkFooters.set(about, (footer = footerFor(site, token, about)));
    return footer;
  };
  return Promise.all(
    recipients.map(async (to, position) => {
      const token = await signer.sign("unsubscribe", to, now);
      const { parts, about } = partsFor(to, position);
      return readerEmail(site, parts, about, to, token, tags, footerOf);
    }),
  );
}
