// Every short reader page: check your inbox, confirm, you're subscribed, unsubscribe, errors.
import { html, type SafeHtml } from "./html";
import { renderPage } from "./page-layout";

export type PageAction = {
  /** Where the button POSTs. */
  action: string;
  button: string;
  fields?: Record<string, string>;
};

export type MessagePageOptions = {
  siteTitle: string;
  title: string;
  /** Plain text, or markup built with `html` (e.g. to set an address apart). */
  message: string | SafeHtml;
  action?: PageAction;
  extra?: SafeHtml;
};

export function renderMessagePage({
  siteTitle,
  title,
  message,
  action,
  extra,
}: MessagePageOptions): string {
  const form = action
    ? html`<form class="stack" method="post" action="${action.action}">
        ${Object.entries(action.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
        <button type="submit">${action.button}</button>
      </form>`
    : "";
  const body = html`
    <h1>${title}</h1>
    <p class="lead">${message}</p>
    ${form} ${extra}
    <p class="fine"><a href="/">${siteTitle}</a> · <a href="/digests">Past digests</a></p>
  `;
  return renderPage({ title, siteTitle, body });
}
