// GET /desk/sends: every digest with its status and progress; Release for a held one, Re-drive for
// one with failed readers. Refreshed by reloading: the page has no script.
import type { SendStatus } from "../src/digest/edition-status";
import { html } from "./html";
import { renderDeskPage } from "./desk-layout";

export type SendRow = SendStatus & { subject: string };

const time = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "");

function actions(send: SendRow) {
  const release =
    send.status === "held"
      ? html`<form class="inline" method="post" action="/desk/sends/${send.id}/release">
          <button type="submit" class="small" aria-label="Release the digest of ${send.id}">Release</button>
        </form>`
      : "";
  const redrive =
    send.failed > 0
      ? html`<form class="inline" method="post" action="/desk/sends/${send.id}/redrive">
          <button type="submit" class="small" aria-label="Re-drive the failed readers of ${send.id}">Re-drive</button>
        </form>`
      : "";
  return html`${release}${redrive}`;
}

export function renderSendsPage(options: {
  siteTitle: string;
  editor: string;
  sends: SendRow[];
  notice?: string | null;
  error?: string | null;
}) {
  const rows = options.sends.map(
    (send) => html`<tr>
      <th scope="row"><a href="/digests/${send.id}">${send.id}</a><br /><span class="meta">${send.subject}</span></th>
      <td>${send.status}${send.heldReason ? html`<br /><span class="meta">${send.heldReason}</span>` : ""}</td>
      <td>${send.sent} of ${send.recipients}</td>
      <td>${send.queued}</td>
      <td>${send.failed}</td>
      <td>${send.skipped + send.invalid}</td>
      <td>${send.events.bounced} bounced, ${send.events.complained} complaints</td>
      <td class="meta">${time(send.startedAt)}${send.finishedAt ? html`<br />done ${time(send.finishedAt)}` : ""}</td>
      <td>${actions(send)}</td>
    </tr>`,
  );
  const body = html`<p class="lead">Reload the page to see a send move on.</p>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
    ${
      options.sends.length === 0
        ? html`<p>No digest has been compiled yet.</p>`
        : html`<div class="scroll"><table>
          <thead><tr>
            <th scope="col">Digest</th><th scope="col">Status</th><th scope="col">Sent</th>
            <th scope="col">Queued</th><th scope="col">Failed</th><th scope="col">Skipped</th>
            <th scope="col">Events</th><th scope="col">Time</th><th scope="col">Actions</th>
          </tr></thead>
          <tbody>${rows}</tbody>
        </table></div>`
    }`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "Sends",
    current: "/desk/sends",
    editor: options.editor,
    notice: options.notice,
    body,
  });
}
