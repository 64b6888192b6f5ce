// Dates as a reader says them ("26 Nov 2026"), always in UTC, like the digest ids they describe.

const DAY = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const DAY_NO_YEAR = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const LONG_DAY = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

// en-GB writes "Sept" for September since ICU 72; readers expect the three-letter form.
const tidy = (text: string) => text.replace("Sept", "Sep");

/** "26 Nov 2026", from an ISO timestamp or a YYYY-MM-DD digest id; the input itself if unreadable. */
export function dayInWords(isoOrId: string): string {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(isoOrId) ? `${isoOrId}T12:00:00Z` : isoOrId);
  return Number.isNaN(date.getTime()) ? isoOrId : tidy(DAY.format(date));
}

/** "26 Nov", for a story's date inside a digest of the same year. */
export function shortDayInWords(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : tidy(DAY_NO_YEAR.format(date));
}

/** "Thursday 26 November 2026", for a digest id (YYYY-MM-DD). */
export const longDayInWords = (id: string) => LONG_DAY.format(new Date(`${id}T12:00:00Z`));

const TIME = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

/** "26 Nov 2026, 13:05 UTC", for a moment in a reader's history; the input itself if unreadable. */
export function momentInWords(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${dayInWords(iso)}, ${TIME.format(date)} UTC`;
}
