// Concurrent queue consumers, as production runs them. Production's one queue hands each free
// consumer invocation (up to `max_concurrency` at once) a batch of up to `max_batch_size` of the
// messages waiting; Miniflare's broker hands each queue's consumer one batch at a time. The bench
// gives the send queue N local twins (SEND_QUEUE, SEND_QUEUE_1, ..., each with its own broker and
// the same consumer settings, bench/harness.mjs), so N consumer invocations run at once: each its
// own invocation with its own budget (limit-worker.ts), as in production, and each retried, delayed
// and dead-lettered by its broker as the real queue would.
//
// One backlog, as production's one queue: a message sent waits here until a twin is free (no
// invocation running and nothing handed to it that it has not yet delivered), and a free twin is
// handed up to a batch at once, as a free consumer is. Before, each message was pinned to the next
// twin in turn when it was sent: a message could wait behind a busy twin while others sat idle
// (part-full first batches, a tail at the end), which production's one queue never does. A message
// sent with a delay (a job handed back after a 429, a retry) goes to a twin at once and waits out
// its delay in that twin's broker. What is not modelled: production may run invocations in separate
// isolates; here they share one isolate's memory and one thread's CPU. The backlog lives in that
// isolate's memory, which the harness never restarts during a run.

const TWIN = /^(.+)_(\d+)$/;

// Each binding's twins' names, found once per isolate and shape of env (an isolate's envs have the
// same bindings): each consumer invocation asks, and matching every binding's name each time was a
// share of the bench's own CPU, which workerd's CPU figure carries.
const twinNames = new Map<string, string[]>();

/** The bindings `binding`, `binding_1`, `binding_2`, ... present in `env`, in order. */
function twinsOf(env: Record<string, unknown>, binding: string): Queue[] {
  const key = `${binding}|${Object.keys(env).length}`;
  let names = twinNames.get(key);
  if (!names || !names.every((name) => name in env)) {
    const numbered = Object.keys(env)
      .map((name) => TWIN.exec(name))
      .filter((match): match is RegExpExecArray => match?.[1] === binding)
      .sort((a, b) => Number(a[2]) - Number(b[2]))
      .map((match) => match[0]);
    twinNames.set(key, (names = [binding, ...numbered]));
  }
  return names.map((name) => env[name] as Queue);
}

type Waiting = MessageSendRequest<unknown>;

/** The one backlog and what each twin (by its place in twinsOf) holds. One per isolate. */
const backlog = {
  waiting: [] as Waiting[],
  handed: [] as number[],
  running: [] as number[],
  next: 0,
};

/** Free twins are handed a batch each from the backlog, in turn. */
async function handOut(twins: Queue[], batchSize: number): Promise<void> {
  const sends: Promise<unknown>[] = [];
  const first = backlog.next;
  for (let k = 0; k < twins.length && backlog.waiting.length > 0; k++) {
    const i = (first + k) % twins.length;
    if ((backlog.running[i] ?? 0) > 0 || (backlog.handed[i] ?? 0) > 0) continue;
    const batch = backlog.waiting.splice(0, batchSize);
    backlog.handed[i] = batch.length;
    backlog.next = i + 1;
    sends.push(
      twins[i]!.sendBatch(batch).catch((error: unknown) => {
        // Not handed after all: back to the front of the backlog, and the caller hears of it.
        backlog.handed[i] = 0;
        backlog.waiting.unshift(...batch);
        throw error;
      }),
    );
  }
  await Promise.all(sends);
}

/** The twin that holds the least, for a message that must wait out a delay in a broker. */
function leastHeld(count: number): number {
  const first = backlog.next;
  let best = first % count;
  const held = (i: number) => (backlog.running[i] ?? 0) + (backlog.handed[i] ?? 0);
  for (let k = 0; k < count; k++) {
    const i = (first + k) % count;
    if (held(i) < held(best)) best = i;
  }
  backlog.next = best + 1;
  return best;
}

/** One queue over the twins: sends join the one backlog; free twins are handed batches. */
function spreadOver(twins: Queue[], batchSize: number): Queue {
  const response = (): QueueSendBatchResponse => ({
    metadata: {
      metrics: { backlogCount: backlog.waiting.length, backlogBytes: 0 },
    },
  });
  const queue: Queue = {
    // The backlog of all twins and the one backlog: what one production queue would report.
    async metrics() {
      const all = await Promise.all(twins.map((twin) => twin.metrics()));
      return {
        backlogCount: all.reduce((sum, m) => sum + m.backlogCount, backlog.waiting.length),
        backlogBytes: all.reduce((sum, m) => sum + m.backlogBytes, 0),
      };
    },
    async send(body, options) {
      await queue.sendBatch([{ body, ...options }]);
      return response();
    },
    async sendBatch(messages, options) {
      const now: Waiting[] = [];
      for (const message of messages) {
        const delay = message.delaySeconds ?? options?.delaySeconds ?? 0;
        if (delay > 0) await twins[leastHeld(twins.length)]!.sendBatch([message], options);
        else now.push(message);
      }
      backlog.waiting.push(...now);
      await handOut(twins, batchSize);
      return response();
    },
  };
  return queue;
}

const spread = new WeakMap<object, object>();
const batchSizeOf = (env: object) =>
  Number((env as { BENCH_SEND_BATCH?: string }).BENCH_SEND_BATCH ?? 10) || 10;

/**
 * The env with `binding` spread over its twins; the same object for the same env (so the limits'
 * wrapper, which keeps one per env, is kept too). Without twins, the env as it is.
 * BENCH_SEND_BATCH (the harness sets it): the consumer's max_batch_size.
 */
export function spreadQueue<E extends object>(env: E, binding = "SEND_QUEUE"): E {
  const known = spread.get(env);
  if (known) return known as E;
  const twins = twinsOf(env as Record<string, unknown>, binding);
  const spreadEnv =
    twins.length > 1 ? { ...env, [binding]: spreadOver(twins, batchSizeOf(env)) } : env;
  spread.set(env, spreadEnv);
  return spreadEnv;
}

/**
 * One consumer invocation of twin `queue` (BENCH_SEND_QUEUES, the twins' queue names in order, set
 * by the harness): while it runs its twin is busy; when it ends, free twins are handed the backlog.
 */
export async function asTwinConsumer(
  env: object,
  queue: string,
  size: number,
  run: () => Promise<void>,
): Promise<void> {
  const names = JSON.parse((env as { BENCH_SEND_QUEUES?: string }).BENCH_SEND_QUEUES ?? "[]");
  const i = (names as string[]).indexOf(queue);
  if (i < 0 || names.length < 2) return run();
  backlog.running[i] = (backlog.running[i] ?? 0) + 1;
  backlog.handed[i] = Math.max(0, (backlog.handed[i] ?? 0) - size);
  try {
    await run();
  } finally {
    backlog.running[i]!--;
    // A failed hand-out puts its batch back for the next one: never this invocation's failure, which
    // would deliver its own batch again.
    await handOut(twinsOf(env as Record<string, unknown>, "SEND_QUEUE"), batchSizeOf(env)).catch(
      (error: unknown) => console.error(`hand-out failed: ${String(error)}`),
    );
  }
}

/** Messages waiting in the one backlog (the harness's stall check). */
export const waitingInBacklog = () => backlog.waiting.length;
