// What a reader chooses: topics, cadence and local delivery time. The site's topics come from the
// TOPICS var; a choice is checked against them here, and every caller (form, JSON, editors) uses it.
import { z } from "zod";
import type { ErrorIssue } from "../errors";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Topic = { slug: string; label: string };

/** As stored in the reader's record. `topics: null` is every topic, articles with none included. */
export const Preferences = z.object({
  topics: z.array(z.string()).nullable(),
  cadence: z.enum(["daily", "weekly"]),
  weekday: z.enum(WEEKDAYS).nullable(),
  deliveryHour: z.number().int().min(0).max(23),
  timeZone: z.string(),
});
export type Preferences = z.infer<typeof Preferences>;

export const DEFAULT_DELIVERY_HOUR = 7;

/** `slug:Label` pairs, comma-separated; a bare slug is its own label. */
export function parseTopics(value: string): Topic[] {
  return value
    .split(",")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "")
    .map((pair) => {
      const colon = pair.indexOf(":");
      const slug = (colon < 0 ? pair : pair.slice(0, colon)).trim();
      const label = (colon < 0 ? pair : pair.slice(colon + 1)).trim();
      return { slug, label: label || slug };
    });
}

/** The label of `slug`, or the slug itself for a topic the site no longer lists. */
export const topicLabel = (topics: Topic[], slug: string) =>
  topics.find((topic) => topic.slug === slug)?.label ?? slug;

/** True for an IANA zone name this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const defaultPreferences = (timeZone: string | null | undefined): Preferences => ({
  topics: null,
  cadence: "daily",
  weekday: null,
  deliveryHour: DEFAULT_DELIVERY_HOUR,
  timeZone: timeZone && isTimeZone(timeZone) ? timeZone : "UTC",
});

/** What a caller may send: every field optional; unset fields keep the current (or default) value. */
export const PreferencesInput = z.strictObject({
  topics: z.unknown().optional(),
  cadence: z.unknown().optional(),
  weekday: z.unknown().optional(),
  deliveryHour: z.unknown().optional(),
  timeZone: z.unknown().optional(),
});
export type PreferencesInput = z.infer<typeof PreferencesInput>;

export type PreferencesCheck =
  { ok: true; preferences: Preferences } | { ok: false; issues: ErrorIssue[] };

/**
 * Applies `input` over `current`, checking each field. Choosing every topic is stored as "all"
 * (null), so a topic added to TOPICS later reaches those readers too.
 */
export function applyPreferences(
  current: Preferences,
  input: PreferencesInput,
  topics: Topic[],
): PreferencesCheck {
  const issues: ErrorIssue[] = [];
  const next: Preferences = { ...current };
  const known = new Set(topics.map((topic) => topic.slug));

  if (input.topics !== undefined) {
    const list = input.topics;
    if (!Array.isArray(list) || list.some((slug) => typeof slug !== "string"))
      issues.push({ path: "topics", message: "Send a list of topic slugs." });
    else if (list.length === 0)
      issues.push({ path: "topics", message: "Choose at least one topic." });
    else {
      const unknown = list.filter((slug) => !known.has(slug));
      if (unknown.length > 0)
        issues.push({
          path: "topics",
          message: `Unknown topic: ${unknown.slice(0, 3).join(", ").slice(0, 120)}. Choose from ${[...known].join(", ")}.`,
        });
      else {
        const chosen = [...new Set(list as string[])];
        next.topics =
          chosen.length === known.size
            ? null
            : topics.map((t) => t.slug).filter((slug) => chosen.includes(slug));
      }
    }
  }
  if (input.cadence !== undefined) {
    if (input.cadence !== "daily" && input.cadence !== "weekly")
      issues.push({ path: "cadence", message: "Choose daily or weekly." });
    else {
      next.cadence = input.cadence;
      if (input.cadence === "daily" && input.weekday === undefined) next.weekday = null;
    }
  }
  if (input.weekday !== undefined && input.weekday !== null) {
    if (!WEEKDAYS.includes(input.weekday as Weekday))
      issues.push({ path: "weekday", message: `Choose one of ${WEEKDAYS.join(", ")}.` });
    else next.weekday = input.weekday as Weekday;
  } else if (input.weekday === null) next.weekday = null;
  if (input.deliveryHour !== undefined) {
    const hour = input.deliveryHour;
    if (typeof hour !== "number" || !Number.isInteger(hour) || hour < 0 || hour > 23)
      issues.push({ path: "deliveryHour", message: "Choose a whole hour from 0 to 23." });
    else next.deliveryHour = hour;
  }
  if (input.timeZone !== undefined) {
    if (typeof input.timeZone !== "string" || !isTimeZone(input.timeZone))
      issues.push({
        path: "timeZone",
        message: "Choose a time zone by its IANA name, like Europe/Berlin.",
      });
    else
      // Kept as given: the runtime's canonical names are ICU's older ones (Asia/Calcutta).
      next.timeZone = input.timeZone;
  }
  if (issues.length === 0) {
    if (next.cadence === "daily" && next.weekday !== null)
      issues.push({ path: "weekday", message: "A weekday goes with a weekly cadence only." });
    if (next.cadence === "weekly" && next.weekday === null)
      issues.push({ path: "weekday", message: "Choose the weekday of a weekly digest." });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, preferences: next };
}

/** The stored preferences, or the defaults for a record from before readers could choose. */
export const preferencesOf = (record: { preferences?: Preferences | undefined }) =>
  record.preferences ?? defaultPreferences("UTC");

/** The topics a reader gets, as slugs (every topic for "all"). */
export const chosenTopics = (preferences: Preferences, topics: Topic[]) =>
  preferences.topics ?? topics.map((topic) => topic.slug);

const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: "Mondays",
  tue: "Tuesdays",
  wed: "Wednesdays",
  thu: "Thursdays",
  fri: "Fridays",
  sat: "Saturdays",
  sun: "Sundays",
};

/** "AI and Security, daily at 07:00 Europe/Berlin" */
export function describePreferences(preferences: Preferences, topics: Topic[]): string {
  const labels = preferences.topics?.map((slug) => topicLabel(topics, slug)) ?? ["All topics"];
  const what =
    labels.length > 1 ? `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}` : labels[0];
  const when =
    preferences.cadence === "weekly" && preferences.weekday
      ? `weekly on ${WEEKDAY_NAMES[preferences.weekday]}`
      : "daily";
  const hour = String(preferences.deliveryHour).padStart(2, "0");
  return `${what}, ${when} at ${hour}:00 ${preferences.timeZone}`;
}
