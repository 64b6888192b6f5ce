// What the provider tells us about a reader: hard bounces and complaints stop all mail at once;
// three transient bounces in a row count as a hard bounce. A delivery clears the transient count.
import { softBounceKey } from "./subscriber-keys";
import { withEvent } from "./subscriber-schema";
import type { SubscriberStore } from "./subscriber-store";

// A reader with this many transient bounces in a row is treated as bounced.
export const MAX_TRANSIENT_BOUNCES = 3;
const SOFT_BOUNCE_TTL_SECONDS = 30 * 24 * 60 * 60;

export function createDeliverability(kv: KVNamespace, store: SubscriberStore) {
  async function stopMailing(email: string, status: "bounced" | "complained", now: Date) {
    const previous = await store.get(email);
    if (!previous || previous.status === status || previous.status === "complained") return;
    const stamp = now.toISOString();
    await store.put(
      withEvent({ ...previous, status }, { at: stamp, event: status, via: "webhook" }),
      previous,
    );
  }

  return {
    hardBounce: (email: string, now: Date) => stopMailing(email, "bounced", now),
    complaint: (email: string, now: Date) => stopMailing(email, "complained", now),

    async transientBounce(email: string, now: Date): Promise<void> {
      const count = Number((await kv.get(softBounceKey(email))) ?? "0") + 1;
      if (count >= MAX_TRANSIENT_BOUNCES) {
        await kv.delete(softBounceKey(email));
        await stopMailing(email, "bounced", now);
        return;
      }
      await kv.put(softBounceKey(email), String(count), { expirationTtl: SOFT_BOUNCE_TTL_SECONDS });
    },

    async delivered(email: string): Promise<void> {
      if ((await kv.get(softBounceKey(email))) !== null) await kv.delete(softBounceKey(email));
    },
  };
}
