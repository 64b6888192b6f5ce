// The SUBSCRIBERS namespace: the KV mirror of each reader's record (ReaderLedger is the one writer),
// and the list pages that the send walks.
import { subscriberKeys, type SubscriberKeyMetadata } from "./subscriber-keys";
import { Subscriber } from "./subscriber-schema";

export type SubscriberStore = ReturnType<typeof createSubscriberStore>;

export type ReaderPage = { readers: { email: string; status: string }[]; cursor: string | null };

// A departure is kept long enough for any send that was running when it happened to see it.
export const DEPARTURE_TTL_SECONDS = 3 * 24 * 60 * 60;

export function createSubscriberStore(kv: KVNamespace) {
  return {
    /** The mirror, for pages that show a record; anything that decides asks the ReaderLedger. */
    async get(email: string): Promise<Subscriber | null> {
      const raw = await kv.get(subscriberKeys.subscriber(email), "json");
      return raw === null ? null : Subscriber.parse(raw);
    },

    /** The mirror of a reader's record; only their ReaderLedger calls this (and test seeding). */
    async mirror(subscriber: Subscriber): Promise<void> {
      const metadata: SubscriberKeyMetadata = { status: subscriber.status };
      await kv.put(subscriberKeys.subscriber(subscriber.email), JSON.stringify(subscriber), {
        metadata,
      });
    },

    /** Seeds a record written straight to KV, as an older deploy would have (tests, fixtures). */
    async put(subscriber: Subscriber, previous: Subscriber | null): Promise<void> {
      await this.mirror(subscriber);
      if (previous?.status === "confirmed" && subscriber.status !== "confirmed")
        await this.logDeparture(subscriber.email, new Date(subscriber.updatedAt));
    },

    /** A KV departure entry, for `departuresSince` (the send's old way to skip leavers). */
    async logDeparture(email: string, at: Date): Promise<void> {
      await kv.put(subscriberKeys.departure(at, email), "", {
        expirationTtl: DEPARTURE_TTL_SECONDS,
      });
    },

    /** One list call: up to 1,000 readers with their status, in address order. */
    async listPage(cursor: string | null): Promise<ReaderPage> {
      const page = await kv.list<SubscriberKeyMetadata>({
        prefix: subscriberKeys.all,
        cursor: cursor ?? undefined,
        limit: 1000,
      });
      return {
        readers: page.keys.map((key) => ({
          email: subscriberKeys.emailOf(key.name),
          status: key.metadata?.status ?? "unknown",
        })),
        cursor: page.list_complete ? null : page.cursor,
      };
    },

    /** Addresses that stopped being mailable at or after `since` (one list call per day). */
    async departuresSince(since: Date, now: Date): Promise<Set<string>> {
      const left = new Set<string>();
      for (
        let day = new Date(since.toISOString().slice(0, 10));
        day <= now;
        day = new Date(day.getTime() + 86_400_000)
      ) {
        let cursor: string | undefined;
        do {
          const page = await kv.list({
            prefix: subscriberKeys.departuresOn(day.toISOString().slice(0, 10)),
            cursor,
          });
          for (const key of page.keys) {
            const departure = subscriberKeys.parseDeparture(key.name);
            if (departure.atMs >= since.getTime()) left.add(departure.email);
          }
          cursor = page.list_complete ? undefined : page.cursor;
        } while (cursor);
      }
      return left;
    },
  };
}
