// GET /desk/embed: a sign-up form other sites can paste in. It posts to /subscribe; the site it sits
// on must be listed in SIGNUP_ORIGINS, or the post is refused as cross-site.
import { html } from "./html";
import { renderDeskPage } from "./desk-layout";

export function embedSnippet(siteUrl: string, siteTitle: string): string {
  return `<form method="post" action="${siteUrl}/subscribe">
  <label for="tidings-email">Get ${siteTitle} by email</label>
  <input id="tidings-email" name="email" type="email" required autocomplete="email">
  <input name="website" type="text" tabindex="-1" autocomplete="off" aria-hidden="true" style="position:absolute;left:-10000px">
  <button type="submit">Subscribe</button>
</form>`;
}

export function renderEmbedPage(options: {
  siteTitle: string;
  siteUrl: string;
  editor: string;
  origins: string[];
}) {
  const snippet = embedSnippet(options.siteUrl, options.siteTitle);
  const body = html`<p class="lead">Paste this form into another site's HTML. Readers who use it get
      the same confirmation email as on the sign-up page.</p>
    <label for="snippet">The form's HTML</label>
    <textarea id="snippet" readonly rows="8">${snippet}</textarea>
    <h2>Sites allowed to post it</h2>
    ${
      options.origins.length === 0
        ? html`<p>None yet: set <code>SIGNUP_ORIGINS</code> to the sites' origins, comma-separated
          (like <code>https://blog.example.com</code>). Until then the form only works on this site.</p>`
        : html`<ul>${options.origins.map((origin) => html`<li><code>${origin}</code></li>`)}</ul>`
    }
    <p class="hint">A script on those sites may also send JSON (<code>{"email": "..."}</code>) to
      <code>${options.siteUrl}/subscribe</code>: those origins get CORS headers. Every other site's
      post is refused.</p>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "A sign-up form for other sites",
    current: "/desk/embed",
    editor: options.editor,
    body,
  });
}
