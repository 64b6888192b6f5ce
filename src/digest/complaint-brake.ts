// The complaint brake: mailbox providers block senders whose readers complain (Gmail: keep spam
// complaints under 0.1%, never 0.3%), so a digest after a bad one waits for a person to look.
import type { DigestStore } from "./digest-store";
import type { createDigestEvents } from "./digest-events";

// Permanent bounces past this share of deliveries mean a list problem worth a look before sending.
export const BOUNCE_BRAKE_RATE = 0.05;

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

/** Why the next digest must be held after `previousId`, or null to send it. */
export async function complaintBrake(
  deps: {
    digests: DigestStore;
    events: ReturnType<typeof createDigestEvents>;
    complaintBrakeRate: number;
  },
  previousId: string,
): Promise<string | null> {
  const counts = await deps.events.counts(previousId);
  if (counts.complained === 0 && counts.permanentBounces === 0) return null;
  // Deliveries as Resend reported them; without delivery events, the emails we sent.
  const sent = (await deps.digests.progress(previousId)).reduce((sum, record) => sum + record.s, 0);
  const deliveries = counts.delivered > 0 ? counts.delivered : sent;
  const complaintRate = deliveries > 0 ? counts.complained / deliveries : 1;
  const bounceRate = deliveries > 0 ? counts.permanentBounces / deliveries : 1;
  if (complaintRate >= deps.complaintBrakeRate) {
    return `Complaints on ${previousId} reached ${percent(complaintRate)} of deliveries (${counts.complained} of ${deliveries}); the limit is ${percent(deps.complaintBrakeRate)}.`;
  }
  if (bounceRate >= BOUNCE_BRAKE_RATE) {
    return `Permanent bounces on ${previousId} reached ${percent(bounceRate)} of deliveries (${counts.permanentBounces} of ${deliveries}); the limit is ${percent(BOUNCE_BRAKE_RATE)}.`;
  }
  return null;
}
