// An OPML subscription list as source inputs: every outline with an xmlUrl, however nested.
import { parseOpml } from "feedsmith";
import { issuesOf } from "../routes/json-body";
import { SourceInput } from "./source-schema";

/** Outlines one import takes: each is a row in the registry, added in one object call. */
export const MAX_OPML_SOURCES = 500;

type Outline = { xmlUrl?: unknown; text?: unknown; title?: unknown; outlines?: Outline[] };

export type OpmlSources = { inputs: SourceInput[]; invalid: { url: string; message: string }[] };

export function sourcesFromOpml(xml: string): OpmlSources | null {
  let outlines: Outline[];
  try {
    const opml = parseOpml(xml) as { body?: { outlines?: Outline[] } };
    outlines = opml.body?.outlines ?? [];
  } catch {
    return null;
  }
  const result: OpmlSources = { inputs: [], invalid: [] };
  const walk = (list: Outline[]) => {
    for (const outline of list) {
      if (typeof outline.xmlUrl === "string") {
        const name = typeof outline.title === "string" ? outline.title : outline.text;
        const candidate = {
          url: outline.xmlUrl,
          ...(typeof name === "string" && name.trim() ? { name } : {}),
        };
        const parsed = SourceInput.safeParse(candidate);
        if (parsed.success) result.inputs.push(parsed.data);
        else
          result.invalid.push({
            url: outline.xmlUrl.slice(0, 200),
            message: issuesOf(parsed.error)[0]?.message ?? "Not valid.",
          });
      }
      if (outline.outlines) walk(outline.outlines);
    }
  };
  walk(outlines);
  return result;
}
