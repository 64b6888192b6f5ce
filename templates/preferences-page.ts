// GET /preferences: a reader's choices (topics, cadence, delivery time) to change, their status and
// consent record, with their data to download or erase.
import type { PreferencesInput, Topic } from "../src/subscribers/preferences";
import { describePreferences, preferencesOf } from "../src/subscribers/preferences";
import type { Subscriber } from "../src/subscribers/subscriber-schema";
import { consentInWords, eventInWords, statusInWords } from "./consent-words";
import { html } from "./html";
import { renderPreferenceFields } from "./preference-fields";
import { renderPage } from "./page-layout";

// What the choices mean depends on the status: only a confirmed reader is getting anything now.
const CHOICES_LEAD: Partial<Record<Subscriber["status"], string>> = {
  confirmed: "You get",
  pending: "Once you confirm, you get",
};

export function renderPreferencesPage(options: {
  siteTitle: string;
  subscriber: Subscriber;
  token: string;
  topics: Topic[];
  /** What a rejected form sent, shown again with `errors` next to the fields. */
  choices?: PreferencesInput;
  errors?: Record<string, string>;
  saved?: boolean;
}) {
  const { siteTitle, subscriber, token, topics } = options;
  const consent = subscriber.consent;
  const query = `token=${encodeURIComponent(token)}`;
  const current = preferencesOf(subscriber);
  const body = html`
<h1>Your subscription</h1>
${options.saved ? html`<p class="lead" role="status">Saved. You now get: ${describePreferences(current, topics)}.</p>` : ""}
<p class="lead">${subscriber.email} ${statusInWords(subscriber.status)}.</p>
<h2>What you get, and when</h2>
<p>${CHOICES_LEAD[subscriber.status] ?? "Your choices, kept in case you come back"}: <strong>${describePreferences(current, topics)}</strong>.</p>
<form class="stack" method="post" action="/preferences?${query}">
  ${renderPreferenceFields({ topics, choices: options.choices ?? { ...current, topics: current.topics ?? topics.map((t) => t.slug) }, errors: options.errors ?? {} })}
  <button type="submit">Save my choices</button>
</form>
<h2>Your record</h2>
<ul class="card">${consentInWords(consent).map((line) => html`<li>${line}</li>`)}</ul>
<h2>What happened, in order</h2>
<ul>${subscriber.history.map((event) => html`<li>${eventInWords(event)}</li>`)}</ul>
<h2>Your data</h2>
<p><a href="/preferences/export?${query}">Download everything we keep about you (JSON)</a></p>
${subscriber.status === "confirmed" || subscriber.status === "pending" ? html`<form class="stack" method="post" action="/unsubscribe?${query}"><button type="submit">Unsubscribe</button></form>` : ""}
<h2>Erase your data</h2>
<form class="stack card warning" method="post" action="/preferences/erase?${query}">
  <p>Erasing deletes your record and everything that names you, for good. We keep only a one-way hash of the address, so it stays unsubscribed; signing up again starts afresh. The next page asks you to confirm.</p>
  <button type="submit" class="danger">Erase my data…</button>
</form>`;
  return renderPage({ title: "Your subscription", siteTitle, body });
}
