// GET /desk/sends: every digest (and every run slot paused for the quota) with its status, progress
// and why readers were not mailed; Release for a held one, Re-drive for one with failed readers,
// Resume for one paused because the provider's quota is spent. Refreshed by reloading: no script.
import type { SendStatus } from "../src/digest/edition-status";
import { html } from "./html";
import { renderDeskPage } from "./desk-layout";

export type SendRow = SendStatus & { subject: string };

const time = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "");

/** One action's button: a same-origin form post to /desk/sends/<id>/<action>. */
const action = (id: string, name: string, label: string, what: string) =>
  html`<form class="inline" method="post" action="/desk/sends/${id}/${name}">
    <button type="submit" class="small" aria-label="${label} ${what} ${id}">${label}</button>
  </form>`;

function actions(send: SendRow) {
  return html`${send.status === "held" ? action(send.id, "release", "Release", "the digest of") : ""}${
    send.status === "paused" ? action(send.id, "resume", "Resume", "the send of") : ""
  }${send.failed > 0 ? action(send.id, "redrive", "Re-drive", "the failed readers of") : ""}`;
}

/** Why readers were not mailed, in the provider's words, with how many each. */
function failures(send: SendRow) {
  if (send.failureReasons.length === 0) return "";
  return html`<details>
    <summary>Why ${send.failed} ${send.failed === 1 ? "reader was" : "readers were"} not mailed</summary>
    <ul>${send.failureReasons.map((f) => html`<li>${f.readers}: ${f.reason}</li>`)}</ul>
  </details>`;
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
      ${send.pausedReason ? html`<p><strong>Paused:</strong> ${send.pausedReason}</p>` : ""}
      <p>
        Sent ${send.sent} of ${send.recipients} · queued ${send.queued} · failed ${send.failed} ·
        skipped ${send.skipped} · invalid ${send.invalid} · ${send.events.bounced} bounced
        (${send.events.permanentBounces} permanent) · ${send.events.complained} complaints ·
        ${send.events.suppressed} suppressed by Resend · ${send.events.failed} failed after sending
      </p>
      ${failures(send)}
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
