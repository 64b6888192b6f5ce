// The dead-letter queue's consumer: a job that exhausted its retries is recorded as failed by its
// edition's owner, so the edition finishes as `failed` and `POST /api/digests/<date>/redrive` can
// send it again. A dead letter is never dropped: one whose recording fails goes back onto this queue
// as a fresh message (its attempts start again) after a backoff, and if even that send fails, the
// queue retries it (its own retries are set high in wrangler.toml).
import { z } from "zod";
import { SendJob } from "./digest-schema";
import { backoffSeconds, type EditionOwner, type SendDeps } from "./send-jobs";

/** A dead letter as this queue holds it: the job, and how often recording it has failed. */
export const DeadLetter = SendJob.extend({
  unrecorded: z.number().int().nonnegative().optional(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export type DeadLetterDeps = {
  edition: (digestId: string) => Pick<EditionOwner, "settle">;
  /** This queue, for a dead letter handed back when its recording failed. */
  queue: Queue<DeadLetter>;
  retry: SendDeps["retry"];
};

const log = (level: "error" | "warn", event: string, fields: Record<string, unknown>) =>
  console.error(JSON.stringify({ level, event, ...fields }));

export async function handleDeadLetters(
  batch: MessageBatch<unknown>,
  deps: DeadLetterDeps,
): Promise<void> {
  // One at a time: a batch holds at most 10, and each is one call to its owner.
  for (const message of batch.messages) {
    const parsed = DeadLetter.safeParse(message.body);
    if (!parsed.success) {
      // Nothing names a chunk: there is nothing to record.
      log("error", "send.bad_dead_letter", { id: message.id });
      message.ack();
      continue;
    }
    const { digestId, chunk, unrecorded = 0 } = parsed.data;
    try {
      // The last attempt may have been delivered (a dropped connection): the set and key stay.
      await deps.edition(digestId).settle(chunk, { kind: "failed", undelivered: false });
      log("error", "send.dead_letter", { digestId, chunk });
      message.ack();
    } catch (error) {
      const delaySeconds = backoffSeconds(unrecorded + 1, deps.retry);
      log("warn", "send.dead_letter_unrecorded", {
        digestId,
        chunk,
        unrecorded: unrecorded + 1,
        error: String(error),
      });
      try {
        await deps.queue.send({ digestId, chunk, unrecorded: unrecorded + 1 }, { delaySeconds });
        message.ack();
      } catch {
        message.retry({ delaySeconds });
      }
    }
  }
}
