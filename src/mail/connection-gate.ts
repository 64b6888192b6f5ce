// At most N outgoing calls at once in one invocation (Workers allow 6 simultaneous connections).
// Callers queue for a permit, so the work that needs no connection (rendering a chunk, waiting for a
// provider slot) goes on beside the calls instead of holding one.

export type ConnectionGate = <T>(call: () => Promise<T>) => Promise<T>;

// Workers allow 6 simultaneous outgoing connections (fetch, KV, Queues, Durable Objects) per invocation.
export const MAX_CONNECTIONS = 6;

export function createConnectionGate(max = MAX_CONNECTIONS): ConnectionGate {
  let open = 0;
  const waiting: (() => void)[] = [];
  return async (call) => {
    // A released permit passes straight to the next waiter, so `open` never drops below the queue.
    if (open >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else open++;
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else open--;
    }
  };
}

/** No gate: every call goes at once (a single call at a time, or a test). */
export const ungated: ConnectionGate = (call) => call();
