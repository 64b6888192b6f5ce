// GET /desk/preview: the next digest's email as a reader would get it, at full width, with a switch
// for the plain text and one for dark mode.
import { html, raw } from "./html";
import { renderDeskPage } from "./desk-layout";

export type PreviewMode = { text: boolean; dark: boolean };

const href = (mode: PreviewMode) => {
  const params = new URLSearchParams();
  if (mode.text) params.set("format", "text");
  if (mode.dark) params.set("scheme", "dark");
  const query = params.toString();
  return `/desk/preview${query ? `?${query}` : ""}`;
};

const switchLink = (label: string, target: PreviewMode, current: boolean) =>
  html`<a href="${href(target)}" ${raw(current ? 'aria-current="true"' : "")}>${label}</a>`;

/**
 * Dark mode as a reader in dark mode gets it: the email's own dark styles (its
 * `prefers-color-scheme: dark` block) applied whatever the editor's own setting. An email without
 * dark styles is inverted instead, which is what most dark-mode clients do to one.
 */
const DARK_MEDIA = "@media (prefers-color-scheme:dark){";
const INVERTED =
  "<style>html{filter:invert(1) hue-rotate(180deg);background:#fff}img{filter:invert(1) hue-rotate(180deg)}</style>";
export const asDark = (email: string) =>
  email.includes(DARK_MEDIA)
    ? email.replace(DARK_MEDIA, "@media all{")
    : email.replace("</head>", `${INVERTED}</head>`);

export function renderPreviewPage(options: {
  siteTitle: string;
  editor: string;
  digestId: string;
  subject: string;
  html: string;
  text: string;
  mode: PreviewMode;
}) {
  const { mode } = options;
  const frameHtml = mode.dark ? asDark(options.html) : options.html;
  const view = mode.text
    ? html`<pre class="card" aria-label="Plain text version">${options.text}</pre>`
    : html`<iframe class="full" sandbox="" title="Email: ${options.subject}" srcdoc="${frameHtml}"></iframe>`;
  const body = html`<p class="lead">Subject: <strong>${options.subject}</strong></p>
    <p class="row switches">
      <span>Version:</span> ${switchLink("HTML", { ...mode, text: false }, !mode.text)}
      ${switchLink("Plain text", { ...mode, text: true }, mode.text)}
      <span>Colours:</span> ${switchLink("Light", { ...mode, dark: false }, !mode.dark)}
      ${switchLink("Dark", { ...mode, dark: true }, mode.dark)}
      <a href="/desk/preview/email${mode.dark ? "?scheme=dark" : ""}">Open the email on its own</a>
    </p>
    ${view}`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: `Preview: ${options.digestId}`,
    current: "/desk/preview",
    editor: options.editor,
    body,
  });
}
