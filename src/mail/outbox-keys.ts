// Every OUTBOX key is built here. See docs/storage.md.

const MAX_MS = 9_999_999_999_999;

export const outboxKeys = {
  messages: "v1:outbox:msg:",
  /** Newest first in KV's byte order; the sequence keeps one batch's messages in order. */
  message: (createdAtMs: number, sequence: number, id: string) =>
    `v1:outbox:msg:${String(MAX_MS - createdAtMs).padStart(13, "0")}:${String(999 - sequence).padStart(3, "0")}:${id}`,
  idempotency: (keyHash: string) => `v1:outbox:idem:${keyHash}`,
  /** When a message key was written (its batch's time), from the key itself. */
  createdAtOf: (key: string) => MAX_MS - Number(key.slice("v1:outbox:msg:".length).split(":")[0]),
};

/** Metadata on each message key, so `?to=` filters without reading every message. */
export type OutboxKeyMetadata = { to: string };
