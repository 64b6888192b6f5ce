// Provider events per digest (delivered, bounced, complained), one KV key each, counted on read.
import { z } from "zod";
import { digestKeys } from "./digest-keys";

export type DigestEventType = "delivered" | "bounced" | "complained";
export type DigestEventCounts = {
  delivered: number;
  bounced: number;
  permanentBounces: number;
  complained: number;
  complete: boolean;
};

// Events are kept long enough for any status or brake that reads them.
const EVENT_TTL_SECONDS = 60 * 24 * 60 * 60;
const SEEN_TTL_SECONDS = 7 * 24 * 60 * 60;
// A status read stays inside the 1,000-operation budget: past this many list calls a count is a
// lower bound (`complete: false`). 300 calls count 300,000 events of one type.
const MAX_LIST_CALLS_PER_TYPE = 300;

const EventMetadata = z.object({ permanent: z.boolean().optional() });

export function createDigestEvents(kv: KVNamespace) {
  async function count(id: string, type: DigestEventType) {
    let cursor: string | undefined;
    let total = 0;
    let permanent = 0;
    for (let calls = 0; calls < MAX_LIST_CALLS_PER_TYPE; calls++) {
      const page = await kv.list({ prefix: digestKeys.events(id, type), cursor });
      total += page.keys.length;
      for (const key of page.keys)
        if (EventMetadata.safeParse(key.metadata).data?.permanent) permanent++;
      if (page.list_complete) return { total, permanent, complete: true };
      cursor = page.cursor;
    }
    return { total, permanent, complete: false };
  }

  return {
    /** True the first time an event id is seen; marks it seen. */
    async firstSighting(eventId: string): Promise<boolean> {
      if ((await kv.get(digestKeys.webhookSeen(eventId))) !== null) return false;
      await kv.put(digestKeys.webhookSeen(eventId), "", { expirationTtl: SEEN_TTL_SECONDS });
      return true;
    },

    async record(
      id: string,
      type: DigestEventType,
      eventId: string,
      metadata: { permanent?: boolean } = {},
    ) {
      await kv.put(digestKeys.event(id, type, eventId), "", {
        metadata,
        expirationTtl: EVENT_TTL_SECONDS,
      });
    },

    async counts(id: string): Promise<DigestEventCounts> {
      const [delivered, bounced, complained] = await Promise.all([
        count(id, "delivered"),
        count(id, "bounced"),
        count(id, "complained"),
      ]);
      return {
        delivered: delivered.total,
        bounced: bounced.total,
        permanentBounces: bounced.permanent,
        complained: complained.total,
        complete: delivered.complete && bounced.complete && complained.complete,
      };
    },
  };
}
