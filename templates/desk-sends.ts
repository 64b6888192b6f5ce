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
  // One card per digest, not a wide table: it reads on a 390 px phone.
  const cards = options.sends.map(
    (send) => html`<article class="card" aria-labelledby="send-${send.id}">
      <h2 id="send-${send.id}" style="margin-top:0"><a href="/digests/${send.id}">${send.id}</a>: ${send.status}</h2>
      <p class="meta">${send.subject}</p>
      ${send.heldReason ? html`<p><strong>Held:</strong> ${send.heldReason}</p>` : ""}
      <p>
        Sent ${send.sent} of ${send.recipients} · queued ${send.queued} · failed ${send.failed} ·
        skipped ${send.skipped} · invalid ${send.invalid} · ${send.events.bounced} bounced
        (${send.events.permanentBounces} permanent) · ${send.events.complained} complaints
      </p>
      ${send.startedAt ? html`<p class="meta">Started ${time(send.startedAt)}${send.finishedAt ? html`, finished ${time(send.finishedAt)}` : ""}</p>` : ""}
      <div class="row">${actions(send)}</div>
    </article>`,
  );
  const body = html`<p class="lead">Reload the page to see a send move on.</p>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
    ${options.sends.length === 0 ? html`<p>No digest has been compiled yet.</p>` : cards}`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "Sends",
    current: "/desk/sends",
    editor: options.editor,
    notice: options.notice,
    body,
  });
}
