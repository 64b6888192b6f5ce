// GET /preferences: a reader's choices (topics, cadence, delivery time) to change, their status and
// consent record, with their data to download or erase.
import type { PreferencesInput, Topic } from "../src/subscribers/preferences";
import { describePreferences, preferencesOf } from "../src/subscribers/preferences";
import type { Subscriber } from "../src/subscribers/subscriber-schema";
import { html } from "./html";
import { renderPreferenceFields } from "./preference-fields";
import { renderPage } from "./page-layout";

const row = (label: string, value: string | null) =>
  html`<tr><th scope="row">${label}</th><td>${value ?? "-"}</td></tr>`;

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
<p class="lead">${subscriber.email} is <strong>${subscriber.status}</strong>.</p>
<h2>What you get, and when</h2>
<p>${describePreferences(current, topics)}.</p>
<form class="stack" method="post" action="/preferences?${query}">
  ${renderPreferenceFields({ topics, choices: options.choices ?? { ...current, topics: current.topics ?? topics.map((t) => t.slug) }, errors: options.errors ?? {} })}
  <button type="submit">Save my choices</button>
</form>
<table class="card">
${row("Signed up", consent.signedUpAt)}
${row("Signed up from", `${consent.source} (${consent.formVersion})`)}
${row("Confirmed", consent.confirmedAt)}
${row("Left", consent.unsubscribedAt ? `${consent.unsubscribedAt} (${consent.unsubscribeMethod})` : null)}
</table>
<h2>What happened, in order</h2>
<ul>${subscriber.history.map((event) => html`<li>${event.at}: ${event.event.replace("_", " ")}${event.via ? ` (${event.via})` : ""}</li>`)}</ul>
<h2>Your data</h2>
<p><a href="/preferences/export?${query}">Download everything we keep about you (JSON)</a></p>
${subscriber.status === "confirmed" || subscriber.status === "pending" ? html`<form class="stack" method="post" action="/unsubscribe?${query}"><button type="submit">Unsubscribe</button></form>` : ""}
<form class="stack" method="post" action="/preferences/erase?${query}">
  <p>Erasing deletes your record and everything that names you. We keep only a one-way hash of the address, so it stays unsubscribed; signing up again starts afresh.</p>
  <button type="submit">Erase my data</button>
</form>`;
  return renderPage({ title: "Your subscription", siteTitle, body });
}
