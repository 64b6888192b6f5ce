// The dead-letter queue's consumer: a job that exhausted its retries is recorded as failed by its
// edition's owner, so the status counts it and `POST /api/digests/<date>/redrive` can send it again.
import { SendJob } from "./digest-schema";
import type { EditionOwner } from "./send-jobs";

export async function handleDeadLetters(
  batch: MessageBatch<unknown>,
  edition: (digestId: string) => Pick<EditionOwner, "settle">,
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = SendJob.safeParse(message.body);
    if (parsed.success) {
      const job = parsed.data;
      // The last attempt may have been delivered (a dropped connection): the set and key stay.
      await edition(job.digestId).settle(job.chunk, { kind: "failed", undelivered: false });
      console.error(
        JSON.stringify({
          level: "error",
          event: "send.dead_letter",
          digestId: job.digestId,
          chunk: job.chunk,
        }),
      );
    }
    message.ack();
  }
}
