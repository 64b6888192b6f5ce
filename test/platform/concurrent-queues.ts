// Concurrent queue consumers, as production runs them. Production hands a queue's batches to up to
// `max_concurrency` consumer invocations at once; Miniflare's broker hands each queue's consumer one
// batch at a time. The bench gives the send queue N local twins (SEND_QUEUE, SEND_QUEUE_1, ...,
// each with its own broker and the same consumer settings, bench/harness.mjs) and spreads every
// message over them in turn, so N consumer invocations run at once: each its own invocation with its
// own budget (limit-worker.ts), as in production, and each retried, delayed and dead-lettered by its
// broker as the real queue would. What is not modelled: production may run them in separate
// isolates; here they share one isolate's memory and one thread's CPU.

const TWIN = /^(.+)_(\d+)$/;

/** The bindings `binding`, `binding_1`, `binding_2`, ... present in `env`, in order. */
function twinsOf(env: Record<string, unknown>, binding: string): Queue[] {
  const numbered = Object.keys(env)
    .map((name) => TWIN.exec(name))
    .filter((match): match is RegExpExecArray => match?.[1] === binding)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((match) => env[match[0]] as Queue);
  return [env[binding] as Queue, ...numbered];
}

/** One queue that sends each message to the next twin in turn (sendBatch: one call per twin). */
function spreadOver(twins: Queue[]): Queue {
  let next = 0;
  const take = () => twins[next++ % twins.length]!;
  return {
    // The backlog of all twins: what one production queue would report.
    async metrics() {
      const all = await Promise.all(twins.map((twin) => twin.metrics()));
      return {
        backlogCount: all.reduce((sum, m) => sum + m.backlogCount, 0),
        backlogBytes: all.reduce((sum, m) => sum + m.backlogBytes, 0),
      };
    },
    send: (body, options) => take().send(body, options),
    async sendBatch(messages, options) {
      const groups = new Map<Queue, MessageSendRequest[]>();
      for (const message of messages) {
        const twin = take();
        groups.set(twin, [...(groups.get(twin) ?? []), message]);
      }
      const sent = await Promise.all(
        [...groups].map(([twin, group]) => twin.sendBatch(group, options)),
      );
      return sent.at(-1)!;
    },
  };
}

const spread = new WeakMap<object, object>();

/**
 * The env with `binding` spread over its twins; the same object for the same env (so the limits'
 * wrapper, which keeps one per env, is kept too). Without twins, the env as it is.
 */
export function spreadQueue<E extends object>(env: E, binding = "SEND_QUEUE"): E {
  const known = spread.get(env);
  if (known) return known as E;
  const twins = twinsOf(env as Record<string, unknown>, binding);
  const spreadEnv = twins.length > 1 ? { ...env, [binding]: spreadOver(twins) } : env;
  spread.set(env, spreadEnv);
  return spreadEnv;
}
