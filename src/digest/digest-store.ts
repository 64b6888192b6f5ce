// The DIGESTS namespace: compiled digests and the archive index. The send lives in its owner
// (EditionSend), not in KV.
import { digestKeys } from "./digest-keys";
import { Digest, DigestIndexMetadata } from "./digest-schema";

export type DigestStore = ReturnType<typeof createDigestStore>;

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
  };
}
