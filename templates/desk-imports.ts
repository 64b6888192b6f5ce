// The desk's whole-list import: the upload form (a file and where its consent comes from, no
// JavaScript), the recent imports, and one import's progress with its refused rows to download.
import type { ImportProgress } from "../src/imports/list-import";
import { html } from "./html";
import { renderDeskPage } from "./desk-layout";

const STATE_WORDS: Record<ImportProgress["state"], string> = {
  uploading: "uploading",
  running: "importing",
  done: "done",
  abandoned: "not imported",
};

const importHref = (id: string) => `/desk/readers/imports/${id}`;

/** The upload form and the recent imports, on the Readers page. */
export function renderImportSection(recent: ImportProgress[], error?: string) {
  const list =
    recent.length === 0
      ? ""
      : html`<h3>Recent imports</h3>
          <ul>
            ${recent.map(
              (item) =>
                html`<li><a href="${importHref(item.id)}">${item.fileName}</a> from ${item.source}: ${STATE_WORDS[item.state]}, ${item.read} of ${item.rows} rows</li>`,
            )}
          </ul>`;
  return html`<h2 id="list-import-heading">Import a whole list</h2>
    <p>An export from Substack, Mailchimp, Buttondown, Kit, beehiiv, Ghost or listmonk, or any CSV
      with an email column; up to 500,000 rows or 100 MB (a <code>.csv.gz</code> too).</p>
    ${error ? html`<p class="notice" role="alert" id="list-import-error">${error}</p>` : ""}
    <form class="stack" method="post" action="/desk/readers/imports" enctype="multipart/form-data" aria-labelledby="list-import-heading">
      <div class="field">
        <label for="import-source">Where the list comes from</label>
        <input id="import-source" name="source" type="text" required maxlength="100" placeholder="Substack" />
      </div>
      <div class="field">
        <label for="import-attestation">Where and when these readers confirmed</label>
        <textarea id="import-attestation" name="attestation" maxlength="1000"></textarea>
        <p class="hint">Kept in each reader's consent record. Readers the export shows as subscribed
          are confirmed and get no email; those who left, bounced or complained are never mailed.</p>
      </div>
      <div class="field">
        <label><input type="checkbox" name="askToConfirm" value="1" /> Consent unknown: ask each new reader to confirm (one email each)</label>
      </div>
      <div class="field">
        <label for="import-topics">Tags to topics (optional), one a line: <code>Tag name: ai, security</code></label>
        <textarea id="import-topics" name="topics"></textarea>
      </div>
      <div class="field">
        <label for="import-file">Export file</label>
        <input id="import-file" name="file" type="file" required accept=".csv,.gz,text/csv" />
      </div>
      <button type="submit">Import list</button>
    </form>
    ${list}`;
}

/** One import's progress; reload to see it move. */
export function renderImportPage(options: {
  siteTitle: string;
  editor: string;
  progress: ImportProgress;
}) {
  const { progress } = options;
  const rows: [string, number][] = [
    ["Rows in the file", progress.rows],
    ["Rows read", progress.read],
    ["Added", progress.added],
    ["Updated", progress.updated],
    ["Unchanged", progress.unchanged],
    ["Suppressed (never mailed)", progress.suppressed],
    ["Refused", progress.refused],
    ["Confirmation emails sent", progress.confirmationsSent],
  ];
  const body = html`<p role="status">${progress.fileName} (${progress.tool}) from ${progress.source}:
      <strong>${STATE_WORDS[progress.state]}</strong>${progress.state === "running" ? " — reload to see progress." : "."}</p>
    ${progress.error ? html`<p class="notice">${progress.state === "running" ? "Retrying after: " : ""}${progress.error}</p>` : ""}
    <table>
      <caption>What the import did</caption>
      <tbody>${rows.map(([label, count]) => html`<tr><th scope="row">${label}</th><td>${count}</td></tr>`)}</tbody>
    </table>
    ${progress.refused > 0 ? html`<p><a href="${importHref(progress.id)}/refused.csv" download>Download the refused rows</a> (row number, address, reason).</p>` : ""}
    <p><a href="/desk/readers">All readers</a></p>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "List import",
    current: "/desk/readers",
    editor: options.editor,
    body,
  });
}
