// A window's articles as ranked stories: grouped (group-stories.ts), each with its lead, in order of
// pinned first, then distinct sources, then recency. Pure.
import type { Article } from "../articles/article-schema";
import { groupStories } from "./group-stories";

export type Story = {
  /** The lead's id: stable while the lead stays the lead. */
  id: string;
  lead: Article;
  /** Every article of the story, the lead first, then oldest first. */
  articles: Article[];
  /** Distinct source names. */
  sources: number;
  pinned: boolean;
};

const isFeed = (article: Article) => article.editor.startsWith("feed:");
const createdMs = (article: Article) => Date.parse(article.createdAt);
// When the outlet published it; never later than we first saw it (a feed's clock may run ahead).
const publishedMs = (article: Article) => {
  const published = Date.parse(article.publishedAt);
  const created = createdMs(article);
  return Number.isFinite(published) ? Math.min(published, created) : created;
};

/** The lead: an article an editor posted beats a feed's; otherwise the earliest. */
function leadOf(articles: Article[]): Article {
  const sorted = [...articles].sort(
    (a, b) =>
      Number(isFeed(a)) - Number(isFeed(b)) ||
      createdMs(a) - createdMs(b) ||
      a.id.localeCompare(b.id),
  );
  return sorted[0] as Article;
}

/** Groups and ranks; `articles` may come in any order. Every article is in exactly one story. */
export function rankStories(articles: Article[], threshold: number): Story[] {
  const oldestFirst = [...articles].sort(
    (a, b) => createdMs(a) - createdMs(b) || a.id.localeCompare(b.id),
  );
  const numbers = groupStories(
    oldestFirst.map((article) => ({ ...article, at: publishedMs(article) })),
    threshold,
  );
  const groups = new Map<number, Article[]>();
  oldestFirst.forEach((article, i) => {
    const number = numbers[i] ?? i;
    groups.set(number, [...(groups.get(number) ?? []), article]);
  });
  const stories = [...groups.values()].map((members) => {
    const lead = leadOf(members);
    return {
      id: lead.id,
      lead,
      articles: [lead, ...members.filter((article) => article !== lead)],
      sources: new Set(members.map((article) => article.source.toLowerCase())).size,
      pinned: members.some((article) => article.pinned),
      latestMs: Math.max(...members.map(createdMs)),
    };
  });
  stories.sort(
    (a, b) =>
      Number(b.pinned) - Number(a.pinned) ||
      b.sources - a.sources ||
      b.latestMs - a.latestMs ||
      a.id.localeCompare(b.id),
  );
  return stories.map(({ latestMs: _latest, ...story }) => story);
}

/** The story's other sources, one link each (the first article of each), in story order. */
export function otherSources(story: Story): { source: string; url: string }[] {
  const seen = new Set([story.lead.source.toLowerCase()]);
  const others: { source: string; url: string }[] = [];
  for (const article of story.articles.slice(1)) {
    const key = article.source.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    others.push({ source: article.source, url: article.url });
  }
  return others;
}

// Other sources kept per story: the email names two and counts the rest.
const MAX_ALSO_LINKS = 10;

/** The digest items of ranked stories: each story's lead, with its other sources and their count. */
export function storyItems(stories: Story[]) {
  return stories.map((story) => ({
    ...story.lead,
    also: otherSources(story).slice(0, MAX_ALSO_LINKS),
    sources: story.sources,
  }));
}
