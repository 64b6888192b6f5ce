// GDPR erasure, as the reader's ReaderLedger makes it: its tables emptied but for a suppression row
// (no address), the departure recorded and the KV mirror deleted, then every other KV key that names
// the reader.
import { outboxKeys, type OutboxKeyMetadata } from "../mail/outbox-keys";
import { noteReaderCount } from "../stats/reader-count";
import type { LedgerContext } from "./ledger-context";
import { notePublish } from "./reader-sync";
import { suppressionAfterErasure } from "./reader-rules";
import { softBounceKey, subscriberKeys } from "./subscriber-keys";
import type { Subscriber } from "./subscriber-schema";
import { DEPARTURE_TTL_SECONDS } from "./subscriber-store";

// The local outbox exists only in development (no RESEND_API_KEY). Each ReaderLedger call has a
// budget of 1,000 KV operations: the scan stops after this many list pages (50,000 messages), and
// a larger dev outbox keeps older copies until its own TTL removes them.
const MAX_OUTBOX_PAGES = 50;
const DEPARTURE_EVENTS = new Set(["unsubscribed", "bounced", "complained", "invalid"]);
// KV takes one write a second per key: a copy stored moments ago is deleted once its batch (stored
// one message after another, from the time its keys carry) is well past that second.
const OUTBOX_DELETE_AFTER_MS = 2000;

export type ErasureKv = { kv: KVNamespace; outbox: KVNamespace; now: Date };

/**
 * Erases the reader: every table but the suppression row (reason and time, no address) is emptied
 * in one transaction, then the departure is recorded, the KV mirror and every KV key naming them are
 * deleted. False when there was no record.
 */
export async function eraseReader(ledger: LedgerContext, nowIso: string): Promise<boolean> {
  const { ctx, tables, env } = ledger;
  await ledger.ready();
  const now = new Date(nowIso);
  const record = ctx.storage.transactionSync(() => {
    const previous = tables.record();
    if (!previous) return null;
    // DELETE rather than deleteAll(): the suppression row is written in the same transaction, so
    // there is no moment when the address is neither kept nor suppressed.
    tables.eraseAllBut(suppressionAfterErasure(previous, tables.suppression(), now));
    noteReaderCount(ctx.storage.sql, previous, null, now.getTime());
    notePublish(ctx.storage.sql, now.getTime(), true);
    return previous;
  });
  if (!record) return false;
  // An erasure answers with the mirror deleted: it waits out KV's second if it must.
  await ledger.sync.publish({ wait: true });
  await eraseKeysNaming({ kv: env.SUBSCRIBERS, outbox: env.OUTBOX, now }, record);
  console.log(JSON.stringify({ level: "info", event: "reader.erased", status: record.status }));
  return true;
}

/**
 * Deletes every KV key besides the mirror that names `record`'s reader: the legacy transient count,
 * the departure log entries (their keys are the departure times the ledger recorded, so no scan),
 * and the local outbox copies of their mail.
 */
export async function eraseKeysNaming(deps: ErasureKv, record: Subscriber): Promise<void> {
  const { kv, outbox, now } = deps;
  await kv.delete(softBounceKey(record.email));
  const oldest = now.getTime() - DEPARTURE_TTL_SECONDS * 1000;
  for (const event of record.history) {
    const atMs = Date.parse(event.at);
    if (DEPARTURE_EVENTS.has(event.event) && atMs >= oldest)
      await kv.delete(subscriberKeys.departure(new Date(atMs), record.email));
  }
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await outbox.list<OutboxKeyMetadata>({ prefix: outboxKeys.messages, cursor });
    const mine = page.keys.filter((key) => key.metadata?.to === record.email);
    const newest = Math.max(0, ...mine.map((key) => outboxKeys.createdAtOf(key.name)));
    const wait = newest + OUTBOX_DELETE_AFTER_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // One at a time: an invocation may hold at most 6 connections.
    for (const key of mine) await outbox.delete(key.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor && ++pages < MAX_OUTBOX_PAGES);
}
