// GET /digests/:id, the archive list, and the web version stored with each digest.
import type { DigestIndexMetadata, DigestSection } from "../src/digest/digest-schema";
import { renderDigestContent } from "./digest-content";
import { html } from "./html";
import { renderPage } from "./page-layout";

export function renderDigestPage(options: {
  siteTitle: string;
  title: string;
  id: string;
  sections: DigestSection[];
}) {
  const body = html`
<article class="card">
<h1>${options.title}</h1>
${renderDigestContent(options.sections)}
</article>
<p><a href="/">Get ${options.siteTitle} by email</a> · <a href="/digests">All digests</a> · <a href="/feed.xml">Atom feed</a></p>`;
  return renderPage({
    title: options.title,
    siteTitle: options.siteTitle,
    body,
    head: html`<link rel="alternate" type="application/atom+xml" title="${options.siteTitle}" href="/feed.xml">`,
  });
}

export function renderArchivePage(options: { siteTitle: string; digests: DigestIndexMetadata[] }) {
  const body = html`
<h1>Past digests</h1>
<p class="lead">Every ${options.siteTitle} digest, newest first. <a href="/feed.xml">Atom feed</a> · <a href="/">Subscribe</a></p>
${options.digests.length === 0 ? html`<p>No digest has been published yet.</p>` : ""}
<ul class="plain">
${options.digests.map(
  (digest) =>
    html`<li><a href="/digests/${digest.id}">${digest.subject}</a><br><span class="meta">${digest.id} · ${digest.articleCount} ${digest.articleCount === 1 ? "story" : "stories"}</span></li>`,
)}
</ul>`;
  return renderPage({
    title: "Past digests",
    siteTitle: options.siteTitle,
    body,
    head: html`<link rel="alternate" type="application/atom+xml" title="${options.siteTitle}" href="/feed.xml">`,
  });
}
