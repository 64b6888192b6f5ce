// The KV side of one reader, written only by their ReaderLedger: the mirror record the send and the
// pages read, the legacy keys an older deploy left (adopted on first touch), and the departure key.
import { hashAddress } from "./reader-token";
import { Suppression } from "./reader-rules";
import { softBounceKey, subscriberKeys, suppressionKey } from "./subscriber-keys";
import { Subscriber } from "./subscriber-schema";
import { createSubscriberStore } from "./subscriber-store";

export type LegacyReader = {
  record: Subscriber | null;
  suppression: Suppression | null;
  transientBounces: number;
};

export function createReaderMirror(env: Pick<Env, "SUBSCRIBERS" | "SIGNING_SECRET">) {
  const kv = env.SUBSCRIBERS;
  const store = createSubscriberStore(kv);

  return {
    /** What an older deploy kept in KV for this address (three reads, once per reader). */
    async legacy(email: string): Promise<LegacyReader> {
      const hash = await hashAddress(env.SIGNING_SECRET ?? "tidings", email);
      const [record, suppression, softBounces] = await Promise.all([
        kv.get(subscriberKeys.subscriber(email), "json"),
        kv.get(suppressionKey(hash), "json"),
        kv.get(softBounceKey(email)),
      ]);
      const count = Number(softBounces ?? "0");
      return {
        record: record === null ? null : Subscriber.parse(record),
        suppression: Suppression.safeParse(suppression).data ?? null,
        transientBounces: Number.isInteger(count) && count > 0 ? count : 0,
      };
    },

    /** The legacy transient count now lives in the object. */
    forgetLegacyCount: (email: string) => kv.delete(softBounceKey(email)),

    /** Writes the record with `{status}` metadata, or deletes it when there is none. */
    async write(email: string, record: Subscriber | null): Promise<void> {
      if (record) await store.mirror(record);
      else await kv.delete(subscriberKeys.subscriber(email));
    },
  };
}
export type ReaderMirror = ReturnType<typeof createReaderMirror>;
