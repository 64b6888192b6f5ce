// GET /api/stories: the window's articles grouped into stories, in rank order (the digest's grouping).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { createArticleStore } from "../articles/article-store";
import { readConfig, type AppEnv } from "../env";
import { windowStories } from "../stories/window-stories";
import type { EditorVariables } from "./editor-auth";
import { onInvalid } from "./json-body";

const DAY_MS = 86_400_000;
const Instant = (name: string) =>
  z.iso.datetime({ offset: true, message: `${name} must be ISO 8601 with an offset.` }).optional();

const StoriesQuery = z
  .strictObject({ since: Instant("since"), until: Instant("until") })
  .refine(
    (query) => !query.since || !query.until || Date.parse(query.since) < Date.parse(query.until),
    { message: "since must be before until.", path: ["since"] },
  );

export const storyRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>().get(
  "/",
  zValidator("query", StoriesQuery, onInvalid),
  async (c) => {
    const query = c.req.valid("query");
    // `since` inclusive, `until` exclusive, like the article list; the last 24 hours by default.
    const untilMs = query.until ? Date.parse(query.until) : Date.now() + 1;
    const sinceMs = query.since ? Date.parse(query.since) : untilMs - DAY_MS;
    const threshold = readConfig(c.env).STORY_MERGE_THRESHOLD;
    const { stories, truncated } = await windowStories(
      createArticleStore(c.env.ARTICLES),
      sinceMs,
      untilMs - 1,
      threshold,
    );
    return c.json({
      stories: stories.map((story) => ({
        id: story.id,
        lead: story.lead.id,
        articles: story.articles.map((article) => article.id),
        sources: story.sources,
        ...(story.pinned ? { pinned: true } : {}),
      })),
      truncated,
    });
  },
);
