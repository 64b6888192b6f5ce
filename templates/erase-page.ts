// The second step of erasure: says what will be deleted and what is kept; only its button erases.
import { html } from "./html";
import { renderPage } from "./page-layout";

/** The form field the confirmation page sends; without it, POST /preferences/erase only asks. */
export const ERASE_CONFIRM_FIELD = { name: "confirm", value: "erase" } as const;

export function renderErasePage(options: { siteTitle: string; email: string; token: string }) {
  const { siteTitle, email, token } = options;
  const query = `token=${encodeURIComponent(token)}`;
  const body = html`<h1>Erase your data?</h1>
    <p class="lead">This deletes everything we keep about <strong>${email}</strong>, at once and for good.</p>
    <div class="card warning">
      <h2>What is deleted</h2>
      <ul>
        <li>Your subscription: no more digests reach this address.</li>
        <li>Your consent record: when and how you signed up, confirmed and left.</li>
        <li>The history of the emails we sent you.</li>
      </ul>
      <h2>What is kept</h2>
      <p>
        Only a one-way hash of the address, which cannot be turned back into it, so that it is never
        mailed by mistake. Signing up again later starts afresh.
      </p>
    </div>
    <p>
      Want a copy first?
      <a href="/preferences/export?${query}">Download everything we keep about you (JSON)</a>.
    </p>
    <form class="stack" method="post" action="/preferences/erase?${query}">
      <input type="hidden" name="${ERASE_CONFIRM_FIELD.name}" value="${ERASE_CONFIRM_FIELD.value}" />
      <button type="submit" class="danger">Erase my data for good</button>
    </form>
    <p><a href="/preferences?${query}">Keep my data and go back</a></p>`;
  return renderPage({ title: "Erase your data?", siteTitle, body });
}
