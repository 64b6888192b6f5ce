// An ArticleUrl's writes of article records, at most one a second per record: KV takes one write a
// second to a key and answers a second one with 429. A write that would come sooner waits out the
// rest of the second, and the writes that wait together become one, of the latest version (each
// caller is answered once it is stored). Until a version is stored, `unstored` answers it, so the
// object's next read-merge-write builds on it rather than on the older record in KV.
import type { ArticleRecords } from "./article-records";
import type { Article } from "./article-schema";

const KV_KEY_WRITE_SPACING_MS = 1000;
// A record's updatedAt is stamped a little before its write reaches KV: a write this object did not
// make (before a move, or before the object restarted) is counted from it plus this margin. 250 ms
// was not always enough: on a busy machine another object's put came 251 ms after its stamp, and
// the move's write followed it within 999 ms (a CI run of test/articles/article-url.test.ts). A
// whole second more costs only a move made within two seconds of the article's last change.
const STAMP_MARGIN_MS = 1000;
const MAX_REMEMBERED = 1000;

/** A version to store: the article, or its deletion. */
type Version = { article: Article; deleted: boolean };
type Waiting = { version: Version; done: Promise<void> };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createArticleWrites(records: ArticleRecords) {
  // When each record's last write started: writes start a second apart at least.
  const lastAt = new Map<string, number>();
  const waiting = new Map<string, Waiting>();
  // The write KV has not answered yet, and its version, by article id.
  const storing = new Map<string, { version: Version; done: Promise<void> }>();

  function store(id: string, version: Version): Promise<void> {
    if (lastAt.size >= MAX_REMEMBERED) lastAt.clear();
    lastAt.set(id, Date.now());
    const done = version.deleted ? records.delete(version.article) : records.put(version.article);
    const flight = { version, done };
    storing.set(id, flight);
    const landed = () => {
      if (storing.get(id) === flight) storing.delete(id);
    };
    done.then(landed, landed);
    return done;
  }

  return {
    /** The version of article `id` not yet in KV: null if it is being deleted, undefined if none. */
    unstored(id: string): Article | null | undefined {
      const version = waiting.get(id)?.version ?? storing.get(id)?.version;
      return version && (version.deleted ? null : version.article);
    },

    /**
     * Stores `article` (or deletes it), starting no sooner than a second after its record's last
     * write started; `previous` is the record as read, whose updatedAt bounds a write made elsewhere.
     */
    write(article: Article, previous: Article | null, deleted = false): Promise<void> {
      const { id } = article;
      const version = { article, deleted };
      const queued = waiting.get(id);
      if (queued) {
        queued.version = version;
        return queued.done;
      }
      const stamped = previous ? Date.parse(previous.updatedAt) + STAMP_MARGIN_MS : 0;
      const wait = (lastAt.get(id) ?? stamped) + KV_KEY_WRITE_SPACING_MS - Date.now();
      const before = storing.get(id)?.done.catch(() => undefined);
      if (wait <= 0 && !before) return store(id, version);
      // After the write in flight, so two writes of one record never race each other to KV.
      const entry: Waiting = {
        version,
        done: Promise.all([sleep(Math.max(wait, 0)), before]).then(() => {
          waiting.delete(id);
          return store(id, entry.version);
        }),
      };
      waiting.set(id, entry);
      return entry.done;
    },
  };
}
export type ArticleWrites = ReturnType<typeof createArticleWrites>;
