// The editor's desk, /desk: the next digest (note, articles, test send) and the article form. Pages work without JavaScript: every action is a same-origin form POST that
// redirects back (post/redirect/get). Sends and readers live in desk-sends.ts and desk-readers.ts.
import { Hono } from "hono";
import { ArticleInput, ArticlePatch, type Article } from "../articles/article-schema";
import { createArticleStore } from "../articles/article-store";
import { runDeps } from "../digest/digest-handlers";
import { createNoteStore, NoteText } from "../digest/digest-note";
import { compileNext, nextDigestId } from "../digest/next-digest";
import { readConfig, type AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { EmailAddress } from "../subscribers/subscriber-schema";
import {
  EMPTY_ARTICLE_FORM,
  renderArticleForm,
  type ArticleFormValues,
} from "../../templates/desk-article-form";
import { renderDeskNext } from "../../templates/desk-next";
import { deskNotice } from "./desk-notices";
import type { EditorVariables } from "./editor-auth";
import { readFormBody } from "./form-body";
import { issuesOf } from "./json-body";
import { testSend } from "../digest/test-send";

type DeskEnv = { Bindings: AppEnv; Variables: EditorVariables };

// An article form holds at most a 2,000-character summary; a note at most 2,000 characters.
const MAX_DESK_FORM_BYTES = 32 * 1024;

const form = (request: Request) => readFormBody(request, { maxBytes: MAX_DESK_FORM_BYTES });
const field = (params: URLSearchParams, name: string) => params.get(name) ?? "";

async function nextPage(
  env: AppEnv,
  editor: string,
  extra: Omit<Parameters<typeof renderDeskNext>[0], "siteTitle" | "editor" | "digest" | "note">,
) {
  const deps = runDeps(env);
  const now = new Date();
  const digest = await compileNext(deps, now);
  const note = await createNoteStore(env.DIGESTS).get(digest.id);
  const siteTitle = readConfig(env).DIGEST_TITLE;
  return renderDeskNext({ siteTitle, editor, digest, note, ...extra });
}

function articleValues(params: URLSearchParams): ArticleFormValues {
  return {
    url: field(params, "url"),
    title: field(params, "title"),
    summary: field(params, "summary"),
    source: field(params, "source"),
    topics: field(params, "topics"),
    publishedAt: field(params, "publishedAt"),
  };
}

/** The form as the API's JSON: blank optional fields are left out, topics split at commas. */
function articleJson(values: ArticleFormValues, blankSummary: boolean) {
  const topics = values.topics
    .split(",")
    .map((topic) => topic.trim())
    .filter((topic) => topic !== "");
  return {
    // A box's leading or trailing blanks are the form's, not the link's (the API refuses them).
    url: values.url.trim(),
    title: values.title,
    ...(values.summary.trim() !== "" || blankSummary ? { summary: values.summary } : {}),
    ...(values.source.trim() !== "" ? { source: values.source } : {}),
    ...(values.topics.trim() !== "" || blankSummary ? { topics } : {}),
    ...(values.publishedAt.trim() !== "" ? { publishedAt: values.publishedAt.trim() } : {}),
  };
}

function fieldErrors(issues: { path: string; message: string }[]) {
  const errors: Partial<Record<keyof ArticleFormValues | "form", string>> = {};
  for (const issue of issues) {
    const name = issue.path.split(".")[0] as keyof ArticleFormValues | "form";
    const key = name in EMPTY_ARTICLE_FORM ? name : "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

function valuesOf(article: Article): ArticleFormValues {
  return {
    url: article.url,
    title: article.title,
    summary: article.summary ?? "",
    source: article.source,
    topics: article.topics.join(", "),
    publishedAt: article.publishedAt,
  };
}

export const deskRoutes = new Hono<DeskEnv>()
  .get("/", async (c) =>
    c.html(await nextPage(c.env, c.var.editor, { notice: deskNotice(c.req.query("done")) })),
  )

  .post("/note", async (c) => {
    const params = await form(c.req.raw);
    const parsed = NoteText.safeParse(field(params, "text"));
    if (!parsed.success) {
      const note = issuesOf(parsed.error)[0]?.message;
      const values = { note: field(params, "text") };
      return c.html(await nextPage(c.env, c.var.editor, { errors: { note }, values }), 400);
    }
    const now = new Date();
    const id = await nextDigestId(runDeps(c.env), now);
    await createNoteStore(c.env.DIGESTS).put(id, parsed.data, c.var.editor, now);
    return c.redirect("/desk?done=note", 303);
  })

  .post("/test", async (c) => {
    const params = await form(c.req.raw);
    const to = EmailAddress.safeParse(field(params, "to"));
    const values = { to: field(params, "to") };
    if (!to.success) {
      const errors = { to: "to must be an email address, like ada@example.com" };
      return c.html(await nextPage(c.env, c.var.editor, { errors, values }), 400);
    }
    try {
      await testSend(c.env, to.data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const errors = { to: error.message };
      return c.html(await nextPage(c.env, c.var.editor, { errors, values }), error.status);
    }
    return c.redirect("/desk?done=test", 303);
  })

  .get("/post", (c) =>
    c.html(
      renderArticleForm({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        action: "/desk/post",
        title: "Post an article",
        values: EMPTY_ARTICLE_FORM,
        errors: {},
      }),
    ),
  )

  .post("/post", async (c) => {
    const values = articleValues(await form(c.req.raw));
    const parsed = ArticleInput.safeParse(articleJson(values, false));
    if (!parsed.success) {
      return c.html(
        renderArticleForm({
          siteTitle: readConfig(c.env).DIGEST_TITLE,
          editor: c.var.editor,
          action: "/desk/post",
          title: "Post an article",
          values,
          errors: fieldErrors(issuesOf(parsed.error)),
        }),
        400,
      );
    }
    const store = createArticleStore(c.env.ARTICLES, c.env.ARTICLE_URLS);
    const { created } = await store.upsert(parsed.data, c.var.editor, new Date());
    return c.redirect(`/desk?done=${created ? "posted" : "updated"}`, 303);
  })

  .get("/articles/:id", async (c) => {
    const article = await createArticleStore(c.env.ARTICLES).get(c.req.param("id"));
    if (!article) throw notFound("No article has this id.");
    return c.html(
      renderArticleForm({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        action: `/desk/articles/${article.id}`,
        title: `Edit: ${article.title}`,
        values: valuesOf(article),
        errors: {},
      }),
    );
  })

  .post("/articles/:id", async (c) => {
    const id = c.req.param("id");
    const values = articleValues(await form(c.req.raw));
    const parsed = ArticlePatch.safeParse(articleJson(values, true));
    const store = createArticleStore(c.env.ARTICLES, c.env.ARTICLE_URLS);
    let errors = parsed.success ? null : fieldErrors(issuesOf(parsed.error));
    if (parsed.success) {
      try {
        if (!(await store.patch(id, parsed.data, new Date())))
          throw notFound("No article has this id.");
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        errors = { url: error.message };
      }
    }
    if (errors) {
      return c.html(
        renderArticleForm({
          siteTitle: readConfig(c.env).DIGEST_TITLE,
          editor: c.var.editor,
          action: `/desk/articles/${id}`,
          title: "Edit the article",
          values,
          errors,
        }),
        400,
      );
    }
    return c.redirect("/desk?done=updated", 303);
  })

  .post("/articles/:id/delete", async (c) => {
    const removed = await createArticleStore(c.env.ARTICLES, c.env.ARTICLE_URLS).remove(
      c.req.param("id"),
    );
    if (!removed) throw notFound("No article has this id.");
    return c.redirect("/desk?done=deleted", 303);
  });
