// A digest's send status, derived on read from its record, fan-out checkpoints and progress records.
import { decodeChunkRanges } from "./digest-keys";
import type { DigestIndexMetadata, FanOutCheckpoint, ProgressMetadata } from "./digest-schema";

export type DigestStatus = {
  id: string;
  status: "compiled" | "sending" | "sent" | "skipped" | "failed" | "held";
  heldReason: string | null;
  articleCount: number;
  recipients: number;
  sent: number;
  /** Readers who left after the send started, and so were not mailed. */
  skipped: number;
  failed: number;
  queued: number;
  startedAt: string | null;
  finishedAt: string | null;
};

export function digestStatus(
  digest: Pick<DigestIndexMetadata, "id" | "status" | "heldReason" | "articleCount">,
  checkpoints: FanOutCheckpoint[],
  progress: ProgressMetadata[],
): DigestStatus {
  const last = checkpoints.at(-1);
  const sent = progress.reduce((sum, record) => sum + record.s, 0);
  const skipped = progress.reduce((sum, record) => sum + record.k, 0);
  const failed = progress.reduce((sum, record) => sum + record.f, 0);
  const recipients = last?.recipients ?? 0;
  const accounted = new Set(progress.flatMap((record) => decodeChunkRanges(record.c)));
  const complete = last?.done === true && accounted.size >= last.nextChunk;

  let status: DigestStatus["status"];
  if (digest.status === "skipped" || digest.status === "held") status = digest.status;
  else if (!last) status = "compiled";
  else if (!complete) status = "sending";
  else status = failed > 0 ? "failed" : "sent";

  const times = progress.map((record) => record.at).sort();
  return {
    id: digest.id,
    status,
    heldReason: digest.heldReason,
    articleCount: digest.articleCount,
    recipients,
    sent,
    skipped,
    failed,
    queued: Math.max(0, recipients - sent - skipped - failed),
    startedAt: last?.startedAt ?? checkpoints[0]?.at ?? null,
    finishedAt: complete ? (times.at(-1) ?? last.at) : null,
  };
}
