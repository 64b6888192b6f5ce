// Feed dates as UTC instants: RFC 822/2822 (with the zone names feeds write: UT, GMT, US and
// European zones, a few others, and RFC 822's military letters), ISO 8601 / W3C-DTF in its common
// shapes, and asctime. A date without a zone is UTC; an unknown zone name is read as UTC too (at most
// hours off, where no date at all would make old news today's).

const HOUR = 60;
/** Minutes east of UTC. Ambiguous abbreviations (IST, BST's older uses) take their common feed use. */
// prettier-ignore
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  // North America (RFC 822's own, plus generic, Atlantic, Alaska and Hawaii).
  est: -5 * HOUR, edt: -4 * HOUR, et: -5 * HOUR, cst: -6 * HOUR, cdt: -5 * HOUR, ct: -6 * HOUR,
  mst: -7 * HOUR, mdt: -6 * HOUR, mt: -7 * HOUR, pst: -8 * HOUR, pdt: -7 * HOUR, pt: -8 * HOUR,
  ast: -4 * HOUR, adt: -3 * HOUR, at: -4 * HOUR, nst: -3.5 * HOUR, ndt: -2.5 * HOUR,
  akst: -9 * HOUR, akdt: -8 * HOUR, hst: -10 * HOUR,
  // Europe (English and German abbreviations).
  west: HOUR, bst: HOUR, ist: 5.5 * HOUR, cet: HOUR, cest: 2 * HOUR, met: HOUR, mest: 2 * HOUR,
  mez: HOUR, mesz: 2 * HOUR, eet: 2 * HOUR, eest: 3 * HOUR, msk: 3 * HOUR,
  // Asia and Oceania.
  pkt: 5 * HOUR, ict: 7 * HOUR, wib: 7 * HOUR, sgt: 8 * HOUR, hkt: 8 * HOUR, awst: 8 * HOUR,
  jst: 9 * HOUR, kst: 9 * HOUR, acst: 9.5 * HOUR, aest: 10 * HOUR, aedt: 11 * HOUR,
  nzst: 12 * HOUR, nzdt: 13 * HOUR,
  // South America.
  brt: -3 * HOUR, art: -3 * HOUR,
};
// RFC 822's military zones as it defines them (A = -1 ... M = -12, N = +1 ... Y = +12; Z is UTC).
for (const [i, letter] of [..."abcdefghiklm"].entries()) ZONES[letter] = -(i + 1) * HOUR;
for (const [i, letter] of [..."nopqrstuvwxy"].entries()) ZONES[letter] = (i + 1) * HOUR;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const monthOf = (name: string) => {
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  // "Sept" and full names read by their first three letters; "Juni" too, "Mai" not.
  return index === -1 ? null : index + 1;
};

/** Minutes east of UTC for a zone as written, null if it reads as none. Empty means UTC. */
function zoneOffset(zone: string): number | null {
  let text = zone
    .trim()
    .toLowerCase()
    .replace(/^\(|\)$/g, "");
  if (text === "") return 0;
  text = text.replace(/^etc\//, "");
  const numeric = /^(?:gmt|utc|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    if (minutes > 18 * 60) return null;
    return numeric[1] === "-" ? -minutes : minutes;
  }
  // "EST (Eastern Standard Time)", "CEST" and the like: the first word.
  const name = /^([a-z]{1,5})\b/.exec(text)?.[1];
  if (!name) return null;
  return ZONES[name] ?? 0;
}

// prettier-ignore
function instant(
  year: number, month: number, day: number, hour = 0, minute = 0, second = 0,
  millis = 0, offsetMinutes = 0,
): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    return null;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  // Date.UTC rolls 31 April over into May: such a date is not a date.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  const result = ms - offsetMinutes * 60_000;
  return Number.isFinite(result) ? new Date(result).toISOString() : null;
}

const fullYear = (text: string) => {
  const year = Number(text);
  // RFC 2822: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999.
  return text.length <= 2 ? year + (year < 50 ? 2000 : 1900) : year;
};

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:(?:T|\s+)(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,5})?$/i;

function iso8601(text: string): string | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const offset = zoneOffset(m[8] ?? "");
  if (offset === null) return null;
  const millis = Number((m[7] ?? "0").slice(0, 3).padEnd(3, "0"));
  return instant(
    Number(m[1]),
    Number(m[2] ?? 1),
    Number(m[3] ?? 1),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    millis,
    offset,
  );
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?$|^(\d{2})(\d{2})$/;

/** RFC 822 and its variants: weekday optional, day and month either way round, asctime's order. */
function rfc822(text: string): string | null {
  const words = text.replace(/,/g, " ").split(/\s+/).filter(Boolean);
  // A leading weekday, in any language, is a word without digits before the day or month.
  if (words.length > 0 && !/\d/.test(words[0] ?? "") && monthOf(words[0] ?? "") === null) {
    words.shift();
  }
  let day: string | undefined;
  let month: number | null = null;
  let year: string | undefined;
  let time: RegExpExecArray | null = null;
  const rest: string[] = [];
  for (const word of words) {
    const bare = word.replace(/\.$/, "");
    if (month === null && /^[a-z]+$/i.test(bare) && monthOf(bare) !== null && rest.length === 0) {
      month = monthOf(bare);
    } else if (!day && /^\d{1,2}$/.test(word) && rest.length === 0) {
      day = word;
    } else if (!year && /^\d{4}$/.test(word) && (day || month)) {
      year = word;
    } else if (!year && /^\d{2}$/.test(word) && day && month !== null && !time) {
      year = word;
    } else if (!time && TIME.test(word) && (year || day)) {
      time = TIME.exec(word);
    } else {
      rest.push(word);
    }
  }
  if (!day || month === null || !year) return null;
  const offset = zoneOffset(rest.join(" "));
  if (offset === null) return null;
  const hour = Number(time?.[1] ?? time?.[4] ?? 0);
  const minute = Number(time?.[2] ?? time?.[5] ?? 0);
  return instant(
    fullYear(year),
    month,
    Number(day),
    hour,
    minute,
    Number(time?.[3] ?? 0),
    0,
    offset,
  );
}

/** The instant a feed's date string names, as ISO 8601 in UTC, or null when it cannot be read. */
export function parseFeedDate(raw: string | null | undefined): string | null {
  const text = (raw ?? "").trim().replace(/\s+/g, " ");
  if (!text || text.length > 100) return null;
  return iso8601(text) ?? rfc822(text);
}
