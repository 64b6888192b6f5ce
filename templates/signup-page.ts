// GET / : the sign-up form. Works with JavaScript off; the honeypot is hidden from people and screen readers.
import { html } from "./html";
import { renderPage } from "./page-layout";

/** Recorded in each reader's consent record, so we can show which form they signed up on. */
export const SIGNUP_FORM_VERSION = "signup-2026-11";

export function renderSignupPage(options: {
  siteTitle: string;
  tagline: string;
  email?: string;
  error?: string;
}) {
  const { siteTitle, tagline, email, error } = options;
  const body = html`
    <h1>${siteTitle}</h1>
    <p class="lead">${tagline}</p>
    <form class="stack" method="post" action="/subscribe">
      <label for="email">Your email address</label>
      <input
        id="email"
        name="email"
        type="email"
        required
        autocomplete="email"
        inputmode="email"
        value="${email ?? ""}"
        ${error ? html` aria-invalid="true" aria-describedby="email-error"` : ""}
      />
      ${error ? html`<p id="email-error" class="error" role="alert">${error}</p>` : ""}
      <div class="hp" aria-hidden="true">
        <label for="website">Leave this field empty</label>
        <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
      </div>
      <input type="hidden" name="form" value="${SIGNUP_FORM_VERSION}" />
      <button type="submit">Subscribe</button>
    </form>
    <p class="fine">
      We send one email a day and ask you to confirm first. Every email has a one-click unsubscribe
      link.
    </p>
    <p><a href="/digests">Read past digests</a></p>
  `;
  return renderPage({ title: siteTitle, siteTitle, body });
}
