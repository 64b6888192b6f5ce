// GET /feed.xml: an Atom 1.0 feed (RFC 4287) of the latest digests, each with its full content.
import type { Digest } from "../src/digest/digest-schema";
import { renderDigestStories } from "./digest-page";
import { escapeHtml } from "./html";

export function renderAtomFeed(options: {
  siteTitle: string;
  siteUrl: string;
  tagline: string;
  digests: Digest[];
}) {
  const { siteTitle, siteUrl, tagline, digests } = options;
  const updated = digests[0]?.cutoff ?? "1970-01-01T00:00:00.000Z";
  const host = new URL(siteUrl).hostname;
  const entries = digests.map((digest) => {
    const url = `${siteUrl}/digests/${digest.id}`;
    // The entry's content is the digest's stories as on the web page (no email inline colours,
    // which feed readers in dark mode would keep), escaped as Atom `type="html"` wants.
    const article = renderDigestStories(digest.sections).value;
    return `  <entry>
    <id>tag:${escapeHtml(host)},${digest.id.slice(0, 4)}:digest:${digest.id}</id>
    <title>${escapeHtml(digest.subject)}</title>
    <link rel="alternate" type="text/html" href="${escapeHtml(url)}"/>
    <published>${digest.cutoff}</published>
    <updated>${digest.cutoff}</updated>
    <content type="html">${escapeHtml(article.trim())}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeHtml(siteUrl)}/feed.xml</id>
  <title>${escapeHtml(siteTitle)}</title>
  <subtitle>${escapeHtml(tagline)}</subtitle>
  <link rel="self" type="application/atom+xml" href="${escapeHtml(siteUrl)}/feed.xml"/>
  <link rel="alternate" type="text/html" href="${escapeHtml(siteUrl)}/digests"/>
  <updated>${updated}</updated>
  <author><name>${escapeHtml(siteTitle)}</name></author>
${entries.join("\n")}
</feed>
`;
}
