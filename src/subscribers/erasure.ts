// GDPR erasure and the suppression list. Erasing removes the reader's record and every key that names
// them; only a salted hash of the address stays, with why: so a bounced or complained address is
// never mailed again, and a later sign-up starts a fresh double opt-in instead of reviving a record.
import { z } from "zod";
import { outboxKeys, type OutboxKeyMetadata } from "../mail/outbox-keys";
import { hashAddress } from "./reader-token";
import { softBounceKey, subscriberKeys, suppressionKey } from "./subscriber-keys";
import type { SubscriberStore } from "./subscriber-store";

export const Suppression = z.object({
  reason: z.enum(["erased", "bounced", "complained"]),
  at: z.string(),
});
export type Suppression = z.infer<typeof Suppression>;

export type ErasureDeps = {
  kv: KVNamespace;
  outbox: KVNamespace;
  store: SubscriberStore;
  secret: string;
  now: Date;
};

export async function suppressionOf(
  deps: Pick<ErasureDeps, "kv" | "secret">,
  email: string,
): Promise<Suppression | null> {
  const raw = await deps.kv.get(suppressionKey(await hashAddress(deps.secret, email)), "json");
  const parsed = Suppression.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Erases a reader. False when there was no record to erase. */
export async function eraseReader(deps: ErasureDeps, email: string): Promise<boolean> {
  const record = await deps.store.get(email);
  if (!record) return false;
  const reason =
    record.status === "bounced" || record.status === "complained" ? record.status : "erased";
  const suppression: Suppression = { reason, at: deps.now.toISOString() };
  await deps.kv.put(
    suppressionKey(await hashAddress(deps.secret, email)),
    JSON.stringify(suppression),
  );
  await deps.kv.delete(subscriberKeys.subscriber(email));
  await deps.kv.delete(softBounceKey(email));
  // Departure log entries name the reader (they expire in 3 days; erasure does not wait).
  const departures = await deps.kv.list({ prefix: "v1:departed:" });
  for (const key of departures.keys) {
    if (subscriberKeys.parseDeparture(key.name).email === email) await deps.kv.delete(key.name);
  }
  // The local outbox (development only) keeps copies of the reader's mail.
  let cursor: string | undefined;
  do {
    const page = await deps.outbox.list<OutboxKeyMetadata>({ prefix: outboxKeys.messages, cursor });
    for (const key of page.keys) if (key.metadata?.to === email) await deps.outbox.delete(key.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  console.log(JSON.stringify({ level: "info", event: "reader.erased", reason }));
  return true;
}
