// The figures the desk's charts, GET /api/stats and the weekly report show: one read of
// DailyFigures (and of one send's owner for its minutes), so all three show the same numbers.
import type { Config } from "../env";
import { BOUNCE_BRAKE_RATE } from "../digest/complaint-brake";
import { editionSend } from "../digest/edition-send";
import type { SendStatus } from "../digest/edition-status";
import { MAX_BATCH_EMAILS } from "../mail/mailer";
import { dailyFigures, type ReaderFigures } from "./daily-figures";
import type { EditionDay } from "./send-tables";

export const READER_DAYS = 90;
export const EDITION_DAYS = 30;
export const SENDS_LISTED = 10;
// Gaps between minutes that sent something are filled with zeros up to a day of minutes; a send
// that spans more (a redrive days later) lists only the minutes that did something.
const MAX_FILLED_MINUTES = 1440;
const MINUTE_MS = 60_000;

export type EditionRates = EditionDay & {
  /** Complaints per email sent, as the brake weighs them; null when nothing was sent. */
  complaintRate: number | null;
  /** Permanent bounces per email sent (the brake's bounce measure); null when nothing was sent. */
  bounceRate: number | null;
};

export type Stats = {
  asOf: string;
  readers: ReaderFigures;
  editions: { complaintBrakeRate: number; bounceBrakeRate: number; days: EditionRates[] };
  /** The latest sends, newest first. */
  sends: SendStatus[];
};

export type SendOverTime = {
  id: string;
  status: SendStatus | null;
  /** The most emails the provider takes in a minute: RESEND_RATE_PER_SECOND batches of 100. */
  ratePerMinute: number;
  minutes: { minute: string; sent: number; failed: number }[];
};

const rate = (count: number, sent: number) => (sent > 0 ? count / sent : null);

export async function readStats(
  env: Pick<Env, "FIGURES">,
  config: Pick<Config, "COMPLAINT_BRAKE_RATE">,
  now: Date,
): Promise<Stats> {
  const figures = dailyFigures(env);
  const readers = await figures.readerFigures(now.getTime(), READER_DAYS);
  const days = await figures.editionDays(now.getTime(), EDITION_DAYS);
  const sends = await figures.recentSends(SENDS_LISTED);
  return {
    asOf: now.toISOString(),
    readers,
    editions: {
      complaintBrakeRate: config.COMPLAINT_BRAKE_RATE,
      bounceBrakeRate: BOUNCE_BRAKE_RATE,
      days: days.map((day) => ({
        ...day,
        complaintRate: rate(day.complained, day.sent),
        bounceRate: rate(day.permanentBounces, day.sent),
      })),
    },
    sends,
  };
}

/** One send's emails per minute, from its owner; null when it has no owner. */
export async function readSendOverTime(
  env: Pick<Env, "EDITION_SENDS">,
  config: Pick<Config, "RESEND_RATE_PER_SECOND">,
  id: string,
): Promise<SendOverTime | null> {
  const owner = editionSend(env, id);
  const status = await owner.status();
  if (!status) return null;
  const active = await owner.minutes();
  const first = active[0]?.minuteMs ?? 0;
  const last = active.at(-1)?.minuteMs ?? 0;
  const span = (last - first) / MINUTE_MS + 1;
  const byMinute = new Map(active.map((minute) => [minute.minuteMs, minute]));
  const minutes =
    active.length > 0 && span <= MAX_FILLED_MINUTES
      ? Array.from({ length: span }, (_, i) => first + i * MINUTE_MS)
      : active.map((minute) => minute.minuteMs);
  return {
    id,
    status,
    ratePerMinute: Math.round(config.RESEND_RATE_PER_SECOND * MAX_BATCH_EMAILS * 60),
    minutes: minutes.map((ms) => ({
      minute: new Date(ms).toISOString(),
      sent: byMinute.get(ms)?.sent ?? 0,
      failed: byMinute.get(ms)?.failed ?? 0,
    })),
  };
}
