// The queue producer: walks the readers' list pages and enqueues one job per chunk of 100 confirmed
// readers, checkpointing after each enqueue so a run that died resumes with the very same chunks.
import { MAX_BATCH_EMAILS } from "../mail/mailer";
import type { SubscriberStore } from "../subscribers/subscriber-store";
import type { FanOutCheckpoint, SendJob } from "./digest-schema";
import type { DigestStore } from "./digest-store";

// Queues' sendBatch takes at most 100 messages and 256 KB a call; stay well under the byte limit.
const MAX_QUEUE_BATCH_MESSAGES = 100;
const MAX_QUEUE_BATCH_BYTES = 200_000;
// A checkpoint (one KV write) per 100 chunks, i.e. per 10,000 readers. A crash re-enqueues at most
// that many identical chunks, which the consumer and the provider's idempotency keys absorb.
const CHECKPOINT_EVERY_CHUNKS = 100;

export type FanOutDeps = {
  digests: DigestStore;
  readers: SubscriberStore;
  queue: Queue<SendJob>;
  now: () => Date;
  /** Jobs per enqueue call; at most 100, the Queues limit. */
  jobsPerEnqueue?: number;
  /** Chunks between checkpoints. */
  checkpointEvery?: number;
};

type PendingJob = { job: SendJob; bytes: number; pageCursor: string | null; lastEmail: string };

export async function fanOut(deps: FanOutDeps, digestId: string): Promise<FanOutCheckpoint> {
  const { digests, readers, queue, now } = deps;
  const checkpoints = await digests.checkpoints(digestId);
  const last = checkpoints.at(-1);
  if (last?.done) return last;

  let sequence = checkpoints.length;
  const startedAt = checkpoints[0]?.startedAt ?? checkpoints[0]?.at ?? now().toISOString();
  let state: FanOutCheckpoint = last ?? {
    nextChunk: 0,
    recipients: 0,
    pageCursor: null,
    lastEmail: null,
    done: false,
    at: startedAt,
    startedAt,
  };
  let jobs: PendingJob[] = [];
  let bytes = 0;
  let enqueued = state;

  /** Sends the pending jobs to the queue; `enqueued` is where a resume would start after them. */
  async function enqueuePending() {
    if (jobs.length === 0) return;
    await queue.sendBatch(jobs.map(({ job }) => ({ body: job, contentType: "json" })));
    const tail = jobs.at(-1)!;
    enqueued = {
      nextChunk: enqueued.nextChunk + jobs.length,
      recipients:
        enqueued.recipients + jobs.reduce((sum, { job }) => sum + job.recipients.length, 0),
      pageCursor: tail.pageCursor,
      lastEmail: tail.lastEmail,
      done: false,
      at: now().toISOString(),
    };
    jobs = [];
    bytes = 0;
  }

  /** Enqueue first, then checkpoint: a crash between re-enqueues identical chunks, never skips one. */
  async function checkpoint(done: boolean) {
    await enqueuePending();
    state = { ...enqueued, done, at: now().toISOString(), startedAt };
    await digests.addCheckpoint(digestId, sequence++, state);
  }

  let chunk: string[] = [];
  // The cursor that fetched the current page; a job records it with its last address, and a resume
  // lists from there, skipping every address up to that one.
  let pageCursor = state.pageCursor;
  const resumeAfter = state.lastEmail;
  const enqueue = async (recipients: string[]) => {
    const size = JSON.stringify({ digestId, chunk: 0, recipients }).length + 16;
    const full = jobs.length === (deps.jobsPerEnqueue ?? MAX_QUEUE_BATCH_MESSAGES);
    if (full || bytes + size > MAX_QUEUE_BATCH_BYTES) await enqueuePending();
    if (enqueued.nextChunk - state.nextChunk >= (deps.checkpointEvery ?? CHECKPOINT_EVERY_CHUNKS))
      await checkpoint(false);
    const job: SendJob = { digestId, chunk: enqueued.nextChunk + jobs.length, recipients };
    jobs.push({ job, bytes: size, pageCursor, lastEmail: recipients.at(-1) ?? "" });
    bytes += size;
  };
  for (;;) {
    const page = await readers.listPage(pageCursor);
    for (const reader of page.readers) {
      // Readers up to the checkpoint's last address are already in enqueued chunks.
      if (resumeAfter !== null && reader.email <= resumeAfter) continue;
      if (reader.status !== "confirmed") continue;
      chunk.push(reader.email);
      if (chunk.length === MAX_BATCH_EMAILS) {
        await enqueue(chunk);
        chunk = [];
      }
    }
    if (page.cursor === null) break;
    // Each page's jobs go out at once, so the consumer starts while the walk goes on.
    await enqueuePending();
    pageCursor = page.cursor;
  }
  if (chunk.length > 0) await enqueue(chunk);
  await checkpoint(true);
  return state;
}
