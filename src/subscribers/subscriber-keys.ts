// Every SUBSCRIBERS key is built here. See the README's storage schema.
//
// One key per reader, by address, so a reader is one read. Its metadata carries the status, so the
// send walks every reader with one list call per 1,000 and reads no record.

export const subscriberKeys = {
  all: "v1:subscriber:",
  subscriber: (email: string) => `v1:subscriber:${email}`,
  emailOf: (key: string) => key.slice("v1:subscriber:".length),
  /** A departure log (unsubscribed, bounced, complained) by day, so a send in progress can skip them. */
  departuresOn: (day: string) => `v1:departed:${day}:`,
  departure: (at: Date, email: string) =>
    `v1:departed:${at.toISOString().slice(0, 10)}:${at.getTime()}:${email}`,
  /** The instant and address read back from a departure key. */
  parseDeparture(key: string): { atMs: number; email: string } {
    const rest = key.split(":").slice(3).join(":");
    const colon = rest.indexOf(":");
    return { atMs: Number(rest.slice(0, colon)), email: rest.slice(colon + 1) };
  },
};

/** Transient bounces in a row, for the readers who have any (cleared by a delivery). */
export const softBounceKey = (email: string) => `v1:soft-bounce:${email}`;
/** A salted hash of an erased, bounced or complained address: it stays suppressed after erasure. */
export const suppressionKey = (addressHash: string) => `v1:suppressed:${addressHash}`;

export type SubscriberKeyMetadata = { status: string };
