// GET /desk: the next digest as it stands: the editor's note, the articles with edit and delete,
// and a test send.
import type { Digest } from "../src/digest/digest-schema";
import type { StoredNote } from "../src/digest/digest-note";
import { MAX_NOTE_CHARACTERS } from "../src/digest/digest-note";
import { sectionName } from "./digest-content";
import { html, safeHref } from "./html";
import { describedBy, fieldError, renderDeskPage } from "./desk-layout";
import { renderNoteHtml } from "./digest-note";

export function renderDeskNext(options: {
  siteTitle: string;
  editor: string;
  digest: Digest;
  note: StoredNote | null;
  notice?: string | null;
  errors?: { note?: string; to?: string };
  values?: { note?: string; to?: string };
}) {
  const { digest, note, errors = {}, values = {} } = options;
  const noteText = values.note ?? note?.text ?? "";
  const articles = digest.sections.flatMap((section) =>
    section.articles.map((article) => ({ section: sectionName(section.topic), article })),
  );
  const list =
    articles.length === 0
      ? html`<p>No articles yet: the digest would be skipped. <a href="/desk/post">Post one</a>.</p>`
      : html`<div class="scroll"><table>
          <caption class="hint">Newest first, as they will be sent, by section</caption>
          <thead><tr><th scope="col">Article</th><th scope="col">Section</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            ${articles.map(({ section, article }) => {
              const href = safeHref(article.url);
              return html`<tr>
                <td>${href ? html`<a href="${href}">${article.title}</a>` : article.title}
                  <br /><span class="meta">${article.source} · published ${article.publishedAt.slice(0, 10)} · by ${article.editor}</span></td>
                <td>${section}</td>
                <td><div class="row">
                  <a href="/desk/articles/${article.id}">Edit<span class="hp"> ${article.title}</span></a>
                  <form class="inline" method="post" action="/desk/articles/${article.id}/delete">
                    <button type="submit" class="small danger" aria-label="Delete ${article.title}">Delete</button>
                  </form>
                </div></td>
              </tr>`;
            })}
          </tbody>
        </table></div>`;
  const body = html`<p class="lead">
      ${digest.title}: ${digest.articleCount} ${digest.articleCount === 1 ? "article" : "articles"} so far
      (added since ${digest.windowStart.slice(0, 16).replace("T", " ")} UTC).
      ${digest.status === "held" ? html`<strong>It will be held: ${digest.heldReason}</strong>` : ""}
    </p>
    <p><a href="/desk/preview">Preview the email</a> · <a href="/desk/post">Post an article</a></p>

    <h2 id="note-heading">Editor's note</h2>
    ${note ? html`<div class="card">${renderNoteHtml(note.text)}<p class="meta">Saved by ${note.editor} at ${note.updatedAt.slice(0, 16).replace("T", " ")} UTC</p></div>` : html`<p class="hint">No note: the digest opens with its stories.</p>`}
    <form class="stack" method="post" action="/desk/note" aria-labelledby="note-heading">
      <div class="field">
        <label for="note">Note above the stories (plain text; a blank line starts a paragraph; links are made clickable)</label>
        <textarea id="note" name="text" maxlength="${MAX_NOTE_CHARACTERS}" ${describedBy("note", errors.note)}>${noteText}</textarea>
        ${fieldError("note", errors.note)}
      </div>
      <button type="submit">Save note</button>
    </form>

    <h2>Articles</h2>
    ${list}

    <h2 id="test-heading">Test send</h2>
    <form class="stack" method="post" action="/desk/test" aria-labelledby="test-heading">
      <div class="field">
        <label for="test-to">Send this digest now to one address, with "[Test]" in the subject</label>
        <input id="test-to" name="to" type="email" value="${values.to ?? ""}" autocomplete="email" ${describedBy("test-to", errors.to)} />
        ${fieldError("test-to", errors.to)}
        <p class="hint">Counted nowhere; a suppressed address gets nothing.</p>
      </div>
      <button type="submit">Send test</button>
    </form>`;
  return renderDeskPage({
    siteTitle: options.siteTitle,
    title: `Next digest: ${digest.id}`,
    current: "/desk",
    editor: options.editor,
    notice: options.notice,
    body,
  });
}
