// The banner every desk page shows while the provider's email quota is spent: what stopped, until
// when, how many sends wait, and one button that carries on now (for after raising the plan).
import type { QuotaStop } from "../src/mail/quota-stop";
import { quotaInWords } from "../src/mail/quota-stop";
import { html } from "./html";

/** Where the desk layout leaves room for the banner; the desk's middleware fills it in. */
export const DESK_BANNER_SLOT = "<!--desk-banner-->";

export function renderQuotaBanner(stop: QuotaStop, waiting: string[]): string {
  const sends =
    waiting.length === 0
      ? "No send is waiting; confirmation and welcome emails wait too."
      : `${waiting.length} ${waiting.length === 1 ? "send waits" : "sends wait"} (${waiting.slice(0, 5).join(", ")}${waiting.length > 5 ? ", …" : ""}), and so do confirmation and welcome emails.`;
  return html`<section class="banner" role="status" aria-labelledby="quota-banner">
    <h2 id="quota-banner">Sending is paused: the email quota is spent</h2>
    <p>${quotaInWords(stop)}</p>
    <p>${sends}</p>
    <form class="inline" method="post" action="/desk/quota/resume">
      <button type="submit" class="small">Resume sending now</button>
    </form>
  </section>`.value;
}
