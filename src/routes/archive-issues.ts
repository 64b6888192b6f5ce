// The archive's issue numbers and lead stories, from index metadata alone (no digest record read).
import type { DigestIndexMetadata } from "../digest/digest-schema";
import type { DigestStore } from "../digest/digest-store";
import type { ArchiveEntry } from "../../templates/digest-page";

// Every published entry is listed to count issues: 1,000 index keys per KV list call, so ten years
// of daily issues cost 4 KV operations of the 1,000 an invocation may make.
const ALL_ISSUES = 100_000;

/**
 * The headline a digest led with, read back from its subject (`<title>: <lead> (+N more)`, as
 * compile writes it); the whole subject when it has another shape.
 */
export function leadStoryOf(entry: DigestIndexMetadata, siteTitle: string): string {
  const prefix = `${siteTitle}: `;
  const more = entry.articleCount > 1 ? ` (+${entry.articleCount - 1} more)` : "";
  if (!entry.subject.startsWith(prefix) || !entry.subject.endsWith(more)) return entry.subject;
  const lead = entry.subject.slice(prefix.length, entry.subject.length - more.length);
  return lead || entry.subject;
}

/** Published issues, newest first, each numbered by its place counting from the first (No. 1). */
export async function archiveIssues(
  store: DigestStore,
  siteTitle: string,
): Promise<ArchiveEntry[]> {
  const published = await store.index(ALL_ISSUES, { published: true });
  return published.map((entry, i) => ({
    ...entry,
    issueNumber: published.length - i,
    leadStory: leadStoryOf(entry, siteTitle),
  }));
}
