// The SUBSCRIBERS namespace: the KV mirror of each reader's record (ReaderLedger is the one writer),
// and the list pages that the send walks.
import { subscriberKeys, type SubscriberKeyMetadata } from "./subscriber-keys";
import { Subscriber } from "./subscriber-schema";

export type SubscriberStore = ReturnType<typeof createSubscriberStore>;

export type ReaderPage = { readers: { email: string; status: string }[]; cursor: string | null };

// A departure is kept long enough for any send that was running when it happened to see it.
// Departure keys written by older deploys lived this long; erasure still deletes any left.
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
    async put(subscriber: Subscriber, _previous: Subscriber | null): Promise<void> {
      await this.mirror(subscriber);
    },

    /** Several records with one bulk read (at most 100 addresses). */
    async getMany(emails: string[]): Promise<Subscriber[]> {
      if (emails.length === 0) return [];
      const values = await kv.get<unknown>(emails.map(subscriberKeys.subscriber), "json");
      return emails.flatMap((email) => {
        const parsed = Subscriber.safeParse(values.get(subscriberKeys.subscriber(email)));
        return parsed.success ? [parsed.data] : [];
      });
    },

    /** Up to `limit` readers whose address starts with `prefix` (one list call). */
    async search(prefix: string, limit: number): Promise<ReaderPage["readers"]> {
      const page = await kv.list<SubscriberKeyMetadata>({
        prefix: subscriberKeys.subscriber(prefix),
        limit,
      });
      return page.keys.map((key) => ({
        email: subscriberKeys.emailOf(key.name),
        status: key.metadata?.status ?? "unknown",
      }));
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
  };
}
