// The article form (post and edit): the API's fields, with the API's message next to each field.
import { html, raw } from "./html";
import { describedBy, fieldError, renderDeskPage } from "./desk-layout";

export type ArticleFormValues = {
  url: string;
  title: string;
  summary: string;
  source: string;
  topics: string;
  publishedAt: string;
};

export const EMPTY_ARTICLE_FORM: ArticleFormValues = {
  url: "",
  title: "",
  summary: "",
  source: "",
  topics: "",
  publishedAt: "",
};

type Field = { name: keyof ArticleFormValues; label: string; hint: string; type: string };

const FIELDS: Field[] = [
  { name: "url", label: "URL", hint: "Required. An absolute http or https link.", type: "url" },
  { name: "title", label: "Title", hint: "Required. At most 300 characters.", type: "text" },
  { name: "summary", label: "Summary", hint: "At most 2000 characters.", type: "textarea" },
  { name: "source", label: "Source", hint: "Default: the link's host without www.", type: "text" },
  {
    name: "topics",
    label: "Topics",
    hint: "Up to 10, separated by commas: a-z, 0-9 and -, like ai, open-source.",
    type: "text",
  },
  {
    name: "publishedAt",
    label: "Published",
    hint: "A date (2024-05-01, midnight UTC) or ISO 8601 with an offset. Default: now.",
    type: "text",
  },
];

export function renderArticleForm(options: {
  siteTitle: string;
  editor: string;
  /** Where the form posts: /desk/post or /desk/articles/<id>. */
  action: string;
  title: string;
  values: ArticleFormValues;
  errors: Partial<Record<keyof ArticleFormValues | "form", string>>;
}) {
  const { values, errors } = options;
  const inputs = FIELDS.map((field) => {
    const id = `article-${field.name}`;
    const error = errors[field.name];
    const hint = html`<p class="hint" id="${id}-hint">${field.hint}</p>`;
    const control =
      field.type === "textarea"
        ? html`<textarea id="${id}" name="${field.name}" ${describedBy(id, error)}>${values[field.name]}</textarea>`
        : html`<input id="${id}" name="${field.name}" type="${field.type}" value="${values[field.name]}" ${raw(field.name === "url" || field.name === "title" ? "required" : "")} ${describedBy(id, error)} />`;
    return html`<div class="field">
      <label for="${id}">${field.label}</label>${control}${fieldError(id, error)}${hint}
    </div>`;
  });
  const body = html`${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : ""}
    <form class="stack" method="post" action="${options.action}" novalidate>
      ${inputs}
      <button type="submit">Save article</button>
    </form>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: options.title,
    current: options.action === "/desk/post" ? "/desk/post" : undefined,
    editor: options.editor,
    body,
  });
}
