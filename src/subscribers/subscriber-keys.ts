// Every SUBSCRIBERS key is built here. See docs/storage.md.
//
// One key per reader, by address: the mirror of the record their ReaderLedger owns. Its metadata
// carries the status, so the send walks every reader with one list call per 1,000 and reads no record.

export const subscriberKeys = {
  all: "v1:subscriber:",
  subscriber: (email: string) => `v1:subscriber:${email}`,
  emailOf: (key: string) => key.slice("v1:subscriber:".length),
  /** Legacy departure log by day, no longer written (the DepartureLog replaced it); erasure deletes any left. */
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

/** Legacy (older deploys): transient bounces in a row. Adopted by the ReaderLedger, then deleted. */
export const softBounceKey = (email: string) => `v1:soft-bounce:${email}`;
/** Legacy (older deploys): a suppressed address by salted hash. Read once, when adopting a reader. */
export const suppressionKey = (addressHash: string) => `v1:suppressed:${addressHash}`;

export type SubscriberKeyMetadata = { status: string };
