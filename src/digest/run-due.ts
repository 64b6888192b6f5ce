// A quarter-hour run of the personal send: if the DueIndex has readers due by this slot, freeze the
// slot's pool of articles with the slot's owner (EditionSend keyed by slot id) and start its walk.
// A run with nobody due costs one object call and no KV operation; running a slot again only
// nudges its owner, and readers are handed to a slot once, so a repeated run sends nothing twice.
import { slotIdFor } from "./digest-schema";
import { ALL_ISSUES, type RunDeps } from "./run-digest";
import type { SendStatus } from "./edition-status";
import { compilePool } from "./slot-pool";

const SLOT_MS = 15 * 60 * 1000;

export type DueRunDeps = RunDeps & {
  due: { anyDue(slotMs: number): Promise<{ due: boolean; weekly: boolean; recent: string[] }> };
};

/** The quarter-hour a cron run at `scheduledMs` sends in. */
export const slotOf = (scheduledMs: number) => Math.floor(scheduledMs / SLOT_MS) * SLOT_MS;

export type DueRun =
  | { slotId: string; outcome: "nobody_due" | "held"; status: null }
  | { slotId: string; outcome: "started"; status: SendStatus | null };

export async function runDue(deps: DueRunDeps, scheduledMs: number): Promise<DueRun> {
  const slotMs = slotOf(scheduledMs);
  const slotId = slotIdFor(new Date(slotMs));
  const owner = deps.edition(slotId);
  const probe = await deps.due.anyDue(slotMs);
  // Earlier slots' owners answer at once when done, and re-arm a walk whose alarm gave up.
  for (const id of probe.recent) await deps.edition(id).start();
  if (!probe.due) return { slotId, outcome: "nobody_due", status: null };
  // The complaint brake holds the day's digest; while it is held, nobody is handed a slot, so the
  // readers stay due and are sent by the first run after an editor releases it.
  // The whole published index in one list call per 1,000 issues: the latest, which emails link
  // to, and its number ("No. N"), which their masthead shows.
  const published = await deps.digests.index(ALL_ISSUES, { published: true });
  const [latest] = published;
  if (latest?.status === "held") return { slotId, outcome: "held", status: null };
  const pool =
    (await owner.digest()) ??
    (await compilePool(deps, {
      id: slotId,
      ms: slotMs,
      weekly: probe.weekly,
      archiveId: latest?.id ?? null,
      issueNumber: latest ? published.length : null,
    }));
  await owner.adopt(pool);
  return { slotId, outcome: "started", status: await owner.start() };
}
