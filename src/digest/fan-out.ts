// The queue producer: walks the readers' list pages and enqueues one job per chunk of 100 confirmed
// readers, checkpointing after each enqueue so a run that died resumes with the very same chunks.
import { MAX_BATCH_EMAILS } from "../mail/mailer";
import type { SubscriberStore } from "../subscribers/subscriber-store";
import type { FanOutCheckpoint, SendJob } from "./digest-schema";
import type { DigestStore } from "./digest-store";

// Queues' sendBatch takes at most 100 messages and 256 KB a call; stay well under the byte limit.
const MAX_QUEUE_BATCH_MESSAGES = 100;
const MAX_QUEUE_BATCH_BYTES = 200_000;

export type FanOutDeps = {
  digests: DigestStore;
  readers: SubscriberStore;
  queue: Queue<SendJob>;
  now: () => Date;
  /** Jobs per enqueue call (and so per checkpoint); at most 100, the Queues limit. */
  jobsPerEnqueue?: number;
};

type PendingJob = { job: SendJob; bytes: number; pageCursor: string | null; lastEmail: string };

export async function fanOut(deps: FanOutDeps, digestId: string): Promise<FanOutCheckpoint> {
  const { digests, readers, queue, now } = deps;
  const checkpoints = await digests.checkpoints(digestId);
  const last = checkpoints.at(-1);
  if (last?.done) return last;

  let sequence = checkpoints.length;
  let state: FanOutCheckpoint = last ?? {
    nextChunk: 0,
    recipients: 0,
    pageCursor: null,
    lastEmail: null,
    done: false,
    at: now().toISOString(),
  };
  let jobs: PendingJob[] = [];
  let bytes = 0;

  async function flush(done: boolean) {
    if (jobs.length > 0)
      await queue.sendBatch(jobs.map(({ job }) => ({ body: job, contentType: "json" })));
    const tail = jobs.at(-1);
    state = {
      nextChunk: state.nextChunk + jobs.length,
      recipients: state.recipients + jobs.reduce((sum, { job }) => sum + job.recipients.length, 0),
      pageCursor: tail ? tail.pageCursor : state.pageCursor,
      lastEmail: tail ? tail.lastEmail : state.lastEmail,
      done,
      at: now().toISOString(),
    };
    // Enqueue first, then checkpoint: a crash between re-enqueues identical chunks, which the
    // consumer's recorded-chunk check and the provider's idempotency keys absorb.
    await digests.addCheckpoint(digestId, sequence++, state);
    jobs = [];
    bytes = 0;
  }

  let chunk: string[] = [];
  // The cursor that fetched the current page; a job records it with its last address, and a resume
  // lists from there, skipping every address up to that one.
  let pageCursor = state.pageCursor;
  const resumeAfter = state.lastEmail;
  const enqueue = async (recipients: string[]) => {
    const size = JSON.stringify({ digestId, chunk: 0, recipients }).length + 16;
    const full = jobs.length === (deps.jobsPerEnqueue ?? MAX_QUEUE_BATCH_MESSAGES);
    if (full || bytes + size > MAX_QUEUE_BATCH_BYTES) await flush(false);
    const job: SendJob = { digestId, chunk: state.nextChunk + jobs.length, recipients };
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
    pageCursor = page.cursor;
  }
  if (chunk.length > 0) await enqueue(chunk);
  await flush(true);
  return state;
}
