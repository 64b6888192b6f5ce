// The values inside an export's cells, as the tools write them: dates in their several formats, tag
// lists (comma-separated, quoted, or JSON), and status words.
import { createCsvRecords } from "./csv-records";

/** What the export says of a reader, before Tidings decides anything. */
export type ExportStatus = "subscribed" | "unconfirmed" | "unsubscribed" | "bounced" | "complained";

// A date before this in an export is a placeholder ("0001-01-01"), not a sign-up.
const EARLIEST_MS = Date.UTC(1990, 0, 1);

/**
 * An export's date as ISO 8601, or null when the cell is empty or not a date. Reads ISO 8601,
 * `2023-03-24 10:23:10 UTC` (beehiiv), `2018-10-11 09:55:14` (Mailchimp, UTC), Go's
 * `2024-01-02 15:04:05.123 +0000 UTC` (listmonk) and a bare `2024-05-01` (midnight UTC).
 */
export function exportDate(value: string | undefined, now: Date): string | null {
  const text = (value ?? "").trim();
  if (!text) return null;
  let iso = text;
  const spaced = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(.*)$/.exec(text);
  if (spaced) {
    const [, day, time, rest = ""] = spaced;
    const zone = rest.replace(/\s+[A-Z]{2,5}$/, "").trim();
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    const suffix =
      zone === "" || zone === "UTC" || zone === "GMT" || zone === "Z"
        ? "Z"
        : offset
          ? `${offset[1]}${offset[2]}:${offset[3]}`
          : null;
    if (suffix === null) return null;
    iso = `${day}T${time}${suffix}`;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) iso = `${text}T00:00:00Z`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms < EARLIEST_MS || ms > now.getTime() + 24 * 3600 * 1000)
    return null;
  return new Date(ms).toISOString();
}

const MAX_TAGS = 50;
const MAX_TAG_CHARS = 100;

/** A tag cell: `a, b`, Mailchimp's `"a","b"`, or a JSON list `["a","b"]`. */
export function exportTags(value: string | undefined): string[] {
  const text = (value ?? "").trim();
  if (!text) return [];
  let tags: unknown[] = [];
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) tags = parsed;
    } catch {
      tags = [];
    }
  }
  if (tags.length === 0) {
    const parser = createCsvRecords();
    tags = [...parser.push(text), ...parser.end()][0] ?? [];
  }
  const names = tags
    .filter((tag): tag is string => typeof tag === "string")
    .map((tag) => tag.trim().replace(/^"|"$/g, "").trim())
    .filter((tag) => tag !== "" && tag.length <= MAX_TAG_CHARS);
  return [...new Set(names)].slice(0, MAX_TAGS);
}

const WORDS: Record<string, ExportStatus> = {
  subscribed: "subscribed",
  active: "subscribed",
  confirmed: "subscribed",
  enabled: "subscribed",
  true: "subscribed",
  yes: "subscribed",
  pending: "unconfirmed",
  unconfirmed: "unconfirmed",
  unsubscribed: "unsubscribed",
  cancelled: "unsubscribed",
  canceled: "unsubscribed",
  false: "unsubscribed",
  no: "unsubscribed",
  blocklisted: "unsubscribed",
  bounced: "bounced",
  cleaned: "bounced",
  undeliverable: "bounced",
  complained: "complained",
  spam: "complained",
};

/** A status word of a plain list (`subscribed`, `unsubscribed`, `bounced`…); null if unknown. */
export const statusWord = (value: string): ExportStatus | null =>
  WORDS[value.trim().toLowerCase()] ?? null;
