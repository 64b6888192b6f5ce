// The shell of every web page: valid HTML5, lang, viewport, readable on a phone, no script at all.
import { FAVICON_DATA_URL } from "./favicon";
import { html, raw, type SafeHtml } from "./html";

/** The one stylesheet. Colours live here only, so dark mode is the page's, never an email's. */
export const PAGE_CSS = `
:root { color-scheme: light dark; --fg: #1a1a1a; --bg: #fafaf7; --muted: #5b5b5b; --accent: #0b57d0; --card: #ffffff; --line: #dedede; --danger: #b3261e; --on-accent: #fff; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececec; --bg: #16171a; --muted: #a8a8a8; --accent: #8ab4f8; --card: #1f2024; --line: #34363b; --danger: #f2b8b5; --on-accent: #111; } }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); overflow-wrap: anywhere; }
main { max-width: 40rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; }
a { color: var(--accent); }
p.lead { font-size: 1.15rem; color: var(--muted); margin-top: 0; }
.lead strong, .address { color: var(--fg); }
form.stack { display: grid; gap: .6rem; margin: 1.5rem 0; }
label { font-weight: 600; }
input[type=email], input[type=text] { font: inherit; padding: .7rem .8rem; border: 1px solid var(--line); border-radius: .5rem; background: var(--card); color: var(--fg); width: 100%; min-width: 0; }
button { font: inherit; font-weight: 600; padding: .75rem 1.2rem; border: 0; border-radius: .5rem; background: var(--accent); color: var(--on-accent); cursor: pointer; justify-self: start; }
button.danger { background: var(--danger); }
button.quiet { background: transparent; color: var(--accent); border: 1px solid var(--line); }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { color: var(--danger); font-weight: 600; margin: 0; }
.hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
.fine { font-size: .9rem; color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .75rem; padding: 1rem 1.25rem; margin: 1rem 0; }
.warning { border-color: var(--danger); }
.card > :first-child { margin-top: 0; }
.meta { font-size: .85rem; color: var(--muted); }
.also { font-size: .9rem; color: var(--muted); margin-top: -.25rem; }
ul.plain { list-style: none; padding: 0; }
ul.plain li { margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem .25rem 0; }
iframe { width: 100%; height: 28rem; border: 1px solid var(--line); border-radius: .5rem; background: #fff; }
pre { white-space: pre-wrap; font-size: .85rem; }
.masthead { border-bottom: 3px solid var(--fg); padding-bottom: .75rem; margin-bottom: 1.25rem; }
.wordmark { font: 800 2.4rem/1.05 Georgia, "Times New Roman", serif; letter-spacing: -.02em; margin: 0; }
.wordmark a { color: var(--fg); text-decoration: none; }
.issue-line { margin: .35rem 0 0; font-size: .9rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.issue-line strong { color: var(--fg); }
.subscribe-box { display: grid; grid-template-columns: 1fr auto; gap: .5rem; align-items: end; margin: 0 0 1.5rem; padding: .9rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: .75rem; }
.subscribe-box label { grid-column: 1 / -1; font-size: .95rem; }
.subscribe-box .fine { grid-column: 1 / -1; margin: 0; }
@media (max-width: 30rem) { .subscribe-box { grid-template-columns: 1fr; } }
.section-label { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin: 2rem 0 .25rem; }
.story h3 { font-size: 1.2rem; line-height: 1.3; margin: 1rem 0 .2rem; }
.story h3 a { color: var(--accent); text-decoration: none; }
.story h3 a:hover { text-decoration: underline; }
.story p { margin: 0 0 .4rem; }
.story.top h3 { font-size: 1.55rem; }
.story.top { border-left: 4px solid var(--accent); padding-left: .9rem; }
.issues li { padding-bottom: .75rem; border-bottom: 1px solid var(--line); }
.issues .lead-story { font-weight: 600; }
`;

export type PageOptions = {
  title: string;
  siteTitle: string;
  body: SafeHtml;
  head?: SafeHtml;
  /** For search results and link previews: meta description and the Open Graph tags. */
  description?: string;
  /** The page's absolute address, for `og:url`. */
  url?: string;
};

export function renderPage({
  title,
  siteTitle,
  body,
  head,
  description,
  url,
}: PageOptions): string {
  const fullTitle = title === siteTitle ? siteTitle : `${title} · ${siteTitle}`;
  const share = description
    ? html`<meta name="description" content="${description}" />
        <meta property="og:type" content="website" />
        <meta property="og:site_name" content="${siteTitle}" />
        <meta property="og:title" content="${title}" />
        <meta property="og:description" content="${description}" />
        ${url ? html`<meta property="og:url" content="${url}" />` : ""}`
    : "";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${fullTitle}</title>
        ${share}
        <link rel="icon" type="image/svg+xml" href="${FAVICON_DATA_URL}" />
        <style>
          ${raw(PAGE_CSS)}
        </style>
        ${head}
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html> `.value;
}
