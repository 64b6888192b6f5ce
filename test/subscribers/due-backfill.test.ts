// Its own file (storage is per file): the backfill walks every reader in SUBSCRIBERS.
// Readers confirmed before personal delivery existed get a schedule once, with the defaults they
// had (daily at 07:00 UTC); a reader who left, or one the index already knows, is left alone.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { departureLog } from "../../src/subscribers/departure-log";
import { dueIndex } from "../../src/subscribers/due-index";
import { defaultPreferences } from "../../src/subscribers/preferences";
import { seedReaders, waitFor } from "../fixtures/digest";

describe("the due index's backfill", () => {
  it("schedules older confirmed readers once, skipping those who left or are known", async () => {
    const emails = await seedReaders(1200, "older", "backfill.test");
    const known = emails[0]!;
    const left = emails[1]!;
    const due = dueIndex(env);
    const weekly = {
      ...defaultPreferences("UTC"),
      cadence: "weekly" as const,
      weekday: "mon" as const,
    };
    await due.schedule(known, weekly, Date.now());
    await departureLog(env).recordDeparture(left, Date.now(), false);

    await due.ensureBackfill();
    // Steps run as alarms; run them to the end here. Miniflare may also fire the alarm by itself,
    // and while that step runs no alarm is pending: wait for the table to say the walk is done.
    const done = () =>
      runInDurableObject(due, (_, state) =>
        state.storage.sql.exec<{ done: number }>(`SELECT done FROM backfill`).one().done === 1,
      );
    while (!(await done())) {
      if (!(await runDurableObjectAlarm(due))) await new Promise((r) => setTimeout(r, 20));
    }
    // An alarm the runtime fired by itself may still be running its step when the loop ends.
    await waitFor(() => due.nextFor(emails.at(-1)!));
    expect(await due.nextFor(left)).toBeNull();
    const scheduled = await due.nextFor(emails[700]!);
    expect(scheduled).not.toBeNull();
    expect(new Date(scheduled!.dueMs).toISOString().slice(11, 16)).toBe("07:00");
    // The reader the index knew keeps their weekly schedule.
    const knownNext = await due.nextFor(known);
    expect(new Date(knownNext!.dueMs).getUTCDay()).toBe(1);

    // A second start is a no-op: the backfill runs once.
    await due.ensureBackfill();
    expect(await runDurableObjectAlarm(due)).toBe(false);
  }, 60_000);
});
