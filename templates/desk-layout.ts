// The desk's shell: the page layout with a wider column, the desk's navigation and sign-out.
import { DESK_BANNER_SLOT } from "./desk-banner";
import { html, raw, type SafeHtml } from "./html";
import { renderPage } from "./page-layout";
import { CHART_CSS } from "./svg-chart";

// Added to the site's one stylesheet on desk and outbox pages only.
const DESK_CSS = `
main { max-width: 64rem; }
nav.desk { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center; margin: 0 0 1.5rem; padding-bottom: .75rem; border-bottom: 1px solid var(--line); font-size: 1rem; }
nav.desk form { margin: 0 0 0 auto; }
button { white-space: nowrap; }
nav.desk button, .inline button, button.small { padding: .35rem .8rem; font-size: .95rem; }
.inline { display: inline; margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
textarea, select, input[type=url], input[type=password], input[type=search], input[type=date] { font: inherit; padding: .6rem .7rem; border: 1px solid var(--line); border-radius: .5rem; background: var(--card); color: var(--fg); width: 100%; }
textarea { min-height: 6rem; }
.field { display: grid; gap: .25rem; }
.hint { font-size: .85rem; color: var(--muted); margin: 0; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; background: var(--card); }
.banner { border: 2px solid var(--fg); border-radius: .5rem; padding: .25rem 1rem .75rem; margin: 0 0 1.5rem; background: var(--card); }
.banner h2 { font-size: 1.1rem; }
.scroll { overflow-x: auto; }
iframe.full { height: 80vh; min-height: 30rem; }
.switches a[aria-current] { font-weight: 700; text-decoration: none; color: var(--fg); }
`;

const LINKS: [string, string][] = [
  ["/desk", "Next digest"],
  ["/desk/post", "Post"],
  ["/desk/preview", "Preview"],
  ["/desk/sends", "Sends"],
  ["/desk/readers", "Readers"],
  ["/desk/figures", "Figures"],
  ["/desk/embed", "Sign-up form"],
  ["/outbox", "Outbox"],
];

export type DeskPage = {
  siteTitle: string;
  title: string;
  /** The nav entry to mark as current. */
  current?: string;
  /** Null on the sign-in page: no navigation, no sign-out. */
  editor: string | null;
  notice?: string | null;
  body: SafeHtml;
};

export function renderDeskPage(page: DeskPage): string {
  const nav = page.editor
    ? html`<nav class="desk" aria-label="Desk">
        ${LINKS.map(
          ([href, label]) =>
            html`<a href="${href}" ${raw(page.current === href ? 'aria-current="page"' : "")}>${label}</a>`,
        )}
        <form method="post" action="/desk/sign-out">
          <button type="submit">Sign out ${page.editor}</button>
        </form>
      </nav>
      ${raw(DESK_BANNER_SLOT)}`
    : "";
  const notice = page.notice ? html`<p class="notice" role="status">${page.notice}</p>` : "";
  return renderPage({
    title: page.title,
    siteTitle: page.siteTitle,
    head: html`<style>
      ${raw(DESK_CSS + CHART_CSS)}
    </style>`,
    body: html`${nav}
      <h1>${page.title}</h1>
      ${notice}${page.body}`,
  });
}

/** A field's error, tied to its input by id for screen readers. */
export const fieldError = (id: string, message: string | undefined) =>
  message ? html`<p class="error" id="${id}-error">${message}</p>` : "";

export const describedBy = (id: string, message: string | undefined) =>
  raw(message ? `aria-describedby="${id}-error" aria-invalid="true"` : "");
