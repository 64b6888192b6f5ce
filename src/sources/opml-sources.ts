// An OPML subscription list as source inputs: every outline with an xmlUrl, however nested, read with
// the same XML walker as feeds (no DTD, no entity expansion, linear time).
import { issuesOf } from "../routes/json-body";
import { FeedError } from "./feed-error";
import { SourceInput } from "./source-schema";
import { walkXml } from "./xml-walker";

/** Outlines one import takes: each is a row in the registry, added in one object call. */
export const MAX_OPML_SOURCES = 500;

export type OpmlSources = { inputs: SourceInput[]; invalid: { url: string; message: string }[] };

/** The list's outlines with an xmlUrl, or null when the text is not an OPML document. */
export function sourcesFromOpml(xml: string): OpmlSources | null {
  const result: OpmlSources = { inputs: [], invalid: [] };
  let walk;
  try {
    walk = walkXml(xml, "https://opml.invalid/", {
      open(element) {
        const url = element.attrs.xmlUrl;
        if (element.local !== "outline" || url === undefined) return;
        const name = element.attrs.title ?? element.attrs.text;
        const candidate = { url, ...(name?.trim() ? { name } : {}) };
        const parsed = SourceInput.safeParse(candidate);
        if (parsed.success) result.inputs.push(parsed.data);
        else
          result.invalid.push({
            url: url.slice(0, 200),
            message: issuesOf(parsed.error)[0]?.message ?? "Not valid.",
          });
      },
      text() {},
      close() {},
    });
  } catch (error) {
    if (error instanceof FeedError) return null;
    throw error;
  }
  return walk.root?.local === "opml" ? result : null;
}
