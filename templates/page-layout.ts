// The shell of every web page: valid HTML5, lang, viewport, readable on a phone, no script at all.
import { html, raw, type SafeHtml } from "./html";

/** The one stylesheet; hashed into the Content-Security-Policy, so it must stay a constant. */
export const PAGE_CSS = `
:root { color-scheme: light dark; --fg: #1a1a1a; --bg: #fafaf7; --muted: #5b5b5b; --accent: #0b57d0; --card: #ffffff; --line: #dedede; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececec; --bg: #16171a; --muted: #a8a8a8; --accent: #8ab4f8; --card: #1f2024; --line: #34363b; } }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 40rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; }
a { color: var(--accent); }
p.lead { font-size: 1.15rem; color: var(--muted); margin-top: 0; }
form.stack { display: grid; gap: .6rem; margin: 1.5rem 0; }
label { font-weight: 600; }
input[type=email], input[type=text] { font: inherit; padding: .7rem .8rem; border: 1px solid var(--line); border-radius: .5rem; background: var(--card); color: var(--fg); width: 100%; }
button { font: inherit; font-weight: 600; padding: .75rem 1.2rem; border: 0; border-radius: .5rem; background: var(--accent); color: #fff; cursor: pointer; justify-self: start; }
@media (prefers-color-scheme: dark) { button { color: #111; } }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { color: #b3261e; font-weight: 600; margin: 0; }
@media (prefers-color-scheme: dark) { .error { color: #f2b8b5; } }
.hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
.fine { font-size: .9rem; color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .75rem; padding: 1rem 1.25rem; margin: 1rem 0; overflow-wrap: anywhere; }
.meta { font-size: .85rem; color: var(--muted); }
ul.plain { list-style: none; padding: 0; }
ul.plain li { margin: 0 0 1rem; }
iframe { width: 100%; height: 28rem; border: 1px solid var(--line); border-radius: .5rem; background: #fff; }
pre { white-space: pre-wrap; font-size: .85rem; }
`;

export type PageOptions = { title: string; siteTitle: string; body: SafeHtml; head?: SafeHtml };

export function renderPage({ title, siteTitle, body, head }: PageOptions): string {
  const fullTitle = title === siteTitle ? siteTitle : `${title} · ${siteTitle}`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${fullTitle}</title>
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
