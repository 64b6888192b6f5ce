// The three charts of the newsletter's figures, as chart specs with their text alternatives: readers
// over time, one send over time, and bounce and complaint rates against the brake. Pure: the desk
// draws them as SVG, the weekly report as table cells, from the same specs and the same numbers.
import type { SendOverTime, Stats } from "../src/stats/read-stats";
import type { Chart, ChartPanel } from "./svg-chart";

const NUMBER = new Intl.NumberFormat("en-US");
export const count = (value: number) => NUMBER.format(value);
export const percent = (rate: number | null) =>
  rate === null ? "–" : `${(rate * 100).toFixed(2)}%`;

/** A rate on an axis: "0.4%", "25%". */
const percentTick = (rate: number) => `${Number((rate * 100).toFixed(3))}%`;

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
/** "26 Nov" from 2026-11-26. */
export const shortDate = (date: string) =>
  `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1] ?? ""}`;
/** "07:42" from an ISO instant. */
export const clock = (iso: string) => iso.slice(11, 16);

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export function readersChart(stats: Stats): Chart {
  const days = stats.readers.days;
  const known = days.filter((day) => day.confirmed !== null);
  const joins = sum(days.map((day) => day.joins));
  const leaves = sum(days.map((day) => day.leaves));
  const first = known[0];
  const last = known.at(-1);
  const trend =
    !first || !last
      ? "not known yet: the readers who were here before are still being counted"
      : first === last
        ? `${count(last.confirmed!)} on ${last.date}`
        : `${count(first.confirmed!)} on ${first.date}, ${count(last.confirmed!)} on ${last.date}`;
  return {
    id: "readers-chart",
    title: `Readers over the last ${days.length} days`,
    description: `Confirmed readers: ${trend}. ${count(joins)} joined and ${count(leaves)} left in ${days.length} days.`,
    xLabels: days.map((day) => shortDate(day.date)),
    panels: [
      {
        label: "Confirmed readers",
        series: [{ kind: "line", cls: "line", values: days.map((day) => day.confirmed) }],
        format: count,
      },
      {
        label: "Joined (up) and left (down) each day",
        series: [
          { kind: "bars", cls: "join", values: days.map((day) => day.joins) },
          { kind: "bars", cls: "leave", down: true, values: days.map((day) => day.leaves) },
        ],
        format: count,
        height: 90,
      },
    ],
  };
}

/** A send's minutes merged into at most `columns` columns of whole minutes each (for an email). */
export function bucketMinutes(send: SendOverTime, columns: number): SendOverTime & { per: number } {
  const per = Math.max(1, Math.ceil(send.minutes.length / columns));
  const minutes: SendOverTime["minutes"] = [];
  send.minutes.forEach((minute, i) => {
    const bucket = minutes[Math.floor(i / per)];
    if (!bucket) minutes.push({ ...minute });
    else
      Object.assign(bucket, {
        sent: bucket.sent + minute.sent,
        failed: bucket.failed + minute.failed,
      });
  });
  return { ...send, minutes, ratePerMinute: send.ratePerMinute * per, per };
}

/** `per`: minutes a column sums (an email's chart of a long send); 1 on the desk. */
export function sendChart(send: SendOverTime & { per?: number }): Chart {
  const per = send.per ?? 1;
  const unit = per === 1 ? "minute" : `${per} minutes`;
  const sent = send.minutes.map((minute) => minute.sent);
  const failed = send.minutes.map((minute) => minute.failed);
  const busiest = Math.max(0, ...sent);
  const failedMinutes = failed.filter((value) => value > 0).length;
  const from = send.minutes[0];
  const to = send.minutes.at(-1);
  const span =
    from && to ? `from ${clock(from.minute)} to ${clock(to.minute)} UTC` : "no email yet";
  const failures =
    failedMinutes > 0 ? `${count(sum(failed))} readers failed (marked in red)` : "none failed";
  return {
    id: "send-chart",
    title: `Send ${send.id} over time`,
    description: `Emails sent per ${unit} by send ${send.id}, ${span}: ${count(sum(sent))} sent, at most ${count(busiest)} in ${per === 1 ? "one minute" : unit} against the provider's limit of ${count(send.ratePerMinute)} per ${unit}; ${failures}.`,
    xLabels: send.minutes.map((minute) => clock(minute.minute)),
    panels: [
      {
        label: `Emails sent per ${unit}`,
        series: [
          { kind: "bars", cls: "bar", values: sent },
          { kind: "marks", cls: "fail", values: failed },
        ],
        threshold: {
          value: send.ratePerMinute,
          label: `provider limit ${count(send.ratePerMinute)} per ${unit}`,
        },
        format: count,
      },
    ],
  };
}

function highest(stats: Stats, pick: (day: Stats["editions"]["days"][number]) => number | null) {
  let best: { date: string; rate: number } | null = null;
  for (const day of stats.editions.days) {
    const value = pick(day);
    if (value !== null && (!best || value > best.rate)) best = { date: day.date, rate: value };
  }
  return best ? `${percent(best.rate)} on ${best.date}` : "none (nothing sent)";
}

/** A panel of one rate per day against the brake's threshold; a day at or past it is red. */
function ratePanel(label: string, rates: (number | null)[], brake: number): ChartPanel {
  return {
    label,
    series: [{ kind: "bars", cls: "bar", over: brake, values: rates.map((rate) => rate ?? 0) }],
    threshold: { value: brake, label: `brake ${percent(brake)}` },
    format: percentTick,
    height: 110,
  };
}

export function ratesChart(stats: Stats): Chart {
  const { days, complaintBrakeRate, bounceBrakeRate } = stats.editions;
  return {
    id: "rates-chart",
    title: `Bounces and complaints over the last ${days.length} days`,
    description: `Complaint and hard-bounce rates of each day's sends. Highest complaint rate ${highest(stats, (day) => day.complaintRate)}; the brake holds the next digest at ${percent(complaintBrakeRate)}. Highest hard-bounce rate ${highest(stats, (day) => day.bounceRate)}; the brake is at ${percent(bounceBrakeRate)}.`,
    xLabels: days.map((day) => shortDate(day.date)),
    panels: [
      ratePanel(
        "Complaints per email sent",
        days.map((day) => day.complaintRate),
        complaintBrakeRate,
      ),
      ratePanel(
        "Hard bounces per email sent",
        days.map((day) => day.bounceRate),
        bounceBrakeRate,
      ),
    ],
  };
}
