// The per-invocation limits production enforces and the local simulator does not: each invocation's
// budget (KV operations, subrequests, open connections), carried by AsyncLocalStorage, and its report.
import { AsyncLocalStorage } from "node:async_hooks";

/** What one invocation may use. Defaults are the platform's numbers (../shared/PLATFORM.md). */
export type PlatformLimits = {
  kvOps: number;
  subrequests: number;
  connections: number;
  /** At the 7th connection: "fail" it (what the issue asks), or "queue" it as production does. */
  overConnections: "fail" | "queue";
};

// KV: 1,000 operations an invocation (a bulk get of <= 100 keys is one). Subrequests: the Free plan's
// 1,000 calls to Cloudflare services, the safer number (Paid defaults to 10,000); the KV limits page
// counts KV operations among them. Connections: 6 waiting for an answer at once (fetch, KV, Queues,
// DO calls). Production queues a 7th until one answers (changelog 2026-04-09); failing it instead
// makes unbounded fan-outs (Promise.all over a list) visible at any size, not only where they time out.
export const DEFAULT_LIMITS: PlatformLimits = {
  kvOps: 1000,
  subrequests: 1000,
  connections: 6,
  overConnections: "fail",
};

/** One outgoing call, as the fault hook and the totals see it. */
export type OutgoingCall = {
  kind: "kv" | "queue" | "durable-object" | "fetch";
  /** The binding (`SUBSCRIBERS`), or the host for fetch. */
  target: string;
  /** The method (`put`, `sendBatch`, an RPC method name, `fetch`). */
  method: string;
  args: readonly unknown[];
};

export type Violation = { invocation: string; message: string };
export type Peak = { count: number; invocation: string };
export type PlatformUsage = {
  limits: PlatformLimits;
  invocations: number;
  mostKvOps: Peak;
  mostSubrequests: Peak;
  mostConnections: Peak;
  /** The first MAX_KEPT_VIOLATIONS violations; `violationCount` counts them all. */
  violations: Violation[];
  violationCount: number;
  /** Calls per `target.method` and per kind, over every invocation that counts toward totals. */
  totals: Record<string, number>;
  totalsByKind: Record<OutgoingCall["kind"], number>;
};

type Budget = {
  label: string;
  /** The Durable Object instance whose method opened this budget: its own calls to itself reuse it. */
  owner: object | null;
  inTotals: boolean;
  kvOps: number;
  subrequests: number;
  open: number;
  /** Calls queued for a connection (overConnections "queue"), first in first out. */
  waiting: (() => void)[];
};

type State = {
  storage: AsyncLocalStorage<Budget>;
  limits: PlatformLimits;
  usage: PlatformUsage;
  faultHook: ((call: OutgoingCall) => void) | null;
};

const emptyUsage = (limits: PlatformLimits): PlatformUsage => ({
  limits: { ...limits },
  invocations: 0,
  mostKvOps: { count: 0, invocation: "" },
  mostSubrequests: { count: 0, invocation: "" },
  mostConnections: { count: 0, invocation: "" },
  violations: [],
  violationCount: 0,
  totals: {},
  totalsByKind: { kv: 0, queue: 0, "durable-object": 0, fetch: 0 },
});

// One state per isolate, kept on globalThis: the test runner and the Worker may load this module
// through different module graphs, and both must see the same budgets and the same wrapped fetch.
const KEY = Symbol.for("tidings.platform-limits");
const state: State =
  ((globalThis as Record<symbol, unknown>)[KEY] as State | undefined) ??
  ((globalThis as Record<symbol, unknown>)[KEY] = {
    storage: new AsyncLocalStorage<Budget>(),
    limits: { ...DEFAULT_LIMITS },
    usage: emptyUsage(DEFAULT_LIMITS),
    faultHook: null,
  } satisfies State);

export function configureLimits(limits: Partial<PlatformLimits>): PlatformLimits {
  state.limits = { ...state.limits, ...limits };
  state.usage.limits = { ...state.limits };
  return state.limits;
}

/** The maxima and violations since the last reset. */
export function platformUsage(): PlatformUsage {
  return structuredClone(state.usage);
}

export function resetPlatformUsage(): void {
  state.usage = emptyUsage(state.limits);
}

/** Called before every outgoing call inside an invocation; a throw fails that call (bench crashes). */
export function setFaultHook(hook: ((call: OutgoingCall) => void) | null): void {
  state.faultHook = hook;
}

