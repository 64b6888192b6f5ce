// GET /outbox/<ref>: one message, like a local mail catcher shows it: HTML at full width, the plain
// text, the headers and the raw JSON, one at a time, and its links as a short list.
import type { OutboxMessage } from "../src/mail/outbox-mailer";
import { html, raw, safeHref } from "./html";
import { renderDeskPage } from "./desk-layout";
import { timeInWords } from "./outbox-list";

export type OutboxView = "html" | "text" | "headers" | "raw";
const VIEWS: [OutboxView, string][] = [
  ["html", "HTML"],
  ["text", "Plain text"],
  ["headers", "Headers"],
  ["raw", "Raw JSON"],
];

const decode = (text: string) =>
  text.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'");

/** The email's http(s) links, each once, with the words they are on. */
export function linksOf(message: OutboxMessage): { href: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const match of message.html.matchAll(
    /<a\b[^>]*?href=(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a>/gi,
  )) {
    const href = safeHref(decode(match[2] ?? ""));
    const label = decode(
      (match[3] ?? "")
        .replace(/<[^>]*>/g, "")
        .replace(/\s+/g, " ")
        .trim(),
    );
    if (href && !seen.has(href)) seen.set(href, label);
  }
  return [...seen].map(([href, label]) => ({ href, label }));
}

/** `https://site/confirm?token=eyJ…` as `site/confirm?token=eyJwIjoi…`: the start of a long query. */
export function shortUrl(href: string): string {
  const url = new URL(href);
  const query = url.search.length > 24 ? `${url.search.slice(0, 23)}…` : url.search;
  return `${url.host}${url.pathname}${query}`;
}

export function renderOutboxMessage(options: {
  siteTitle: string;
  editor: string;
  ref: string;
  message: OutboxMessage;
  view: OutboxView;
  now: Date;
}) {
  const { message, view, ref } = options;
  const tabs = html`<p class="row switches">
    ${VIEWS.map(
      ([name, label]) =>
        html`<a href="/outbox/${ref}${name === "html" ? "" : `?view=${name}`}" ${raw(view === name ? 'aria-current="true"' : "")}>${label}</a>`,
    )}
  </p>`;
  const shown =
    view === "text"
      ? html`<pre class="card">${message.text}</pre>`
      : view === "headers"
        ? html`<table><tbody>${Object.entries(message.headers).map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}
            ${message.tags.map((tag) => html`<tr><th scope="row">tag ${tag.name}</th><td>${tag.value}</td></tr>`)}</tbody></table>`
        : view === "raw"
          ? html`<pre class="card">${JSON.stringify(message, null, 2)}</pre>`
          : html`<iframe class="full" sandbox="" title="Email: ${message.subject}" srcdoc="${message.html}"></iframe>`;
  const links = linksOf(message);
  const body = html`<p class="meta">From ${message.from} · to <a href="/outbox?to=${encodeURIComponent(message.to)}">${message.to}</a> ·
      <time datetime="${message.createdAt}" title="${message.createdAt}">${timeInWords(message.createdAt, options.now)}</time></p>
    ${tabs}${shown}
    <h2>Links</h2>
    ${
      links.length === 0
        ? html`<p>None.</p>`
        : html`<ul>${links.map(({ href, label }) => html`<li>${label ? html`${label}: ` : ""}<a href="${href}">${shortUrl(href)}</a></li>`)}</ul>`
    }
    <p><a href="/outbox">All mail</a></p>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: message.subject,
    current: "/outbox",
    editor: options.editor,
    body,
  });
}
