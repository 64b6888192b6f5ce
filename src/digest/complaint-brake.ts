// The complaint brake: mailbox providers block senders whose readers complain (Gmail: keep spam
// complaints under 0.1%, never 0.3%), so a digest after a bad one waits for a person to look.
// Its denominator is the edition's own sent count, exact at any size, kept by the edition's owner.

// Permanent bounces past this share of the emails sent mean a list problem worth a look.
export const BOUNCE_BRAKE_RATE = 0.05;

export type BrakeFigures = { sent: number; complained: number; permanentBounces: number };

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

/** Why the next digest must be held after `previousId`, or null to send it. Pure. */
export function complaintBrake(
  figures: BrakeFigures,
  previousId: string,
  complaintBrakeRate: number,
): string | null {
  const { sent, complained, permanentBounces } = figures;
  if (complained === 0 && permanentBounces === 0) return null;
  const complaintRate = sent > 0 ? complained / sent : 1;
  const bounceRate = sent > 0 ? permanentBounces / sent : 1;
  if (complaintRate >= complaintBrakeRate) {
    return `Complaints on ${previousId} reached ${percent(complaintRate)} of the emails sent (${complained} of ${sent}); the limit is ${percent(complaintBrakeRate)}.`;
  }
  if (bounceRate >= BOUNCE_BRAKE_RATE) {
    return `Permanent bounces on ${previousId} reached ${percent(bounceRate)} of the emails sent (${permanentBounces} of ${sent}); the limit is ${percent(BOUNCE_BRAKE_RATE)}.`;
  }
  return null;
}
