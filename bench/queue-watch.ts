// What the harness sees of the send queue's twins (test/platform/concurrent-queues.ts): each twin's
// due backlog and the consumer invocations running now, so a broker that stopped delivering (due
// messages, nothing running) is told apart from a slow or hung consumer (invocations running). And
// a hold on workerd's one thread, for the test of a consumer that runs long on a loaded machine.
import { waitingInBacklog } from "../test/platform/concurrent-queues";

// Queue invocations running now, by queue name.
const running = new Map<string, number>();

/** `run` counted as one invocation of `queue` while it runs. */
export async function countedInvocation(queue: string, run: () => Promise<void>): Promise<void> {
  running.set(queue, (running.get(queue) ?? 0) + 1);
  try {
    await run();
  } finally {
    running.set(queue, running.get(queue)! - 1);
  }
}

/**
 * { backlogs: due messages by twin binding, running: invocations by queue name, waiting: messages in
 * the twins' one backlog, not yet handed to a twin }.
 */
export async function sendQueues(env: object) {
  const backlogs: Record<string, number> = {};
  for (const [name, queue] of Object.entries(env)) {
    if (/^SEND_QUEUE(_\d+)?$/.test(name))
      backlogs[name] = (await (queue as Queue).metrics()).backlogCount;
  }
  return { backlogs, running: Object.fromEntries(running), waiting: waitingInBacklog() };
}

/** The thread held for `loops` iterations (time stands still inside an invocation: it counts). */
export function hold(loops: number): number {
  let x = 0;
  for (let i = 0; i < loops; i++) x = (x * 31 + i) | 0;
  return x;
}
