// GET / : the sign-up form. Works with JavaScript off; the honeypot is hidden from people and screen readers.
import type { PreferencesInput, Topic } from "../src/subscribers/preferences";
import { html } from "./html";
import { renderPreferenceFields } from "./preference-fields";
import { renderPage } from "./page-layout";

/** Recorded in each reader's consent record, so we can show which form they signed up on. */
export const SIGNUP_FORM_VERSION = "signup-2026-11";

export function renderSignupPage(options: {
  siteTitle: string;
  tagline: string;
  email?: string;
  topics: Topic[];
  choices?: PreferencesInput;
  /** Messages by field name (`email`, `topics`, ...), shown next to the field. */
  errors?: Record<string, string>;
}) {
  const { siteTitle, tagline, email, topics } = options;
  const errors = options.errors ?? {};
  const error = errors.email;
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
      <details${Object.keys(errors).some((field) => field !== "email") ? html` open` : ""}>
        <summary>Choose topics and a delivery time (optional)</summary>
        ${renderPreferenceFields({ topics, choices: options.choices ?? {}, errors })}
      </details>
      <input type="hidden" name="form" value="${SIGNUP_FORM_VERSION}" />
      <button type="submit">Subscribe</button>
    </form>
    <p class="fine">
      By default we send one email a day at 07:00 in your time zone, and ask you to confirm first. Every email has a one-click unsubscribe
      link.
    </p>
    <p><a href="/digests">Read past digests</a></p>
  `;
  return renderPage({ title: siteTitle, siteTitle, body });
}
