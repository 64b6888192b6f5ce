// How the next version of an article is built from a post, a re-post or a patch. Pure: no I/O, no clock.
import type { Article, ArticleInput, ArticlePatch } from "./article-schema";
import { sourceOf } from "./canonical-url";

const isoOf = (publishedAt: string) => new Date(publishedAt).toISOString();

/** A first post of `url` (already canonical). `id` encodes `now`, or the creation instant of a repaired id. */
export function newArticle(
  id: string,
  url: string,
  input: ArticleInput,
  editor: string,
  createdAt: Date,
  now: Date,
): Article {
  const stamp = now.toISOString();
  return {
    id,
    url,
    title: input.title,
    summary: input.summary || null,
    source: input.source || sourceOf(url),
    topics: input.topics ?? [],
    publishedAt: input.publishedAt ? isoOf(input.publishedAt) : stamp,
    createdAt: createdAt.toISOString(),
    updatedAt: stamp,
    editor,
    ...(input.pinned !== undefined ? { pinned: input.pinned } : {}),
  };
}

/** Editors of feed items are `feed:<source id>` (src/sources/ingest-items.ts). */
const isFeedEditor = (editor: string) => editor.startsWith("feed:");

/**
 * A re-post of the URL `existing` holds: the title always changes, other fields only when sent.
 * A feed's item never overwrites an article that is already there: an editor's words (or the first
 * source's) stand, and a feed re-reading its items changes nothing.
 */
export function repostArticle(
  existing: Article,
  input: ArticleInput,
  editor: string,
  now: Date,
): Article {
  if (isFeedEditor(editor)) return existing;
  return {
    ...existing,
    title: input.title,
    summary: input.summary ?? existing.summary,
    source: input.source || existing.source,
    topics: input.topics ?? existing.topics,
    publishedAt: input.publishedAt ? isoOf(input.publishedAt) : existing.publishedAt,
    updatedAt: now.toISOString(),
    editor,
    ...(input.pinned !== undefined ? { pinned: input.pinned } : {}),
  };
}

/** A PATCH: `url` is the canonical target (the current one when the patch does not move it). */
export function patchArticle(
  current: Article,
  url: string,
  patch: ArticlePatch,
  now: Date,
): Article {
  return {
    ...current,
    url,
    title: patch.title ?? current.title,
    summary: patch.summary === undefined ? current.summary : patch.summary || null,
    source: patch.source || current.source,
    topics: patch.topics ?? current.topics,
    publishedAt: patch.publishedAt ? isoOf(patch.publishedAt) : current.publishedAt,
    updatedAt: now.toISOString(),
    ...(patch.pinned !== undefined ? { pinned: patch.pinned } : {}),
  };
}
