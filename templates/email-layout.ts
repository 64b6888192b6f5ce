// The shell of every email: one 600 px table, inline styles for light, one small <style> for dark
// (prefers-color-scheme for Apple Mail and most apps, [data-ogsc]/[data-ogsb] for Outlook), no script.
import type { ReaderLinks } from "../src/subscribers/reader-links";
import { html, raw, type SafeHtml } from "./html";

// The font is set once, on the cells, and inherited: repeating a font stack on every element made
// each digest email about a quarter larger, and every byte is paid for once per reader.
const FONT = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;";

/** The brand colour: links and headlines. 6.4:1 on white; its dark twin is 8.3:1 on the dark card. */
export const BRAND = "#0b57d0";

export const EMAIL_STYLE = {
  text: `color:#1a1a1a;${FONT}font-size:16px;line-height:1.55;`,
  muted: "color:#5b5b5b;font-size:13px;",
  link: `color:${BRAND};`,
  // No colour of its own: it inherits the text cell's, which the dark styles change.
  heading: "margin:0 0 12px;font-size:24px;line-height:1.25;",
  button: `display:inline-block;padding:12px 22px;border-radius:6px;background:#0b57d0;color:#ffffff;${FONT}font-size:16px;font-weight:bold;text-decoration:none;`,
  footer: `color:#5b5b5b;${FONT}font-size:13px;line-height:1.5;`,
};

export type EmailShell = {
  title: string;
  siteTitle: string;
  /** Shown by inboxes beside the subject; hidden in the body. */
  preheader: string;
  content: SafeHtml;
  /** Reader-specific links (unsubscribe, preferences), or a placeholder the caller fills per reader. */
  footerLinks: SafeHtml;
  postalAddress: string;
  /** Replaces the small site-title line at the top (the digest's masthead). */
  masthead?: SafeHtml;
};

/**
 * Dark colours by class, so the inline light colours stay the default everywhere else. The class
 * names are one letter because they repeat on every story: c card, t text, m muted, l link and
 * headline, r rule, k the top story's panel, b the page. Contrast: text 14.6:1, muted 7.4:1.
 */
const DARK = {
  b: "background:#111214!important;",
  c: "background:#1c1d21!important;",
  k: "background:#25272d!important;border-color:#3a3c44!important;",
  t: "color:#e8e8e6!important;",
  m: "color:#b4b4ae!important;",
  l: "color:#8ab4f8!important;",
  r: "border-color:#3a3c44!important;",
};
const rules = (scope: string, names: (keyof typeof DARK)[]) =>
  names.map((name) => `${scope}.${name}{${DARK[name]}}`).join("");
// Outlook.com and the Outlook apps mark the body they darkened: [data-ogsc] for text colours,
// [data-ogsb] for backgrounds.
const DARK_CSS =
  ":root{color-scheme:light dark;supported-color-schemes:light dark;}" +
  `@media (prefers-color-scheme:dark){${rules("", ["b", "c", "k", "t", "m", "l", "r"])}}` +
  rules("[data-ogsc] ", ["t", "m", "l", "r"]) +
  rules("[data-ogsb] ", ["b", "c", "k"]);

export function renderEmailHtml(shell: EmailShell): string {
  return html`<!doctype html>
    <html lang='en' xmlns='http://www.w3.org/1999/xhtml'>
      <head>
        <meta charset='utf-8' />
        <meta name='viewport' content='width=device-width, initial-scale=1' />
        <meta name='color-scheme' content='light dark' />
        <meta name='supported-color-schemes' content='light dark' />
        <title>${shell.title}</title>
        <style>
          ${raw(DARK_CSS)}
        </style>
      </head>
      <body class='b' style='margin:0;padding:0;background:#f2f2ee;'>
        <div style='display:none;max-height:0;overflow:hidden;opacity:0;mso-hide:all;'>
          ${shell.preheader}&#8199;&#847;&#8199;&#847;&#8199;&#847;&#8199;&#847;&#8199;&#847;
        </div>
        <table
          role='presentation'
          width='100%'
          cellpadding='0'
          cellspacing='0'
          border='0'
          class='b'
          style='background:#f2f2ee;'
        >
          <tr>
            <td align='center' style='padding:24px 12px;'>
              <table
                role='presentation'
                width='100%'
                cellpadding='0'
                cellspacing='0'
                border='0'
                class='c'
                style='max-width:600px;width:100%;background:#ffffff;border-radius:8px;'
              >
                <tr>
                  ${
                    shell.masthead ??
                    html`<td
                    class='m'
                    style='padding:24px 28px 8px;${EMAIL_STYLE.footer}text-transform:uppercase;letter-spacing:.08em;font-weight:bold;'
                  >
                    ${shell.siteTitle}
                  </td>`
                  }
                </tr>
                <tr>
                  <td class='t' style='padding:8px 28px 24px;${EMAIL_STYLE.text}overflow-wrap:anywhere;'>${shell.content}</td>
                </tr>
                <tr>
                  <td
                    class='m r'
                    style='padding:20px 28px 28px;border-top:1px solid #e4e4e0;${EMAIL_STYLE.footer}'
                  >
                    ${shell.footerLinks}
                    <p style='margin:8px 0 0;'>${shell.postalAddress}</p>
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html> `.value;
}

/** The footer's reader links, the same in every email that goes to a confirmed reader. */
export function renderReaderFooterLinks(siteTitle: string, links: ReaderLinks, about?: string) {
  return html`${about ? html`<p style='margin:0 0 8px;'>You get: ${about}. <a href='${links.preferencesUrl}' class='l' style='${EMAIL_STYLE.link}'>Change what you get</a></p>` : ""}<p style='margin:0;'>
    You get this email because you subscribed to ${siteTitle}.
    <a href='${links.unsubscribeUrl}' class='l' style='${EMAIL_STYLE.link}'>Unsubscribe</a> &middot;
    <a href='${links.preferencesUrl}' class='l' style='${EMAIL_STYLE.link}'>Your data</a>
  </p>`;
}

/** `about`: what the reader chose and when ("AI and Security, daily at 07:00 Europe/Berlin"). */
export function renderReaderFooterText(links: ReaderLinks, about?: string): string {
  const chosen = about ? `You get: ${about}.\nChange what you get: ${links.preferencesUrl}\n` : "";
  return `${chosen}Unsubscribe: ${links.unsubscribeUrl}\nYour data: ${links.preferencesUrl}`;
}
