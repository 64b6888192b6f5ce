// The local outbox adapter: with no RESEND_API_KEY, mail is kept in KV for a person to read.
import { z } from "zod";
import type { Mailer, OutgoingEmail, SendResult } from "./mailer";
import { outboxKeys, type OutboxKeyMetadata } from "./outbox-keys";

// Like Resend, an idempotency key is remembered for 24 hours.
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
// A local outbox is for reading, not for keeping: messages expire after 30 days.
const MESSAGE_TTL_SECONDS = 30 * 24 * 60 * 60;

export const OutboxMessage = z.object({
  id: z.string(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  headers: z.record(z.string(), z.string()),
  tags: z.array(z.object({ name: z.string(), value: z.string() })),
  createdAt: z.string(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

async function hashKey(key: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(hash).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

export function createOutboxMailer(kv: KVNamespace, now: () => Date = () => new Date()): Mailer {
  async function store(emails: OutgoingEmail[], idempotencyKey: string): Promise<SendResult> {
    const idempotencyKvKey = outboxKeys.idempotency(await hashKey(idempotencyKey));
    const earlier = await kv.get<string[]>(idempotencyKvKey, "json");
    if (earlier) return { ok: true, ids: earlier };
    const createdAt = now();
    const messages: OutboxMessage[] = emails.map((email) => ({
      id: crypto.randomUUID(),
      to: email.to,
      from: email.from,
      subject: email.subject,
      html: email.html,
      text: email.text,
      headers: email.headers ?? {},
      tags: email.tags ?? [],
      createdAt: createdAt.toISOString(),
    }));
    // One put at a time: an invocation holds at most 6 connections, and a queue consumer already
    // has several chunks in flight. (One KV write per message: the outbox is for local use.)
    for (const [sequence, message] of messages.entries()) {
      const metadata: OutboxKeyMetadata = { to: message.to };
      await kv.put(
        outboxKeys.message(createdAt.getTime(), sequence, message.id),
        JSON.stringify(message),
        { metadata, expirationTtl: MESSAGE_TTL_SECONDS },
      );
    }
    const ids = messages.map((message) => message.id);
    await kv.put(idempotencyKvKey, JSON.stringify(ids), { expirationTtl: IDEMPOTENCY_TTL_SECONDS });
    for (const message of messages) {
      // One line per message; the address is masked, as in every log line.
      console.log(
        JSON.stringify({
          level: "info",
          event: "outbox.stored",
          id: message.id,
          to: maskAddress(message.to),
          subject: message.subject,
        }),
      );
    }
    return { ok: true, ids };
  }

  return {
    kind: "outbox",
    send: (email, idempotencyKey) => store([email], idempotencyKey),
    sendBatch: (emails, idempotencyKey) => store(emails, idempotencyKey),
  };
}

/** `ada@example.com` → `a***@example.com`: enough to follow a log, not enough to harvest. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf("@");
  return at <= 0 ? "***" : `${address[0]}***${address.slice(at)}`;
}

/** Newest first; `to` filters by recipient (case-insensitive). */
export async function listOutbox(
  kv: KVNamespace,
  options: { to?: string; limit: number },
): Promise<OutboxMessage[]> {
  return (await listOutboxEntries(kv, options)).map((entry) => entry.message);
}

/** A message's reference in page links: its key without the prefix (time, sequence, id). */
export const OUTBOX_REF = /^\d{13}:\d{3}:[0-9a-f-]{36}$/;

export async function readOutboxMessage(
  kv: KVNamespace,
  ref: string,
): Promise<OutboxMessage | null> {
  if (!OUTBOX_REF.test(ref)) return null;
  const parsed = OutboxMessage.safeParse(await kv.get(outboxKeys.messages + ref, "json"));
  return parsed.success ? parsed.data : null;
}

/** Like listOutbox, with each message's reference for the outbox page's links. */
export async function listOutboxEntries(
  kv: KVNamespace,
  options: { to?: string; limit: number },
): Promise<{ ref: string; message: OutboxMessage }[]> {
  const wanted = options.to?.toLowerCase();
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list<OutboxKeyMetadata>({ prefix: outboxKeys.messages, cursor });
    for (const key of page.keys) {
      if (wanted && key.metadata?.to.toLowerCase() !== wanted) continue;
      keys.push(key.name);
      if (keys.length === options.limit) break;
    }
    cursor = page.list_complete || keys.length === options.limit ? undefined : page.cursor;
  } while (cursor);
  if (keys.length === 0) return [];
  const values = await kv.get<unknown>(keys, "json");
  return keys.flatMap((key) => {
    const parsed = OutboxMessage.safeParse(values.get(key));
    return parsed.success
      ? [{ ref: key.slice(outboxKeys.messages.length), message: parsed.data }]
      : [];
  });
}
