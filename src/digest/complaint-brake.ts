// The complaint brake: mailbox providers block senders whose readers complain (Gmail: keep spam
// complaints under 0.1%, never 0.3%), so a digest after a bad send waits for a person to look.
// It weighs what went out since the last digest that went out: that edition's own send (edition
// delivery) and the run slots after it (personal delivery: readers are mailed by slot, and a slot's
// emails link to the latest digest). Denominators are the sends' own sent counts, exact at any size.
import { slotIdFor } from "./digest-schema";

// Permanent bounces past this share of the emails sent mean a list problem worth a look.
export const BOUNCE_BRAKE_RATE = 0.05;
const DAY_MS = 86_400_000;

export type BrakeFigures = { sent: number; complained: number; permanentBounces: number };
/** A period's run slots summed (DailyFigures), and how many slots that is. */
export type SlotFigures = BrakeFigures & { slots: number };
/** Slot ids from `from` up to, not including, `to` (they sort by time). */
export type SlotPeriod = { from: string; to: string };

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;
const minute = (slotId: string) =>
  `${slotId.slice(0, 10)} ${slotId.slice(11, 13)}:${slotId.slice(13)}`;

/**
 * The run slots a compile at `cutoff` weighs: those whose emails linked to the last digest that went
 * out, from its cutoff up to this one (before any digest, the 24 hours before). A held digest never
 * went out, so while one waits the period keeps starting at the digest before it.
 */
export function slotPeriod(lastSentCutoff: string | null, cutoff: Date): SlotPeriod {
  const fromMs = lastSentCutoff === null ? cutoff.getTime() - DAY_MS : Date.parse(lastSentCutoff);
  return { from: slotIdFor(new Date(fromMs)), to: slotIdFor(cutoff) };
}

/**
 * What went out: the last digest's own send (`edition`, null when it sent nothing or there is none)
 * and the period's run slots, summed, with words that name them. Null when nothing went out.
 */
export function sentSince(
  edition: { id: string; figures: BrakeFigures | null } | null,
  slots: SlotFigures,
  period: SlotPeriod,
): { figures: BrakeFigures; what: string } | null {
  const own = edition?.figures;
  const ownCounts = !!own && own.sent + own.complained + own.permanentBounces > 0;
  const slotWords = `the ${slots.slots} run slot${slots.slots === 1 ? "" : "s"} from ${minute(period.from)} to ${minute(period.to)} UTC`;
  if (slots.slots === 0) return own && edition ? { figures: own, what: edition.id } : null;
  if (!ownCounts || !edition) return { figures: slots, what: slotWords };
  return {
    figures: {
      sent: own.sent + slots.sent,
      complained: own.complained + slots.complained,
      permanentBounces: own.permanentBounces + slots.permanentBounces,
    },
    what: `${edition.id} and ${slotWords}`,
  };
}

/** Why the next digest must be held after what went out (`what`, in words), or null. Pure. */
export function complaintBrake(
  figures: BrakeFigures,
  what: string,
  complaintBrakeRate: number,
): string | null {
  const { sent, complained, permanentBounces } = figures;
  if (complained === 0 && permanentBounces === 0) return null;
  const complaintRate = sent > 0 ? complained / sent : 1;
  const bounceRate = sent > 0 ? permanentBounces / sent : 1;
  if (complaintRate >= complaintBrakeRate) {
    return `Complaints on ${what} reached ${percent(complaintRate)} of the emails sent (${complained} of ${sent}); the limit is ${percent(complaintBrakeRate)}.`;
  }
  if (bounceRate >= BOUNCE_BRAKE_RATE) {
    return `Permanent bounces on ${what} reached ${percent(bounceRate)} of the emails sent (${permanentBounces} of ${sent}); the limit is ${percent(BOUNCE_BRAKE_RATE)}.`;
  }
  return null;
}
