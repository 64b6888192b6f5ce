// The DIGESTS namespace: compiled digests, the archive index, fan-out checkpoints, send progress, pins.
import { digestKeys, decodeChunkRanges, encodeChunkRanges } from "./digest-keys";
import {
  ChunkPin,
  Digest,
  DigestIndexMetadata,
  FanOutCheckpoint,
  ProgressMetadata,
} from "./digest-schema";

export type DigestStore = ReturnType<typeof createDigestStore>;

// Pins outlive every retry of a send (retries are minutes apart, at most a day with backoff).
const PIN_TTL_SECONDS = 3 * 24 * 60 * 60;
// A fan-out that has not finished in a week will not be resumed.
const CHECKPOINT_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Every key under a prefix with its metadata, one list call per 1,000 keys. */
async function listAll<M>(kv: KVNamespace, prefix: string) {
  const keys: KVNamespaceListKey<M>[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list<M>({ prefix, cursor });
    keys.push(...page.keys);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

export function createDigestStore(kv: KVNamespace) {
  return {
    async get(id: string): Promise<Digest | null> {
      const raw = await kv.get(digestKeys.digest(id), "json");
      return raw === null ? null : Digest.parse(raw);
    },

    /** Several digests with one bulk read (at most 100 ids). */
    async getMany(ids: string[]): Promise<Digest[]> {
      if (ids.length === 0) return [];
      const values = await kv.get<unknown>(ids.map(digestKeys.digest), "json");
      return ids.flatMap((id) => {
        const raw = values.get(digestKeys.digest(id));
        return raw == null ? [] : [Digest.parse(raw)];
      });
    },

    /** Writes the record and its archive index entry. Called once per digest (and on release). */
    async put(digest: Digest): Promise<void> {
      const metadata: DigestIndexMetadata = {
        id: digest.id,
        status: digest.status,
        heldReason: digest.heldReason,
        articleCount: digest.articleCount,
        subject: digest.subject,
        windowStart: digest.windowStart,
        cutoff: digest.cutoff,
      };
      await kv.put(digestKeys.digest(digest.id), JSON.stringify(digest));
      await kv.put(digestKeys.indexEntry(digest.id), "", { metadata });
    },

    /** One digest's index entry: what its status needs, without reading the (large) record. */
    async summary(id: string): Promise<DigestIndexMetadata | null> {
      const { metadata } = await kv.getWithMetadata(digestKeys.indexEntry(id));
      const parsed = DigestIndexMetadata.safeParse(metadata);
      return parsed.success ? parsed.data : null;
    },

    /** Archive entries, newest first, read from index metadata alone. */
    async index(
      limit: number,
      options: { before?: string; published?: boolean } = {},
    ): Promise<DigestIndexMetadata[]> {
      const entries: DigestIndexMetadata[] = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list<DigestIndexMetadata>({ prefix: digestKeys.index, cursor });
        for (const key of page.keys) {
          const parsed = DigestIndexMetadata.safeParse(key.metadata);
          if (!parsed.success) continue;
          if (options.before && parsed.data.id >= options.before) continue;
          if (options.published && parsed.data.status === "skipped") continue;
          entries.push(parsed.data);
          if (entries.length === limit) return entries;
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return entries;
    },

    async checkpoints(id: string): Promise<FanOutCheckpoint[]> {
      const keys = await listAll<FanOutCheckpoint>(kv, digestKeys.checkpoints(id));
      return keys.flatMap((key) => {
        const parsed = FanOutCheckpoint.safeParse(key.metadata);
        return parsed.success ? [parsed.data] : [];
      });
    },

    /** Each checkpoint is a new key (KV allows one write per second per key); the data is in metadata. */
    /**
     * A checkpoint that may be resumed from names one reader (its last address) and expires after a
     * week; the final one, which the status reads for good, names nobody.
     */
    async addCheckpoint(id: string, sequence: number, checkpoint: FanOutCheckpoint): Promise<void> {
      const metadata = checkpoint.done
        ? { ...checkpoint, pageCursor: null, lastEmail: null }
        : checkpoint;
      await kv.put(digestKeys.checkpoint(id, sequence), "", {
        metadata,
        ...(checkpoint.done ? {} : { expirationTtl: CHECKPOINT_TTL_SECONDS }),
      });
    },

    async progress(id: string): Promise<ProgressMetadata[]> {
      const keys = await listAll<ProgressMetadata>(kv, digestKeys.progress(id));
      return keys.flatMap((key) => {
        const parsed = ProgressMetadata.safeParse(key.metadata);
        return parsed.success ? [parsed.data] : [];
      });
    },

    /** Chunks that some invocation has already recorded (sent or failed). */
    async recordedChunks(id: string): Promise<Set<number>> {
      const records = await this.progress(id);
      return new Set(records.flatMap((record) => decodeChunkRanges(record.c)));
    },

    async addProgress(
      id: string,
      chunks: number[],
      counts: { sent: number; skipped: number; failed: number },
      now: Date,
    ): Promise<void> {
      if (chunks.length === 0) return;
      const metadata: ProgressMetadata = {
        s: counts.sent,
        k: counts.skipped,
        f: counts.failed,
        c: encodeChunkRanges(chunks),
        at: now.toISOString(),
      };
      const key = digestKeys.progressRecord(
        id,
        Math.min(...chunks),
        crypto.randomUUID().slice(0, 8),
      );
      await kv.put(key, "", { metadata });
    },

    async pin(id: string, chunk: number): Promise<ChunkPin | null> {
      const raw = await kv.get(digestKeys.pin(id, chunk), "json");
      return raw === null ? null : ChunkPin.parse(raw);
    },

    async putPin(id: string, chunk: number, pin: ChunkPin): Promise<void> {
      await kv.put(digestKeys.pin(id, chunk), JSON.stringify(pin), {
        expirationTtl: PIN_TTL_SECONDS,
      });
    },
  };
}
