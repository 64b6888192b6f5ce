// GET /outbox: the local mail viewer's list, newest first: subject, to, from and time in words,
// filterable by address (one card a message, readable on a phone). Each subject opens the message.
import type { OutboxMessage } from "../src/mail/outbox-mailer";
import { html } from "./html";
import { renderDeskPage } from "./desk-layout";

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function timeInWords(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  if (seconds < 45) return "just now";
  if (seconds < 3600) return plural(Math.max(1, Math.round(seconds / 60)), "minute");
  if (seconds < 86_400) return plural(Math.round(seconds / 3600), "hour");
  return plural(Math.round(seconds / 86_400), "day");
}

export function renderOutboxList(options: {
  siteTitle: string;
  editor: string;
  entries: { ref: string; message: OutboxMessage }[];
  to?: string;
  now: Date;
}) {
  const { entries, to, now } = options;
  const body = html`<p class="lead">
      Every email Tidings sent while no RESEND_API_KEY is set, newest first${to ? html`, to ${to}` : ""}.
    </p>
    <form class="row" method="get" action="/outbox" role="search" aria-label="Filter the outbox">
      <label for="to">Address</label>
      <input id="to" name="to" type="email" value="${to ?? ""}" style="max-width:20rem" />
      <button type="submit" class="small">Filter</button>
      ${to ? html`<a href="/outbox">Show all</a>` : ""}
    </form>
    ${
      entries.length === 0
        ? html`<p>No mail yet.</p>`
        : html`<ul class="plain">
          ${entries.map(
            ({ ref, message }) => html`<li class="card">
              <a href="/outbox/${ref}"><strong>${message.subject}</strong></a><br />
              <span class="meta">To <a href="/outbox?to=${encodeURIComponent(message.to)}" aria-label="Mail to ${message.to}">${message.to}</a>
                · from ${message.from} ·
                <time datetime="${message.createdAt}" title="${message.createdAt}">${timeInWords(message.createdAt, now)}</time></span>
            </li>`,
          )}
        </ul>`
    }`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "Outbox",
    current: "/outbox",
    editor: options.editor,
    body,
  });
}
