// A run slot's pool (the stories a reader due in the slot may get: the 24 hours before it, ranked,
// and the 7 days before it when a weekly reader is due), and each reader's selection from it: their
// cadence's stories, of their topics, in sections by their first chosen topic, in rank order, capped.
// Pure but for compilePool.
import type { ArticleStore } from "../articles/article-store";
import { DEFAULT_STORY_MERGE_THRESHOLD } from "../stories/group-stories";
import { rankStories, storyItems } from "../stories/rank-stories";
import { localDate } from "../subscribers/due-schedule";
import { topicLabel, type Preferences, type Topic } from "../subscribers/preferences";
import type { Digest, DigestItem, DigestSection } from "./digest-schema";

const DAY_MS = 86_400_000;
// A pool is kept in the slot owner's row and sent to each consumer isolate once: bounded.
export const POOL_MAX_ARTICLES = 500;

export const periodMs = (cadence: Preferences["cadence"]) =>
  (cadence === "weekly" ? 7 : 1) * DAY_MS;

/**
 * The pool's sections are one per cadence due, named by it ("daily", then "weekly"), each the
 * stories of that period ranked as the day's digest ranks them: the same story from many outlets is
 * one item, the most covered first.
 */
export async function compilePool(
  deps: { articles: ArticleStore; siteTitle: string; now: () => Date; storyThreshold?: number },
  slot: {
    id: string;
    ms: number;
    weekly: boolean;
    archiveId: string | null;
    /** The archived issue's number, shown in the masthead of every email of the slot. */
    issueNumber?: number | null;
  },
): Promise<Digest> {
  const { id: slotId, ms: slotMs, weekly, archiveId } = slot;
  const windowStart = slotMs - periodMs(weekly ? "weekly" : "daily");
  const { articles } = await deps.articles.list({
    fromMs: windowStart + 1,
    toMs: slotMs,
    limit: POOL_MAX_ARTICLES,
  });
  const threshold = deps.storyThreshold ?? DEFAULT_STORY_MERGE_THRESHOLD;
  const ranked = (fromMs: number) =>
    storyItems(
      rankStories(
        articles.filter((article) => Date.parse(article.createdAt) > fromMs),
        threshold,
      ),
    );
  const sections: DigestSection[] = [{ topic: "daily", articles: ranked(slotMs - DAY_MS) }];
  if (weekly) sections.push({ topic: "weekly", articles: ranked(windowStart) });
  return {
    id: slotId,
    status: "compiled",
    heldReason: null,
    title: deps.siteTitle,
    subject: deps.siteTitle,
    windowStart: new Date(windowStart).toISOString(),
    cutoff: new Date(slotMs).toISOString(),
    sections,
    articleCount: articles.length,
    webHtml: "",
    createdAt: deps.now().toISOString(),
    archiveId,
    ...(slot.issueNumber ? { issueNumber: slot.issueNumber } : {}),
  };
}

// A slot's readers share a few zones: each zone's local date at the slot is computed once.
const datesAt = new Map<string, string>();
function localDateAt(slotMs: number, zone: string): string {
  const key = `${zone}|${slotMs}`;
  let date = datesAt.get(key);
  if (date === undefined) {
    if (datesAt.size >= 5000) datesAt.clear();
    date = localDate(slotMs, zone);
    datesAt.set(key, date);
  }
  return date;
}

/** Readers with the same key get the same email body: rendered once per isolate. */
export const selectionKey = (preferences: Preferences, slotMs: number) =>
  `${preferences.cadence}|${preferences.topics?.join(",") ?? "*"}|${localDateAt(slotMs, preferences.timeZone)}`;

export type Selection = {
  sections: DigestSection[];
  articleCount: number;
  title: string;
  subject: string;
};

const DAY_LONG = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
const DAY_SHORT = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});

/** The stories a reader gets from the pool: their cadence's, of their topics, in rank order, capped. */
function selectedArticles(pool: Digest, preferences: Preferences, maxArticles: number) {
  const slotMs = Date.parse(pool.cutoff);
  const fromMs = slotMs - periodMs(preferences.cadence);
  const chosen = preferences.topics;
  const inTopics = (article: DigestItem) =>
    chosen === null || article.topics.some((topic) => chosen.includes(topic));
  // The cadence's section is exactly its period. A pool adopted before pools were ranked has one
  // section of every article, newest first, which is cut to the period.
  const ranked = pool.sections.find((s) => s.topic === preferences.cadence);
  const inPeriod = (a: DigestItem) =>
    Date.parse(a.createdAt) > fromMs && Date.parse(a.createdAt) <= slotMs;
  return (ranked?.articles ?? pool.sections[0]?.articles.filter(inPeriod) ?? [])
    .filter(inTopics)
    .slice(0, maxArticles);
}

/** How many stories a reader's email would hold (the walk skips a selection below the minimum). */
export const selectionCount = (pool: Digest, preferences: Preferences, maxArticles: number) =>
  selectedArticles(pool, preferences, maxArticles).length;

/** A reader's stories from the pool, in sections by their first chosen topic, with title and subject. */
export function selectFromPool(
  pool: Digest,
  preferences: Preferences,
  topics: Topic[],
  maxArticles: number,
  siteTitle: string,
): Selection {
  const slotMs = Date.parse(pool.cutoff);
  const chosen = preferences.topics;
  const articles = selectedArticles(pool, preferences, maxArticles);
  // Sections by the first topic the reader chose (any first topic for "all"), shown by its label.
  const bySection = new Map<string | null, DigestItem[]>();
  for (const article of articles) {
    const topic = article.topics.find((t) => chosen === null || chosen.includes(t)) ?? null;
    bySection.set(topic, [...(bySection.get(topic) ?? []), article]);
  }
  const sections = [...bySection]
    .sort(([a], [b]) => (a === null ? 1 : 0) - (b === null ? 1 : 0))
    .map(([topic, list]) => ({
      topic: topic === null ? null : topicLabel(topics, topic),
      articles: list,
    }));
  const day = new Date(`${localDateAt(slotMs, preferences.timeZone)}T12:00:00Z`);
  const title =
    preferences.cadence === "weekly"
      ? `${siteTitle}: the week to ${DAY_LONG.format(day)}`
      : `${siteTitle} for ${DAY_LONG.format(day)}`;
  const first = articles[0]?.title;
  const more = articles.length - 1;
  const subject = chosen
    ? `${siteTitle}: ${chosen.map((slug) => topicLabel(topics, slug)).join(", ")} · ${DAY_SHORT.format(day).replace(",", "")}`
    : `${siteTitle}: ${first ?? "no stories"}${more > 0 ? ` (+${more} more)` : ""}`;
  return { sections, articleCount: articles.length, title, subject };
}
