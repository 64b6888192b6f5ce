// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) items. Titles are plain text by the
// spec, but generators put HTML character references in them (`&#8217;`): those are decoded, while
// `<i>` stays `<i>`. `content_html` is HTML; relative URLs resolve against the feed's address.
import { decodeHTMLStrict } from "entities";
import { z } from "zod";
import { parseFeedDate } from "./feed-dates";
import { FeedError } from "./feed-error";
import { type RawItem, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS } from "./feed-item";
import { absoluteHttpUrl } from "./feed-links";
import { clip, collapse, htmlToText } from "./feed-text";

// Only the fields read, each optional and of any type: a wrong type reads as missing, not as a
// broken feed (one bad item never costs the others).
const Field = z.string().optional().catch(undefined);
const JsonFeed = z.object({
  version: Field,
  title: Field,
  items: z.array(z.unknown()).catch([]),
});
const JsonItem = z
  .object({
    url: Field,
    external_url: Field,
    title: Field,
    summary: Field,
    content_text: Field,
    content_html: Field,
    date_published: Field,
    date_modified: Field,
  })
  .catch({});

export type JsonFeedRead = { format: "json"; title: string | null; items: RawItem[] };

const plain = (text: string | undefined, maxChars: number) =>
  text === undefined ? null : clip(collapse(decodeHTMLStrict(text)), maxChars) || null;

export function readJsonFeed(text: string, baseUrl: string): JsonFeedRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FeedError(`Not a feed: the body starts like JSON but is not valid JSON (${reason}).`);
  }
  const feed = JsonFeed.safeParse(json);
  if (!feed.success || !feed.data.version?.startsWith("https://jsonfeed.org/version/")) {
    throw new FeedError(
      'Not a feed: this JSON is not a JSON Feed (it has no "version" of https://jsonfeed.org/version/1.1).',
    );
  }
  const items = feed.data.items.map((raw): RawItem => {
    const item = JsonItem.parse(raw);
    const summary =
      plain(item.summary, SUMMARY_MAX_CHARS) ??
      (item.content_html !== undefined
        ? clip(htmlToText(item.content_html, SUMMARY_MAX_CHARS), SUMMARY_MAX_CHARS) || null
        : clip(collapse(item.content_text ?? ""), SUMMARY_MAX_CHARS) || null);
    return {
      title: plain(item.title, TITLE_MAX_CHARS),
      url:
        absoluteHttpUrl(item.url ?? "", baseUrl) ??
        absoluteHttpUrl(item.external_url ?? "", baseUrl),
      publishedAt: parseFeedDate(item.date_published) ?? parseFeedDate(item.date_modified),
      summary,
    };
  });
  return { format: "json", title: plain(feed.data.title, 200), items };
}
