// When a reader is due: the UTC instant of their local delivery time on a given local date, in their
// IANA zone with its daylight-saving rules, and their next delivery after the last one. Pure.
import type { Preferences, Weekday } from "./preferences";
import { WEEKDAYS } from "./preferences";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(zone, format);
  }
  return format;
}

/** The zone's wall clock at `ms`, to the second, as Intl formats it. */
function formattedWall(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatFor(zone).formatToParts(ms))
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  return Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
}

// A zone's offset by quarter hour: formatting costs some 10 µs a call, and every reader handed to a
// slot is rescheduled through several. A quarter with a transition inside is not cached (null).
const QUARTER_MS = 900_000;
const MAX_OFFSETS = 10_000;
const offsets = new Map<string, number | null>();

/** The zone's wall clock at `ms`, to the second, expressed as if it were UTC (so offset = wall - ms). */
export function wallMs(ms: number, zone: string): number {
  const start = Math.floor(ms / QUARTER_MS) * QUARTER_MS;
  const key = `${zone} ${start}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const last = start + QUARTER_MS - 1000;
    const atStart = formattedWall(start, zone) - start;
    offset = formattedWall(last, zone) - last === atStart ? atStart : null;
    if (offsets.size >= MAX_OFFSETS) offsets.clear();
    offsets.set(key, offset);
  }
  return offset === null ? formattedWall(ms, zone) : Math.floor(ms / 1000) * 1000 + offset;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
export const addDays = (date: string, days: number) => isoDate(dateMs(date) + days * DAY_MS);

/** The zone's calendar date at `ms`, YYYY-MM-DD. */
export const localDate = (ms: number, zone: string) => isoDate(wallMs(ms, zone));

/** mon ... sun of a calendar date. */
export const weekdayOf = (date: string): Weekday =>
  WEEKDAYS[(new Date(dateMs(date)).getUTCDay() + 6) % 7]!;

/** The Monday that starts the week of `date`: a weekly reader's period. */
export const weekOf = (date: string) => addDays(date, -WEEKDAYS.indexOf(weekdayOf(date)));

/**
 * The first instant at which the zone's clock reads `hour`:00 or later on `date`. On a day the hour
 * is skipped (clocks go forward) that is the moment the clocks jump; on a day it is repeated
 * (clocks go back) it is its first occurrence. Either way, one instant per date.
 */
export function deliveryInstant(zone: string, date: string, hour: number): number {
  const wanted = dateMs(date) + hour * HOUR_MS;
  // Offsets in force around the wanted time (no zone changes its offset twice within a day).
  const offsets = new Set(
    [wanted - DAY_MS, wanted, wanted + DAY_MS].map((ms) => wallMs(ms, zone) - ms),
  );
  const candidates = [...offsets].map((offset) => wanted - offset);
  const exact = candidates.filter((ms) => wallMs(ms, zone) === wanted);
  if (exact.length > 0) return Math.min(...exact);
  // The wanted time does not exist: the clocks jumped over it at the earliest candidate past it.
  const after = candidates.filter((ms) => wallMs(ms, zone) > wanted);
  return Math.min(...after);
}

export type Schedule = Pick<Preferences, "cadence" | "weekday" | "deliveryHour" | "timeZone">;
export type Delivery = { date: string; dueMs: number };

/** Whether `date` may hold a delivery after the one on `lastDate` (one a day; weekly: one a week). */
function eligible(schedule: Schedule, date: string, lastDate: string | null): boolean {
  if (schedule.cadence === "weekly" && weekdayOf(date) !== schedule.weekday) return false;
  if (lastDate === null) return true;
  return schedule.cadence === "weekly" ? weekOf(date) > weekOf(lastDate) : date > lastDate;
}

/**
 * The reader's next delivery: the first eligible local date whose delivery instant is at or after
 * `fromMs`. With `catchUp`, an eligible date whose time has already passed (a reader who moved their
 * time earlier before that day's email went) is due at once instead of being lost.
 */
export function nextDelivery(
  schedule: Schedule,
  lastDate: string | null,
  fromMs: number,
  catchUp = false,
): Delivery {
  let date = localDate(fromMs, schedule.timeZone);
  for (let i = 0; i < 15; i++, date = addDays(date, 1)) {
    if (!eligible(schedule, date, lastDate)) continue;
    const dueMs = deliveryInstant(schedule.timeZone, date, schedule.deliveryHour);
    if (dueMs >= fromMs) return { date, dueMs };
    if (catchUp) return { date, dueMs: fromMs };
  }
  throw new Error(`no delivery within two weeks for ${JSON.stringify(schedule)}`);
}
