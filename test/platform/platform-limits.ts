// The limits production enforces and the local simulator does not: each invocation's budget (KV
// operations, subrequests, open connections), carried by AsyncLocalStorage, KV's one write a second
// per key, SQLite's 2 MB per value and row (sqlite-limits.ts), KV's stale lists when asked for
// (kv-list-lag.ts), and the report.
import { AsyncLocalStorage } from "node:async_hooks";
import "./limit-fetch";

/** What one invocation may use. Defaults are the platform's numbers (../shared/PLATFORM.md). */
export type PlatformLimits = {
  kvOps: number;
  subrequests: number;
  connections: number;
  /** At the 7th connection: "fail" it (what the issue asks), or "queue" it as production does. */
  overConnections: "fail" | "queue";
  /** KV refuses a second write (put or delete) to one key within this (0: never). */
  kvKeyWriteIntervalMs: number;
  /** How far behind the present KV lists answer (0: at once, as the local simulator does). */
  kvListLagMs: number;
  /** The largest string, blob or row a Durable Object's SQLite takes, in bytes. */
  sqliteMaxBytes: number;
};

// KV: 1,000 operations an invocation (a bulk get of <= 100 keys is one). Subrequests: the Free plan's
// 1,000 calls to Cloudflare services, the safer number (Paid defaults to 10,000); the KV limits page
// counts KV operations among them. Connections: 6 waiting for an answer at once (fetch, KV, Queues,
// DO calls). Production queues a 7th until one answers (changelog 2026-04-09); failing it instead
// makes unbounded fan-outs (Promise.all over a list) visible at any size, not only where they time out.
// KV: one write a second to the same key, else 429. Lists may be up to 60 s stale in production;
// the default is the simulator's (none), and tests about staleness set it. SQLite in a Durable
// Object: a string, blob or row of at most 2 MB (workerd itself refuses only past about 2.2 MB).
export const DEFAULT_LIMITS: PlatformLimits = {
  kvOps: 1000,
  subrequests: 1000,
  connections: 6,
  overConnections: "fail",
  kvKeyWriteIntervalMs: 1000,
  kvListLagMs: 0,
  sqliteMaxBytes: 2_000_000,
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
  /** When each KV key (`binding key`) was last written, across invocations. */
  keyWrites: Map<string, number>;
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
    keyWrites: new Map(),
  } satisfies State);
// A state made by an older copy of this module (a watch-mode reload) lacks the newer fields.
state.keyWrites ??= new Map();
state.limits = { ...DEFAULT_LIMITS, ...state.limits };

export function configureLimits(limits: Partial<PlatformLimits>): PlatformLimits {
  state.limits = { ...state.limits, ...limits };
  state.usage.limits = { ...state.limits };
  return state.limits;
}

/** The limits in force (the KV and SQLite wrappers read theirs here). */
export const currentLimits = (): Readonly<PlatformLimits> => state.limits;

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

/** Records a crossed limit (kept even if the Worker catches the error) and answers the error. */
export function violation(text: string): Error {
  const invocation = state.storage.getStore()?.label ?? "outside an invocation";
  const message = `platform limit: ${text} in ${invocation}`;
  // Code that keeps calling past a limit fails every call: keep the first few, count the rest.
  if (++state.usage.violationCount <= MAX_KEPT_VIOLATIONS)
    state.usage.violations.push({ invocation, message });
  return new Error(message);
}

function raise(what: string, limit: number, call: string): Promise<never> {
  return Promise.reject(violation(`${what} in one invocation (limit ${limit}): ${call}`));
}

const KV_WRITES = new Set(["put", "delete"]);

/** KV's one write a second per key: production answers a second write within it with a 429. */
function keyWriteRefused(call: OutgoingCall, name: string): Promise<never> | null {
  const interval = state.limits.kvKeyWriteIntervalMs;
  if (call.kind !== "kv" || !KV_WRITES.has(call.method) || interval <= 0) return null;
  const key = `${call.target} ${String(call.args[0])}`;
  const now = Date.now();
  const last = state.keyWrites.get(key);
  if (last !== undefined && now - last < interval)
    return Promise.reject(
      violation(
        `2 writes to one KV key within ${now - last} ms (limit 1 a second): ${name} ${String(call.args[0])}`,
      ),
    );
  if (state.keyWrites.size >= 10_000) {
    for (const [written, at] of state.keyWrites)
      if (now - at >= interval) state.keyWrites.delete(written);
  }
  state.keyWrites.set(key, now);
  return null;
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
      return raise(`${budget.kvOps} KV operations`, limits.kvOps, name);
  }
  if (budget.subrequests > limits.subrequests)
    return raise(`${budget.subrequests} subrequests`, limits.subrequests, name);
  if (
    budget.open + budget.waiting.length >= limits.connections &&
    limits.overConnections === "fail"
  )
    return raise(`${budget.open + 1} simultaneous connections`, limits.connections, name);
  try {
    state.faultHook?.(call);
  } catch (error) {
    return Promise.reject(error);
  }
  const refused = keyWriteRefused(call, name);
  if (refused) return refused;
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
