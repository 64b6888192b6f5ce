// GET /desk/sign-in: the editor's token, once; the desk then keeps a 12-hour session cookie.
import { html } from "./html";
import { describedBy, fieldError, renderDeskPage } from "./desk-layout";

export function renderSignInPage(options: { siteTitle: string; next: string; error?: string }) {
  const { siteTitle, next, error } = options;
  const body = html`<p class="lead">Sign in with your editor token (one of <code>EDITOR_TOKENS</code>).
      You stay signed in for 12 hours on this browser.</p>
    <form class="stack" method="post" action="/desk/sign-in">
      <input type="hidden" name="next" value="${next}" />
      <div class="field">
        <label for="token">Editor token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required ${describedBy("token", error)} />
        ${fieldError("token", error)}
      </div>
      <button type="submit">Sign in</button>
    </form>`;
  return renderDeskPage({ siteTitle, title: "Sign in to the desk", editor: null, body });
}
