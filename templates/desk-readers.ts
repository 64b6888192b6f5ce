// The desk's readers: counts by status, a search by address, CSV export and import, and a reader's
// record with an erase button behind a confirmation step.
import type { ImportProgress } from "../src/imports/list-import";
import type { ImportResult } from "../src/subscribers/import-readers";
import { renderImportSection } from "./desk-imports";
import type { ReaderCounts } from "../src/subscribers/reader-roster";
import type { Subscriber } from "../src/subscribers/subscriber-schema";
import { html } from "./html";
import { describedBy, fieldError, renderDeskPage } from "./desk-layout";

const readerHref = (email: string) => `/desk/readers/${encodeURIComponent(email)}`;

export function renderReadersPage(options: {
  siteTitle: string;
  editor: string;
  counts: ReaderCounts;
  query: string;
  found: { email: string; status: string }[] | null;
  notice?: string | null;
  imported?: ImportResult[];
  errors?: { csv?: string; consentSource?: string };
  values?: { csv?: string; consentSource?: string };
  imports?: ImportProgress[];
  importError?: string | undefined;
}) {
  const { counts, found, errors = {}, values = {} } = options;
  const results =
    found === null
      ? ""
      : found.length === 0
        ? html`<p>No reader's address starts with “${options.query}”.</p>`
        : html`<ul>
            ${found.map((reader) => html`<li><a href="${readerHref(reader.email)}">${reader.email}</a> (${reader.status})</li>`)}
          </ul>`;
  const imported = options.imported
    ? html`<div class="card" role="status"><h3>Import</h3><ul>
        ${options.imported.map((result) => html`<li>${"email" in result && result.email ? result.email : ("input" in result && result.input) || "(not an address)"}: ${result.status === 202 && "outcome" in result ? (result.outcome === "confirmation_sent" ? "confirmation sent" : "nothing to do") : "error" in result ? result.error.message : ""}</li>`)}
      </ul></div>`
    : "";
  const body = html`<h2>By status</h2>
    <table>
      <thead><tr><th scope="col">Status</th><th scope="col">Readers</th></tr></thead>
      <tbody>
        ${Object.entries(counts.counts).map(([status, count]) => html`<tr><td>${status}</td><td>${count}</td></tr>`)}
        <tr><th scope="row">All</th><td>${counts.total}${counts.complete ? "" : " (so far: the list is too long to count in one page)"}</td></tr>
      </tbody>
    </table>

    <h2 id="search-heading">Find a reader</h2>
    <form class="stack" method="get" action="/desk/readers" role="search" aria-labelledby="search-heading">
      <div class="field">
        <label for="q">Address (or its beginning)</label>
        <input id="q" name="q" type="search" value="${options.query}" autocomplete="off" />
      </div>
      <button type="submit">Search</button>
    </form>
    ${results}

    <h2>Export</h2>
    <p><a href="/desk/readers.csv" download>Download readers as CSV</a> (address, status, dates, source; no tokens).</p>

    ${renderImportSection(options.imports ?? [], options.importError)}

    <h2 id="import-heading">Import a few addresses</h2>
    ${imported}
    <form class="stack" method="post" action="/desk/readers/import" aria-labelledby="import-heading">
      <div class="field">
        <label for="csv">CSV with an email column, or one address a line (at most 100)</label>
        <textarea id="csv" name="csv" ${describedBy("csv", errors.csv)}>${values.csv ?? ""}</textarea>
        ${fieldError("csv", errors.csv)}
      </div>
      <div class="field">
        <label for="consent-source">Where their consent comes from</label>
        <input id="consent-source" name="consentSource" type="text" value="${values.consentSource ?? ""}" ${describedBy("consent-source", errors.consentSource)} />
        ${fieldError("consent-source", errors.consentSource)}
        <p class="hint">Kept in each reader's consent record, like “2026 conference sign-up sheet”. Each new reader gets a confirmation email.</p>
      </div>
      <button type="submit">Import</button>
    </form>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "Readers",
    current: "/desk/readers",
    editor: options.editor,
    notice: options.notice,
    body,
  });
}

export function renderReaderPage(options: {
  siteTitle: string;
  editor: string;
  reader: Subscriber;
  confirmErase: boolean;
}) {
  const { reader } = options;
  const { consent } = reader;
  const erase = options.confirmErase
    ? html`<div class="card" role="alert">
        <h2>Erase ${reader.email}?</h2>
        <p>Everything kept about this reader is deleted, and cannot be brought back. A bounced or
          complained address stays suppressed (without the address).</p>
        <form class="row" method="post" action="${readerHref(reader.email)}/erase">
          <button type="submit" class="danger">Yes, erase this reader</button>
          <a href="${readerHref(reader.email)}">No, keep them</a>
        </form>
      </div>`
    : html`<p><a href="${readerHref(reader.email)}?erase=1">Erase this reader…</a></p>`;
  const body = html`<dl>
      <dt>Status</dt><dd>${reader.status}</dd>
      <dt>Signed up</dt><dd>${consent.signedUpAt} by ${consent.source} (${consent.formVersion})</dd>
      <dt>Confirmed</dt><dd>${consent.confirmedAt ?? "not yet"}</dd>
      <dt>Left</dt><dd>${consent.unsubscribedAt ? html`${consent.unsubscribedAt} (${consent.unsubscribeMethod})` : "no"}</dd>
    </dl>
    <h2>Consent ledger</h2>
    <ol>${reader.history.map((event) => html`<li>${event.at}: ${event.event.replace("_", " ")}${event.via ? ` (${event.via})` : ""}</li>`)}</ol>
    ${erase}
    <p><a href="/desk/readers">All readers</a></p>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: reader.email,
    current: "/desk/readers",
    editor: options.editor,
    body,
  });
}
