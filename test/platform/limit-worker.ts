// Runs the real Worker under the platform's per-invocation limits: each fetch, scheduled run and queue
// batch, and each Durable Object RPC call, fetch and alarm, gets a fresh budget and a counted env.
import { DurableObject } from "cloudflare:workers";
import { limitEnv } from "./limit-bindings";
import { runInvocation } from "./platform-limits";
import { limitSqlStorage } from "./sqlite-limits";

type Handler<E> = ExportedHandler<E, any>;

/** The Worker's handlers, each call one invocation; `inTotals` leaves a fetch out of the totals. */
export function limitWorker<E extends object>(
  worker: Handler<E>,
  options: { inTotals?: (request: Request) => boolean } = {},
): Handler<E> {
  const limited: Handler<E> = {};
  const { fetch, scheduled, queue } = worker;
  if (fetch) {
    limited.fetch = (request, env, ctx) =>
      runInvocation(
        `fetch ${request.method} ${new URL(request.url).pathname}`,
        () => fetch.call(worker, request, limitEnv(env), ctx),
        { inTotals: options.inTotals?.(request) ?? true },
      );
  }
  if (scheduled) {
    limited.scheduled = (controller, env, ctx) =>
      runInvocation(`scheduled ${controller.cron}`, () =>
        scheduled.call(worker, controller, limitEnv(env), ctx),
      );
  }
  if (queue) {
    limited.queue = (batch, env, ctx) =>
      runInvocation(`queue ${batch.queue} (${batch.messages.length} messages)`, () =>
        queue.call(worker, batch, limitEnv(env), ctx),
      );
  }
  return limited;
}

// A mixin base must take `...args: any[]`; the runtime passes (ctx, env).
type DurableObjectClass = new (...args: any[]) => DurableObject<any>;

/**
 * Every method from the class up to (not including) DurableObject: RPC methods and the handlers the
 * class defines (fetch, alarm). A handler the class lacks is not added: the runtime checks for it.
 */
function methodNames(base: DurableObjectClass): Set<string> {
  const names = new Set<string>();
  for (
    let proto = base.prototype as object | null;
    proto && proto !== DurableObject.prototype && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== "constructor" && typeof descriptor?.value === "function") names.add(name);
    }
  }
  return names;
}

/**
 * A subclass of `base` with the same name whose env is counted, whose SQLite is held to its size
 * limit, and whose methods each run as one invocation. A method the object calls on itself (`this.hash()`) stays in the caller's budget.
 * Generic on purpose: methods added to the class later are covered without a change here.
 */
export function limitDurableObject<C extends DurableObjectClass>(base: C): C {
  const Limited = class extends base {
    constructor(...args: any[]) {
      limitSqlStorage((args[0] as DurableObjectState).storage.sql);
      super(args[0], limitEnv(args[1] as object));
    }
  };
  for (const name of methodNames(base)) {
    const original = (base.prototype as Record<string, unknown>)[name] as (
      ...args: unknown[]
    ) => unknown;
    Object.defineProperty(Limited.prototype, name, {
      value: function (this: object, ...args: unknown[]) {
        return runInvocation(`${base.name}.${name}`, () => original.apply(this, args), {
          owner: this,
        });
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(Limited, "name", { value: base.name });
  return Limited;
}
