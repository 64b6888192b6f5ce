// An edition's send status, derived from its owner's rows: pure, so the route and the brake read
// the same numbers the owner keeps.
import { z } from "zod";
import { quotaInWords } from "../mail/quota-stop";
import type { Pause } from "./edition-pause";
import type { FailureReasons } from "./failed-readers";

export const SendStatus = z.object({
  id: z.string(),
  /** `paused`: the provider's email quota is spent; `pausedReason` says so, and until when. */
  status: z.enum(["compiled", "sending", "paused", "sent", "skipped", "failed", "held"]),
  heldReason: z.string().nullable(),
  pausedReason: z.string().nullable(),
  /** While paused: which quota (`daily`, `monthly`) and when the send carries on by itself. */
  pause: z
    .object({ reason: z.literal("quota"), quota: z.enum(["daily", "monthly"]), until: z.string() })
    .nullable(),
  articleCount: z.number().int(),
  recipients: z.number().int(),
  sent: z.number().int(),
  /** Readers who left after the send started, and so were not mailed. */
  skipped: z.number().int(),
  /** Readers the provider refused as invalid addresses (now suppressed). */
  invalid: z.number().int(),
  failed: z.number().int(),
  /** Why readers were not mailed (failed chunks, emails the provider refused alone), with counts. */
  failureReasons: z.array(z.object({ reason: z.string(), readers: z.number().int() })),
  queued: z.number().int(),
  /** Fan-out steps taken so far (one invocation each). */
  steps: z.number().int(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  events: z.object({
    bounced: z.number().int(),
    permanentBounces: z.number().int(),
    complained: z.number().int(),
    /** `email.failed` events: accepted emails the provider could not send after all. */
    failed: z.number().int(),
    /** `email.suppressed` events: accepted emails the provider did not try to deliver. */
    suppressed: z.number().int(),
  }),
});
export type SendStatus = z.infer<typeof SendStatus>;

export type EditionRow = {
  id: string;
  status: "compiled" | "held" | "skipped";
  held_reason: string | null;
  article_count: number;
  phase: "idle" | "walking" | "walked" | "finished";
  recipients: number;
  steps: number;
  started_at: number | null;
  finished_at: number | null;
};

export type ChunkTotals = { sent: number; skipped: number; invalid: number; failed: number };
export type EventTotals = SendStatus["events"];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function editionStatus(
  row: EditionRow,
  totals: ChunkTotals,
  events: EventTotals,
  pause: Pause | null = null,
  failureReasons: FailureReasons = [],
): SendStatus {
  let status: SendStatus["status"];
  const paused = pause !== null && row.status === "compiled" && row.phase !== "finished";
  if (row.status !== "compiled") status = row.status;
  else if (row.phase === "idle") status = "compiled";
  else if (paused) status = "paused";
  else if (row.phase !== "finished") status = "sending";
  else status = totals.failed > 0 ? "failed" : "sent";
  const accounted = totals.sent + totals.skipped + totals.invalid + totals.failed;
  return {
    id: row.id,
    status,
    heldReason: row.held_reason,
    pausedReason: paused ? quotaInWords(pause) : null,
    pause: paused ? { reason: "quota", quota: pause.kind, until: iso(pause.untilMs)! } : null,
    articleCount: row.article_count,
    recipients: row.recipients,
    ...totals,
    failureReasons,
    queued: Math.max(0, row.recipients - accounted),
    steps: row.steps,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    events,
  };
}

/** A status for an edition its owner has never heard of (compiled before owners existed). */
export function unknownEditionStatus(summary: {
  id: string;
  status: "compiled" | "held" | "skipped";
  heldReason: string | null;
  articleCount: number;
}): SendStatus {
  return editionStatus(
    {
      id: summary.id,
      status: summary.status,
      held_reason: summary.heldReason,
      article_count: summary.articleCount,
      phase: "idle",
      recipients: 0,
      steps: 0,
      started_at: null,
      finished_at: null,
    },
    { sent: 0, skipped: 0, invalid: 0, failed: 0 },
    { bounced: 0, permanentBounces: 0, complained: 0, failed: 0, suppressed: 0 },
  );
}
