// GET /outbox: the local outbox as a page a person can read, every link clickable.
import type { OutboxMessage } from "../src/mail/outbox-mailer";
import { html, safeHref } from "./html";
import { renderPage } from "./page-layout";

/** The http(s) links of an email, in order, each once. */
export function linksOf(message: OutboxMessage): string[] {
  const found = [...message.html.matchAll(/href=(["'])(.*?)\1/g)].map((match) =>
    (match[2] ?? "").replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'"),
  );
  return [...new Set(found.map(safeHref).filter((href): href is string => href !== null))];
}

export function renderOutboxPage(options: {
  siteTitle: string;
  messages: OutboxMessage[];
  to?: string;
}) {
  const { siteTitle, messages, to } = options;
  const body = html` <h1>Outbox</h1>
    <p class="lead">
      Every email Tidings sent while no RESEND_API_KEY is set, newest
      first${to ? html` (to ${to})` : ""}.
    </p>
    <form class="stack" method="get" action="/outbox">
      <label for="to">Show mail to</label>
      <input id="to" name="to" type="email" value="${to ?? ""}" />
      <button type="submit">Filter</button>
    </form>
    ${messages.length === 0 ? html`<p>No mail yet.</p>` : ""}
    ${messages.map(
      (message) =>
        html`<article class="card">
          <h2>${message.subject}</h2>
          <p class="meta">To ${message.to} · from ${message.from} · ${message.createdAt}</p>
          <p class="meta">
            ${Object.entries(message.headers).map(([name, value]) => html`${name}: ${value}<br />`)}
          </p>
          <h3>Links</h3>
          <ul>
            ${linksOf(message).map((href) => html`<li><a href="${href}">${href}</a></li>`)}
          </ul>
          <details>
            <summary>HTML version</summary>
            <iframe sandbox="" title="${message.subject}" srcdoc="${message.html}"></iframe>
          </details>
          <details>
            <summary>Text version</summary>
            <pre>${message.text}</pre>
          </details>
        </article>`,
    )}`;
  return renderPage({ title: "Outbox", siteTitle, body });
}