/** Runs `work` as one invocation with a fresh budget (unless `owner` already holds the current one). */
export function runInvocation<T>(
  label: string,
  work: () => T,
  options: { owner?: object; inTotals?: boolean } = {},
): T {
  const current = state.storage.getStore();
  if (options.owner && current?.owner === options.owner) return work();
  state.usage.invocations++;
  const budget: Budget = {
    label,
    owner: options.owner ?? null,
    inTotals: options.inTotals ?? true,
    kvOps: 0,
    subrequests: 0,
    open: 0,
    waiting: [],
  };
  return state.storage.run(budget, work);
}

/** True inside an invocation: outside one (test setup, bench seeding) nothing is counted. */
export const inInvocation = () => state.storage.getStore() !== undefined;

const MAX_KEPT_VIOLATIONS = 50;

function raise(budget: Budget, what: string, limit: number, call: string): Promise<never> {
  const text = `platform limit: ${what} in one invocation (limit ${limit}): ${call} in ${budget.label}`;
  // Code that keeps calling past a limit fails every call: keep the first few, count the rest.
  if (++state.usage.violationCount <= MAX_KEPT_VIOLATIONS)
    state.usage.violations.push({ invocation: budget.label, message: text });
  return Promise.reject(new Error(text));
}

function peak(record: Peak, count: number, budget: Budget) {
  if (count > record.count) Object.assign(record, { count, invocation: budget.label });
}

/**
 * Counts `call` against the current invocation's budget and runs it. The call that crosses a limit,
 * and every later one, rejects with the reason, as production fails it. A queued call (overConnections
 * "queue") answers a plain promise: RPC pipelining on it is lost, which no caller here relies on.
 */
export function limitedCall<T>(call: OutgoingCall, run: () => Promise<T>): Promise<T> {
  const budget = state.storage.getStore();
  if (!budget) return run();
  const { limits, usage } = state;
  const name = `${call.target}.${call.method}`;
  if (budget.inTotals) {
    usage.totals[name] = (usage.totals[name] ?? 0) + 1;
    usage.totalsByKind[call.kind]++;
  }
  budget.subrequests++;
  peak(usage.mostSubrequests, budget.subrequests, budget);
  if (call.kind === "kv") {
    budget.kvOps++;
    peak(usage.mostKvOps, budget.kvOps, budget);
    if (budget.kvOps > limits.kvOps)
      return raise(budget, `${budget.kvOps} KV operations`, limits.kvOps, name);
  }
  if (budget.subrequests > limits.subrequests)
    return raise(budget, `${budget.subrequests} subrequests`, limits.subrequests, name);
  if (
    budget.open + budget.waiting.length >= limits.connections &&
    limits.overConnections === "fail"
  )
    return raise(budget, `${budget.open + 1} simultaneous connections`, limits.connections, name);
  try {
    state.faultHook?.(call);
  } catch (error) {
    return Promise.reject(error);
  }
  // The peak counts calls that wanted a connection at once, queued ones included.
  peak(usage.mostConnections, budget.open + budget.waiting.length + 1, budget);
  if (budget.open >= limits.connections)
    return new Promise<void>((resolve) => budget.waiting.push(resolve)).then(() =>
      start(budget, run),
    );
  return start(budget, run);
}

/** Holds a connection from the call until its answer (for fetch: the response headers). */
function start<T>(budget: Budget, run: () => Promise<T>): Promise<T> {
  budget.open++;
  const close = () => {
    budget.open--;
    budget.waiting.shift()?.();
  };
  let result: Promise<T>;
  try {
    result = run();
  } catch (error) {
    close();
    return Promise.reject(error);
  }
  // A side chain that never rejects: the caller keeps the original promise (RPC pipelining works).
  Promise.resolve(result).then(close, close);
  return result;
}

// fetch() is a subrequest and holds a connection until its response arrives. Wrapped once per
// isolate, when this module loads: import it before the Worker so no module captures the original.
const FETCH_KEY = Symbol.for("tidings.platform-limits.fetch");
if (!(globalThis as Record<symbol, unknown>)[FETCH_KEY]) {
  const original = globalThis.fetch;
  const limitedFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    let host = "fetch";
    try {
      host = new URL(url).host;
    } catch {
      // A relative or malformed URL: fetch itself will say so.
    }
    return limitedCall({ kind: "fetch", target: host, method: "fetch", args: [url] }, () =>
      original(input, init),
    );
  };
  globalThis.fetch = limitedFetch;
  (globalThis as Record<symbol, unknown>)[FETCH_KEY] = original;
}
