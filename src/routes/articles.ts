// The editors' article API, mounted at /api/articles behind bearer auth.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { ArticleInput, ArticlePatch, Topic } from "../articles/article-schema";
import { createArticleStore } from "../articles/article-store";
import type { AppEnv } from "../env";
import { notFound, type ErrorIssue } from "../errors";
import type { EditorVariables } from "./editor-auth";
import { issuesOf, jsonBody, onInvalid } from "./json-body";

// A batch of 100 full articles does not fit the 64 KiB single-article limit.
const MAX_BATCH_BODY_BYTES = 1024 * 1024;

const Batch = z.strictObject({
  articles: z
    .array(z.unknown())
    .min(1, "articles must hold 1 to 100 articles")
    .max(100, "articles must hold 1 to 100 articles"),
});

// Reads go straight to KV; writes go through the ArticleUrl object of each URL they touch.
const writableStore = (env: AppEnv) => createArticleStore(env.ARTICLES, env.ARTICLE_URLS);

const ListQuery = z.strictObject({
  since: z.iso
    .datetime({ offset: true, message: "since must be ISO 8601 with an offset" })
    .optional(),
  until: z.iso
    .datetime({ offset: true, message: "until must be ISO 8601 with an offset" })
    .optional(),
  topic: Topic.optional(),
  limit: z.coerce
    .number({ error: "limit must be a whole number" })
    .int("limit must be a whole number")
    .min(1, "limit must be between 1 and 100")
    .max(100, "limit must be between 1 and 100")
    .default(50),
  cursor: z.string().max(4096).optional(),
});

export const articleRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .post("/", jsonBody(), zValidator("json", ArticleInput, onInvalid), async (c) => {
    const store = writableStore(c.env);
    const { article, created } = await store.upsert(c.req.valid("json"), c.var.editor, new Date());
    if (created) c.header("Location", `/api/articles/${article.id}`);
    return c.json({ article }, created ? 201 : 200);
  })

  .post(
    "/batch",
    jsonBody(MAX_BATCH_BODY_BYTES),
    zValidator("json", Batch, onInvalid),
    async (c) => {
      const store = writableStore(c.env);
      const results = [];
      // One at a time, in input order: two entries with the same canonical URL become one article.
      for (const [index, item] of c.req.valid("json").articles.entries()) {
        const parsed = ArticleInput.safeParse(item);
        if (!parsed.success) {
          const issues: ErrorIssue[] = issuesOf(parsed.error).map((issue) => ({
            ...issue,
            path: `articles.${index}.${issue.path}`,
          }));
          const message = issues.map((issue) => issue.message).join("; ");
          results.push({ status: 400, error: { code: "invalid_request", message, issues } });
          continue;
        }
        const { article, created } = await store.upsert(parsed.data, c.var.editor, new Date());
        results.push({ status: created ? 201 : 200, article });
      }
      return c.json({ results }, 207);
    },
  )

  .get("/", zValidator("query", ListQuery, onInvalid), async (c) => {
    const query = c.req.valid("query");
    const page = await createArticleStore(c.env.ARTICLES).list({
      fromMs: query.since ? Date.parse(query.since) : undefined,
      // `until` is exclusive; the store's bounds are inclusive milliseconds.
      toMs: query.until ? Date.parse(query.until) - 1 : undefined,
      topic: query.topic,
      limit: query.limit,
      cursor: query.cursor,
    });
    return c.json(page);
  })

  .get("/:id", async (c) => {
    const article = await createArticleStore(c.env.ARTICLES).get(c.req.param("id"));
    if (!article) throw notFound("No article has this id.");
    return c.json({ article });
  })

  .patch("/:id", jsonBody(), zValidator("json", ArticlePatch, onInvalid), async (c) => {
    const store = writableStore(c.env);
    const article = await store.patch(c.req.param("id"), c.req.valid("json"), new Date());
    if (!article) throw notFound("No article has this id.");
    return c.json({ article });
  })

  .delete("/:id", async (c) => {
    const removed = await writableStore(c.env).remove(c.req.param("id"));
    if (!removed) throw notFound("No article has this id.");
    return c.body(null, 204);
  });
