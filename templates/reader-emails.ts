// The confirmation and welcome emails a reader gets on the way in.
import {
  EMAIL_STYLE,
  renderEmailHtml,
  renderReaderFooterLinks,
  renderReaderFooterText,
} from "./email-layout";
import type { ReaderLinks } from "../src/subscribers/reader-links";
import { html } from "./html";

// A raw link has no break points: without these it stretches a 600 px email on a 390 px phone.
// word-break is what Gmail and Apple Mail honour; overflow-wrap is the standard for the rest.
const FALLBACK_LINK_STYLE = "word-break:break-all;overflow-wrap:anywhere;";

export type RenderedEmail = { subject: string; html: string; text: string };

export function renderConfirmEmail(options: {
  siteTitle: string;
  confirmUrl: string;
  postalAddress: string;
}): RenderedEmail {
  const { siteTitle, confirmUrl, postalAddress } = options;
  const subject = `Confirm your subscription to ${siteTitle}`;
  const content = html`<h1 style="${EMAIL_STYLE.heading}">One click to confirm</h1>
    <p style="margin:0 0 20px;">
      Someone, hopefully you, asked to get ${siteTitle} by email. Confirm and the first digest
      arrives the next morning.
    </p>
    <p style="margin:0 0 20px;">
      <a href="${confirmUrl}" style="${EMAIL_STYLE.button}">Confirm subscription</a>
    </p>
    <p class="m" style="margin:0;font-size:13px;color:#5b5b5b;">
      Button not working? Open this link:<br />
      <a href="${confirmUrl}" class="l" style="${EMAIL_STYLE.link}${FALLBACK_LINK_STYLE}">${confirmUrl}</a><br />
      The link works for 7 days. If you did not ask for this, ignore this email and you will hear
      nothing more.
    </p>`;
  return {
    subject,
    html: renderEmailHtml({
      title: subject,
      siteTitle,
      preheader: `Confirm your subscription to ${siteTitle}.`,
      content,
      footerLinks: html`<p style="margin:0;">
        You get this email because this address was entered on the ${siteTitle} sign-up form.
      </p>`,
      postalAddress,
    }),
    text: [
      `Confirm your subscription to ${siteTitle}`,
      "",
      "Someone, hopefully you, asked to get this digest by email. Confirm here:",
      confirmUrl,
      "",
      "The link works for 7 days. If you did not ask for this, ignore this email.",
      "",
      postalAddress,
    ].join("\n"),
  };
}

export function renderWelcomeEmail(options: {
  siteTitle: string;
  siteUrl: string;
  sendTime: string;
  /** Under personal delivery, the reader's choices in words; the one daily send time otherwise. */
  choices?: string | undefined;
  links: ReaderLinks;
  postalAddress: string;
}): RenderedEmail {
  const { siteTitle, siteUrl, sendTime, choices, links, postalAddress } = options;
  const subject = `Welcome to ${siteTitle}`;
  const archiveUrl = `${siteUrl}/digests`;
  const what = choices ? `You get: ${choices}.` : `You get one email every day at ${sendTime}.`;
  const how =
    "Each email holds the tech news our editors picked since your last one, top story first. Days with no news send nothing.";
  const content = html`<h1 style="${EMAIL_STYLE.heading}">You're subscribed</h1>
    <p style="margin:0 0 8px;font-size:18px;"><strong>${what}</strong></p>
    <p style="margin:0 0 16px;">${how}</p>
    <p style="margin:0 0 16px;">
      <a href="${links.preferencesUrl}" class="l" style="${EMAIL_STYLE.link}">Change what you get and when</a>
      &middot;
      <a href="${archiveUrl}" class="l" style="${EMAIL_STYLE.link}">Read past digests</a>
    </p>
    <p style="margin:0;">
      To leave, use the unsubscribe link at the bottom of any email: one click, no login.
    </p>`;
  return {
    subject,
    html: renderEmailHtml({
      title: subject,
      siteTitle,
      preheader: `${what} Leave with one click.`,
      content,
      footerLinks: renderReaderFooterLinks(siteTitle, links),
      postalAddress,
    }),
    text: [
      `Welcome to ${siteTitle}`,
      "",
      what,
      how,
      "",
      `Change what you get and when: ${links.preferencesUrl}`,
      `Past digests: ${archiveUrl}`,
      "",
      "To leave, use the unsubscribe link at the bottom of any email.",
      "",
      renderReaderFooterText(links),
      postalAddress,
    ].join("\n"),
  };
}
