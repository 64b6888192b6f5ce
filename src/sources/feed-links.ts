// Which link of an item a reader follows: made absolute against the `xml:base` in scope (itself
// resolved against the feed's final address after redirects), http(s) only.

/** An Atom-style link: `atom:link`, `a10:link`, or an Atom entry's `link`. */
export type LinkCandidate = { href: string; rel: string; type: string; base: string };

/** The absolute http(s) URL `reference` names from `base`, or null (`tag:`, `urn:`, junk). */
export function absoluteHttpUrl(reference: string, base: string): string | null {
  const trimmed = reference.trim();
  if (!trimmed) return null;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

const ALTERNATE = new Set(["", "alternate", "http://www.iana.org/assignments/relation/alternate"]);
// An alternate a browser shows: HTML or XHTML, or no type said.
const HTML_TYPE = /^\s*(?:text\/html|application\/xhtml\+xml)?\s*(?:;.*)?$/i;

/**
 * The link to the item's page: an alternate (`rel="alternate"`, or no `rel`) that is HTML, never
 * `enclosure` (the mp3), `self` or `edit` (API addresses), `replies`, `related` or `via`. Of several,
 * the last, as feedparser (the corpus's reference) takes it.
 */
export function alternateLink(links: LinkCandidate[]): string | null {
  for (const link of [...links].reverse()) {
    if (!ALTERNATE.has(link.rel.trim().toLowerCase()) || !HTML_TYPE.test(link.type)) continue;
    const url = absoluteHttpUrl(link.href, link.base);
    if (url) return url;
  }
  return null;
}

/**
 * An RSS item's link: `<link>`, else a `<guid>` that is a permalink and an absolute http(s) URL
 * (a guid like "12345" is an id, whatever `isPermaLink` says), else an alternate `atom:link`.
 */
export function rssLink(
  link: { text: string; base: string } | null,
  guid: { text: string; base: string; isPermaLink: string | undefined } | null,
  links: LinkCandidate[],
): string | null {
  const fromLink = link ? absoluteHttpUrl(link.text, link.base) : null;
  if (fromLink) return fromLink;
  if (guid && (guid.isPermaLink ?? "true").trim().toLowerCase() !== "false") {
    const fromGuid = /^\s*https?:\/\//i.test(guid.text)
      ? absoluteHttpUrl(guid.text, guid.base)
      : null;
    if (fromGuid) return fromGuid;
  }
  return alternateLink(links);
}
