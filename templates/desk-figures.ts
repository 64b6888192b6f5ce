// GET /desk/figures: the newsletter's figures as pictures, with no script. Each chart is SVG with a
// text alternative, and beside it the same numbers as a table (the numbers GET /api/stats answers).
import type { SendOverTime, Stats } from "../src/stats/read-stats";
import { renderDeskPage } from "./desk-layout";
import { clock, count, percent, ratesChart, readersChart, sendChart } from "./figure-charts";
import { html, type SafeHtml } from "./html";
import { renderChart } from "./svg-chart";

/** A table of numbers in a scroll box that a keyboard can reach (it may be taller than the page). */
function numbers(id: string, caption: string, head: string[], rows: (string | number)[][]) {
  return html`<div class="numbers" role="region" aria-labelledby="${id}" tabindex="0">
    <table id="${id}-table">
      <caption id="${id}" class="meta">${caption}</caption>
      <thead>
        <tr>${head.map((cell) => html`<th scope="col">${cell}</th>`)}</tr>
      </thead>
      <tbody>
        ${rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}
      </tbody>
    </table>
  </div>`;
}

function readersSection(stats: Stats): SafeHtml {
  const { baseline, days } = stats.readers;
  const since = baseline.since.slice(0, 10);
  const base = baseline.done
    ? html`Counting began on ${since}, with ${count(baseline.readers ?? 0)} readers confirmed before it (counted once from the reader list); every join and leave since is counted as it happens.`
    : html`Counting began on ${since}; the readers confirmed before it are being counted from the reader list (${count(baseline.walked)} so far).`;
  const rows = [...days]
    .reverse()
    .map((day) => [
      day.date,
      day.confirmed === null ? "–" : count(day.confirmed),
      count(day.joins),
      count(day.leaves),
    ]);
  return html`<section aria-labelledby="readers-heading">
    <h2 id="readers-heading">Readers over time</h2>
    <p class="meta">${base}</p>
    <div class="figures">
      ${renderChart(readersChart(stats))}
      ${numbers("readers-numbers", "Readers per day, newest first", ["Day", "Confirmed", "Joined", "Left"], rows)}
    </div>
  </section>`;
}

function sendPicker(stats: Stats, chosen: string | null) {
  if (stats.sends.length === 0) return "";
  return html`<form class="row" method="get" action="/desk/figures">
    <label for="send">Send</label>
    <select id="send" name="send">
      ${stats.sends.map(
        (send) =>
          html`<option value="${send.id}" ${send.id === chosen ? html`selected` : ""}>${send.id} (${send.status}, ${count(send.sent)} sent)</option>`,
      )}
    </select>
    <button type="submit" class="small">Show</button>
  </form>`;
}

function sendSection(stats: Stats, send: SendOverTime | null): SafeHtml {
  const body = send
    ? html`<div class="figures">
        ${renderChart(sendChart(send))}
        ${numbers(
          "send-numbers",
          `Emails of send ${send.id} per minute (UTC)`,
          ["Minute", "Sent", "Failed"],
          send.minutes.map((minute) => [
            `${minute.minute.slice(0, 10)} ${clock(minute.minute)}`,
            count(minute.sent),
            count(minute.failed),
          ]),
        )}
      </div>`
    : html`<p>No send has started yet.</p>`;
  return html`<section aria-labelledby="send-heading">
    <h2 id="send-heading">A send over time</h2>
    ${sendPicker(stats, send?.id ?? null)} ${body}
  </section>`;
}

function ratesSection(stats: Stats): SafeHtml {
  const rows = [...stats.editions.days]
    .reverse()
    .map((day) => [
      day.date,
      count(day.sent),
      count(day.complained),
      percent(day.complaintRate),
      count(day.permanentBounces),
      percent(day.bounceRate),
    ]);
  return html`<section aria-labelledby="rates-heading">
    <h2 id="rates-heading">Bounces and complaints</h2>
    <p class="meta">
      Each day's sends together (under personal delivery, every run slot of the day). A day past
      the dashed line holds the next digest until an editor releases it.
    </p>
    <div class="figures">
      ${renderChart(ratesChart(stats))}
      ${numbers(
        "rates-numbers",
        "Each day's sends, newest first",
        ["Day", "Sent", "Complaints", "Complaint rate", "Hard bounces", "Bounce rate"],
        rows,
      )}
    </div>
  </section>`;
}

export function renderFiguresPage(options: {
  siteTitle: string;
  editor: string;
  stats: Stats;
  send: SendOverTime | null;
}): string {
  const body = html`<p class="lead">
      Counted as things happen; the API's <code>GET /api/stats</code> answers the same numbers.
      <a href="/desk/figures/report">See the weekly report</a> as editors get it.
    </p>
    ${readersSection(options.stats)} ${sendSection(options.stats, options.send)}
    ${ratesSection(options.stats)}`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: "Figures",
    current: "/desk/figures",
    editor: options.editor,
    body,
  });
}
