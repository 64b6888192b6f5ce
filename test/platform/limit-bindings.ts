// Wraps a Worker's env so its KV namespaces, Queue producers and Durable Object stubs count against
// the current invocation's budget (platform-limits.ts), and KV lists lag when asked to
// (kv-list-lag.ts). Vars and other bindings pass through.
import { lagKv } from "./kv-list-lag";
import { limitedCall, type OutgoingCall } from "./platform-limits";

type AnyObject = Record<PropertyKey, unknown>;

const KV_METHODS = new Set(["get", "getWithMetadata", "put", "delete", "list"]);
const QUEUE_METHODS = new Set(["send", "sendBatch"]);
// Members of a stub that do not reach the object (`then` keeps a stub from looking like a promise).
const STUB_LOCAL = new Set(["id", "name", "then", "dup", "constructor", "toJSON", "toString"]);

const hasMethods = (value: AnyObject, names: string[]) =>
  names.every((name) => typeof value[name] === "function");

// Bindings are told apart by shape. A service binding or RPC stub answers every name with a
// function, so anything with `fetch` is left alone: none of the three kinds below has one.
function kindOf(value: unknown): "kv" | "queue" | "namespace" | null {
  if (typeof value !== "object" || value === null) return null;
  const object = value as AnyObject;
  if (typeof object.fetch === "function") return null;
  if (hasMethods(object, ["getWithMetadata", "list", "put", "delete"])) return "kv";
  if (hasMethods(object, ["send", "sendBatch"])) return "queue";
  if (hasMethods(object, ["idFromName", "get"])) return "namespace";
  return null;
}

/** A proxy whose `counted` methods go through limitedCall; other functions stay bound to the target. */
function countingProxy<T extends object>(
  target: T,
  kind: OutgoingCall["kind"],
  name: string,
  counted: (property: string) => boolean,
  wrapResult: (property: string, result: unknown) => unknown = (_, result) => result,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (typeof value !== "function") return value;
      if (typeof property === "symbol" || !counted(property)) {
        return (...args: unknown[]) =>
          wrapResult(String(property), Reflect.apply(value, object, args));
      }
      return (...args: unknown[]) =>
        limitedCall({ kind, target: name, method: property, args }, () =>
          Reflect.apply(value, object, args),
        );
    },
  });
}

/** A stub whose every call (RPC method or fetch) is a subrequest of the calling invocation. */
function limitStub(stub: DurableObjectStub, binding: string): DurableObjectStub {
  return countingProxy(stub, "durable-object", binding, (property) => !STUB_LOCAL.has(property));
}

function limitNamespace(
  namespace: DurableObjectNamespace,
  binding: string,
): DurableObjectNamespace {
  return countingProxy(
    namespace,
    "durable-object",
    binding,
    () => false,
    (property, result) => {
      if (property === "get" || property === "getByName")
        return limitStub(result as DurableObjectStub, binding);
      if (property === "jurisdiction")
        return limitNamespace(result as DurableObjectNamespace, binding);
      return result;
    },
  );
}

const wrapped = new WeakMap<object, object>();

/** The env with its KV, Queue and Durable Object bindings counted; the same wrapper for the same env. */
export function limitEnv<E extends object>(env: E): E {
  const cached = wrapped.get(env);
  if (cached) return cached as E;
  const limited: AnyObject = { ...(env as AnyObject) };
  for (const [name, value] of Object.entries(env)) {
    const kind = kindOf(value);
    if (kind === "kv")
      limited[name] = countingProxy(lagKv(value as KVNamespace, name), "kv", name, (m) =>
        KV_METHODS.has(m),
      );
    else if (kind === "queue")
      limited[name] = countingProxy(value as Queue, "queue", name, (m) => QUEUE_METHODS.has(m));
    else if (kind === "namespace")
      limited[name] = limitNamespace(value as DurableObjectNamespace, name);
  }
  wrapped.set(env, limited);
  return limited as E;
}

/** Names of the bindings limitEnv counts, by kind (for the harness's own test). */
export function countedBindings(env: object): Record<string, string> {
  const kinds: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const kind = kindOf(value);
    if (kind) kinds[name] = kind;
  }
  return kinds;
}
