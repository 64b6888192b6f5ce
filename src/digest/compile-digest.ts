// Compiling a digest is a pure function of the window's articles: sections, subject, web version.
import { renderDigestPage } from "../../templates/digest-page";
import type { Digest, DigestItem, DigestSection } from "./digest-schema";

/** Sections by each article's first topic, in order of their newest article; untagged last. */
export function groupSections(articlesNewestFirst: DigestItem[]): DigestSection[] {
  const byTopic = new Map<string, DigestItem[]>();
  const untagged: DigestItem[] = [];
  for (const article of articlesNewestFirst) {
    const topic = article.topics[0];
    if (topic === undefined) {
      untagged.push(article);
      continue;
    }
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), article]);
  }
  const sections: DigestSection[] = [...byTopic].map(([topic, articles]) => ({ topic, articles }));
  if (untagged.length > 0) sections.push({ topic: null, articles: untagged });
  return sections;
}

const LONG_DATE = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

export function compileDigest(input: {
  id: string;
  /**
   * The digest's items in rank order (each a story's lead, with its "Also" sources), already capped
   * at DIGEST_MAX_ARTICLES; the first names the subject.
   */
  articles: DigestItem[];
  minArticles: number;
  windowStart: Date;
  cutoff: Date;
  siteTitle: string;
  now: Date;
  /** A topic's label (TOPICS), shown as its section's heading. */
  topicLabel?: (slug: string) => string;
}): Digest {
  const label = input.topicLabel ?? ((slug: string) => slug);
  const sections = groupSections(input.articles).map((section) => ({
    ...section,
    topic: section.topic === null ? null : label(section.topic),
  }));
  const title = `${input.siteTitle} for ${LONG_DATE.format(new Date(`${input.id}T12:00:00Z`))}`;
  const first = input.articles[0]?.title;
  const more = input.articles.length - 1;
  const subject = first
    ? `${input.siteTitle}: ${first}${more > 0 ? ` (+${more} more)` : ""}`
    : `${input.siteTitle}: no stories`;
  const skipped = input.articles.length < input.minArticles || input.articles.length === 0;
  return {
    id: input.id,
    status: skipped ? "skipped" : "compiled",
    heldReason: null,
    title,
    subject,
    windowStart: input.windowStart.toISOString(),
    cutoff: input.cutoff.toISOString(),
    sections,
    articleCount: input.articles.length,
    webHtml: renderDigestPage({ siteTitle: input.siteTitle, title, id: input.id, sections }),
    createdAt: input.now.toISOString(),
  };
}
