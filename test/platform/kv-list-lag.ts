// KV lists as production may answer them: up to 60 s behind the present. The local simulator lists
// every write at once. With `kvListLagMs` set, a list shows each key written within the lag as it
// was before: a key made since is missing, a key deleted since is still there, and a key rewritten
// since carries its old metadata. Reads by key are left as they are (this models lists only).
import { currentLimits } from "./platform-limits";

type Before = { metadata: unknown } | null;
type Write = { at: number; before: Before };
type ListKey = { name: string; expiration?: number; metadata?: unknown };
type ListPage = { keys: ListKey[]; list_complete: boolean; cursor?: string };

// A lagged page may hold a few more keys than `limit` (deleted keys shown again): no caller here
// relies on the exact count.
const MAX_CURSORS = 10_000;

// Per binding name, per isolate (kept on globalThis: the Worker and each Durable Object wrap their
// own env, and the module may load twice): the writes within the lag, by key, and the last key of
// each page answered, by its cursor (the next page starts after it).
type Memory = { writes: Map<string, Write[]>; pageEnds: Map<string, string> };
const KEY = Symbol.for("tidings.platform-limits.kv-lag");
const memories: Map<string, Memory> = ((globalThis as Record<symbol, unknown>)[KEY] ??=
  new Map()) as Map<string, Memory>;

/** `kv` with its writes remembered for the lag and its lists answered as of that long ago. */
export function lagKv(kv: KVNamespace, binding: string): KVNamespace {
  let memory = memories.get(binding);
  if (!memory) memories.set(binding, (memory = { writes: new Map(), pageEnds: new Map() }));
  const { writes, pageEnds } = memory;

  async function remember(key: string): Promise<void> {
    const lag = currentLimits().kvListLagMs;
    if (lag <= 0) return;
    const { value, metadata } = await kv.getWithMetadata(key, "stream");
    await value?.cancel();
    const before: Before = value === null ? null : { metadata };
    const list = writes.get(key) ?? [];
    list.push({ at: Date.now(), before });
    writes.set(key, list);
  }

  /** What a write since `asOf` hid: the state of `name` at that moment, or undefined if unchanged. */
  function stateAt(name: string, asOf: number): Before | undefined {
    const list = writes.get(name);
    if (!list) return undefined;
    while (list.length > 0 && list[0]!.at <= asOf) list.shift();
    if (list.length === 0) writes.delete(name);
    return list[0]?.before;
  }

  async function list(options: KVNamespaceListOptions = {}): Promise<ListPage> {
    const page = (await kv.list(options)) as ListPage;
    const lag = currentLimits().kvListLagMs;
    if (lag <= 0 || writes.size === 0) return page;
    const asOf = Date.now() - lag;
    const prefix = options.prefix ?? "";
    const after = options.cursor ? pageEnds.get(options.cursor) : "";
    const last = page.list_complete ? null : (page.keys.at(-1)?.name ?? null);
    if (!page.list_complete && page.cursor && last !== null) {
      if (pageEnds.size >= MAX_CURSORS) pageEnds.clear();
      pageEnds.set(page.cursor, last);
    }
    const keys = new Map(page.keys.map((key) => [key.name, key]));
    for (const name of [...writes.keys()]) {
      const before = stateAt(name, asOf);
      if (before === undefined || !name.startsWith(prefix)) continue;
      // A key deleted since is shown again on the page its name falls in (when that page is known).
      const onPage =
        keys.has(name) || (after !== undefined && name > after && (last === null || name <= last));
      if (!onPage) continue;
      if (before === null) keys.delete(name);
      else
        keys.set(name, {
          name,
          ...(before.metadata === null ? {} : { metadata: before.metadata }),
        });
    }
    const sorted = [...keys.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    return { ...page, keys: sorted };
  }

  return new Proxy(kv, {
    get(target, property) {
      if (property === "list") return list;
      if (property === "put" || property === "delete") {
        const write = Reflect.get(target, property) as (...args: unknown[]) => Promise<void>;
        return async (key: string, ...rest: unknown[]) => {
          await remember(key);
          return write.call(target, key, ...rest);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
