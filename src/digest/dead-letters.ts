// The dead-letter queue's consumer: a job that exhausted its retries (or that the provider refused
// for good) is recorded as failed for its digest, so the status counts it instead of losing it.
import { SendJob } from "./digest-schema";
import type { DigestStore } from "./digest-store";

export async function handleDeadLetters(
  batch: MessageBatch<unknown>,
  digests: DigestStore,
  now: () => Date,
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = SendJob.safeParse(message.body);
    if (parsed.success) {
      const job = parsed.data;
      const recorded = await digests.recordedChunks(job.digestId);
      if (!recorded.has(job.chunk)) {
        await digests.addProgress(
          job.digestId,
          [job.chunk],
          { sent: 0, skipped: 0, failed: job.recipients.length },
          now(),
        );
      }
      console.error(
        JSON.stringify({
          level: "error",
          event: "send.dead_letter",
          digestId: job.digestId,
          chunk: job.chunk,
          readers: job.recipients.length,
        }),
      );
    }
    message.ack();
  }
}
