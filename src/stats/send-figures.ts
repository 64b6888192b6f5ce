// A send's owner (EditionSend) reports its totals to DailyFigures as chunks settle and events arrive.
// Each report carries the whole totals, so one that is lost is made good by the next; the desk's
// charts and, under personal delivery, the complaint brake read them.
import type { SendStatus } from "../digest/edition-status";
import { dailyFigures } from "./daily-figures";

// Reports from one owner can arrive out of order (its calls interleave while each awaits): the
// version, increasing within the isolate and with the clock across isolates, keeps the newest.
let lastVersion = 0;
const nextVersion = () => (lastVersion = Math.max(Date.now() * 1000, lastVersion + 1));

/** Never fails the send: the figures are a view of it, and the next report repairs a lost one. */
export async function reportSend(
  env: Pick<Env, "FIGURES">,
  status: SendStatus | null,
): Promise<void> {
  if (!status) return;
  const record = () => dailyFigures(env).recordSend(status, nextVersion());
  try {
    // The complaint brake reads these figures under personal delivery: a report that failed in a
    // way Durable Objects call retryable (not an overload) is tried once more at once.
    await record().catch((error: { retryable?: boolean; overloaded?: boolean }) => {
      if (error?.retryable && !error.overloaded) return record();
      throw error;
    });
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        event: "figures.report_failed",
        id: status.id,
        message: error instanceof Error ? error.message : String(error),
      }),
    );
  }
}
