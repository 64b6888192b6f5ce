// The DueIndex: readers found by when they are due, each handed to one run slot per period, and a
// slot asking again (after a crash) given exactly the readers it was given.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dueIndex, moveFirstTable, type DueIndex } from "../../src/subscribers/due-index";
import { moveToScheduleBounds } from "../../src/subscribers/due-tables";
import { defaultPreferences } from "../../src/subscribers/preferences";

const at = (iso: string) => Date.parse(iso);

describe("the due index", () => {
  it("hands due readers to one slot once, and answers a repeated page the same", async () => {
    const due = dueIndex(env);
    const preferences = defaultPreferences("UTC");
    const emails = ["a@due.test", "b@due.test", "c@due.test"];
    await due.scheduleMany(
      emails.map((email) => ({ email, preferences })),
      at("2040-01-01T00:00:00Z"),
    );
    expect(await due.anyDue(at("2040-01-01T06:45:00Z"))).toMatchObject({ due: false });
    const slot = "2040-01-01T0700";
    const slotMs = at("2040-01-01T07:00:00Z");
    const first = await due.page(slot, slotMs, "", 2);
    expect(first.readers.map((r) => r.email)).toEqual(["a@due.test", "b@due.test"]);
    // The same cursor again (a step that died before it was recorded): the same readers.
    expect((await due.page(slot, slotMs, "", 2)).readers).toEqual(first.readers);
    const second = await due.page(slot, slotMs, first.cursor, 2);
    expect(second.readers.map((r) => r.email)).toEqual(["c@due.test"]);
    expect((await due.page(slot, slotMs, second.cursor, 2)).done).toBe(true);
    // A repeated run of the slot, or the next one, finds nobody: each was handed over once.
    expect(await due.anyDue(at("2040-01-01T07:15:00Z"))).toMatchObject({
      due: false,
      recent: [slot],
    });
    expect((await due.page("2040-01-01T0715", at("2040-01-01T07:15:00Z"), "", 10)).done).toBe(true);
    // Its owner finished the send: later runs nudge it no more.
    await due.slotFinished(slot);
    expect((await due.anyDue(at("2040-01-01T07:30:00Z"))).recent).toEqual([]);
    expect(await due.nextFor("a@due.test")).toEqual({
      dueMs: at("2040-01-02T07:00:00Z"),
      date: "2040-01-02",
      lastDate: "2040-01-01",
    });
    await due.schedule("a@due.test", null, at("2040-01-01T08:00:00Z"));
    expect(await due.nextFor("a@due.test")).toBeNull();
  });

  it("keeps each slot's pages its own when another slot is handed readers in between", async () => {
    const due = dueIndex(env);
    const utc = defaultPreferences("UTC");
    const berlin = { ...utc, timeZone: "Europe/Berlin" };
    await due.scheduleMany(
      [
        { email: "p1@pages.test", preferences: utc },
        { email: "p2@pages.test", preferences: utc },
        { email: "p3@pages.test", preferences: utc },
        { email: "p4@pages.test", preferences: berlin },
      ],
      at("2039-06-01T00:00:00Z"),
    );
    // (Before the other tests' readers are due.) Berlin's 07:00 is 05:00 UTC in summer: p4 first.
    const early = await due.page("2039-06-01T0500", at("2039-06-01T05:00:00Z"), "", 10);
    expect(early.readers.map((r) => r.email)).toEqual(["p4@pages.test"]);
    const a = await due.page("2039-06-01T0700", at("2039-06-01T07:00:00Z"), "", 2);
    expect(a.readers.map((r) => r.email)).toEqual(["p1@pages.test", "p2@pages.test"]);
    // A later slot takes whoever is still due (p3), then the first slot re-reads its own page.
    const late = await due.page("2039-06-01T0715", at("2039-06-01T07:15:00Z"), "", 10);
    expect(late.readers.map((r) => r.email)).toEqual(["p3@pages.test"]);
    expect(await due.page("2039-06-01T0700", at("2039-06-01T07:00:00Z"), "", 2)).toEqual(a);
    expect((await due.page("2039-06-01T0700", at("2039-06-01T07:00:00Z"), a.cursor, 2)).done).toBe(
      true,
    );
    expect(
      (await due.page("2039-06-01T0500", at("2039-06-01T05:00:00Z"), "", 10)).readers[0],
    ).toEqual({ email: "p4@pages.test", preferences: berlin });
  });

  it("moves the readers of an object made with the first table, and hands them over as before", async () => {
    const stub = env.DUE_INDEX.get(env.DUE_INDEX.idFromName("first-table"));
    const weekly = { ...defaultPreferences("Asia/Kolkata"), cadence: "weekly", weekday: "tue" };
    await runInDurableObject(stub, (_object: DueIndex, state) => {
      const { sql } = state.storage;
      sql.exec(`CREATE TABLE due (email TEXT PRIMARY KEY, next_due_ms INTEGER NOT NULL,
        next_date TEXT NOT NULL, last_date TEXT, preferences TEXT NOT NULL, slot TEXT, seq INTEGER)`);
      sql.exec(
        `INSERT INTO due VALUES (?, ?, ?, ?, ?, NULL, NULL), (?, ?, ?, ?, ?, 'x', 3)`,
        "old-daily@due.test",
        at("2039-03-01T07:00:00Z"),
        "2039-03-01",
        "2039-02-28",
        JSON.stringify(defaultPreferences("UTC")),
        "old-weekly@due.test",
        at("2039-03-01T01:30:00Z"),
        "2039-03-01",
        null,
        JSON.stringify(weekly),
      );
      moveFirstTable(state.storage);
      expect(sql.exec(`SELECT name FROM sqlite_master WHERE name = 'due'`).toArray()).toEqual([]);
    });
    const due = stub as unknown as ReturnType<typeof dueIndex>;
    expect(await due.nextFor("old-daily@due.test")).toEqual({
      dueMs: at("2039-03-01T07:00:00Z"),
      date: "2039-03-01",
      lastDate: "2039-02-28",
    });
    expect(await due.anyDue(at("2039-03-01T07:00:00Z"))).toMatchObject({ due: true, weekly: true });
    const page = await due.page("2039-03-01T0700", at("2039-03-01T07:00:00Z"), "", 10);
    expect(page.readers).toEqual([
      { email: "old-weekly@due.test", preferences: weekly },
      { email: "old-daily@due.test", preferences: defaultPreferences("UTC") },
    ]);
    // Moved on under their schedule's key: a change of choices finds and moves the row.
    await due.schedule("old-daily@due.test", null, at("2039-03-01T08:00:00Z"));
    expect(await due.nextFor("old-daily@due.test")).toBeNull();
    expect(await due.nextFor("old-weekly@due.test")).toMatchObject({ date: "2039-03-08" });
  });

  it("moves on only the due readers of a schedule, not one already served between them", async () => {
    const due = dueIndex(env);
    const utc = defaultPreferences("UTC");
    const berlin = { ...utc, timeZone: "Europe/Berlin" };
    const start = at("2038-07-01T00:00:00Z");
    await due.scheduleMany(
      [
        { email: "a-range@due.test", preferences: utc },
        { email: "b-range@due.test", preferences: berlin },
        { email: "c-range@due.test", preferences: utc },
      ],
      start,
    );
    // b is served at Berlin's 07:00 (05:00 UTC), then moves to 07:00 UTC: same schedule as a and c,
    // stored between them, but their day is served.
    const early = await due.page("2038-07-01T0500", at("2038-07-01T05:00:00Z"), "", 10);
    expect(early.readers.map((r) => r.email)).toEqual(["b-range@due.test"]);
    await due.schedule("b-range@due.test", utc, at("2038-07-01T05:30:00Z"));
    const served = await due.nextFor("b-range@due.test");
    expect(served).toEqual({
      dueMs: at("2038-07-02T07:00:00Z"),
      date: "2038-07-02",
      lastDate: "2038-07-01",
    });
    const page = await due.page("2038-07-01T0700", at("2038-07-01T07:00:00Z"), "", 10);
    expect(page.readers.map((r) => r.email)).toEqual(["a-range@due.test", "c-range@due.test"]);
    expect(await due.nextFor("b-range@due.test")).toEqual(served);
    expect(await due.nextFor("c-range@due.test")).toMatchObject({ lastDate: "2038-07-01" });
  });

  it("hands over a slot where a thousand readers share one schedule", async () => {
    // One statement moves a group of readers on; a Durable Object's SQLite binds at most 100
    // parameters, so a large group (everyone on the defaults in one zone) goes in parts.
    const due = dueIndex(env);
    const preferences = defaultPreferences("UTC");
    const emails = Array.from(
      { length: 1000 },
      (_, i) => `same-${String(i).padStart(4, "0")}@due.test`,
    );
    await due.scheduleMany(
      emails.map((email) => ({ email, preferences })),
      at("2041-01-01T00:00:00Z"),
    );
    const slot = "2041-01-01T0700";
    const page = await due.page(slot, at("2041-01-01T07:00:00Z"), "", 2000);
    // (With the first test's readers, now overdue.)
    expect(page.readers.filter((reader) => reader.email.startsWith("same-"))).toHaveLength(1000);
    expect(await due.nextFor(emails[999]!)).toMatchObject({
      dueMs: at("2041-01-02T07:00:00Z"),
      lastDate: "2041-01-01",
    });
  });

  it("finds a slot's readers by their schedule's bound, and mends a bound nobody is due at", async () => {
    const stub = env.DUE_INDEX.get(env.DUE_INDEX.idFromName("bounds"));
    const due = stub as unknown as ReturnType<typeof dueIndex>;
    const bounds = () =>
      runInDurableObject(stub, (_object: DueIndex, state) =>
        state.storage.sql
          .exec<{ schedule: string; next_due_ms: number }>(
            `SELECT schedule, next_due_ms FROM due_schedule ORDER BY schedule`,
          )
          .toArray()
          .map((row) => ({ ...row })),
      );
    const utc = defaultPreferences("UTC");
    const newYork = { ...utc, timeZone: "America/New_York" };
    await due.scheduleMany(
      [
        { email: "stays@bounds.test", preferences: utc },
        { email: "moves@bounds.test", preferences: utc },
      ],
      at("2042-01-01T00:00:00Z"),
    );
    expect(await bounds()).toEqual([
      { schedule: "daily||7|UTC", next_due_ms: at("2042-01-01T07:00:00Z") },
    ]);
    // New York's 07:00 is 12:00 UTC (its midnight is 05:00): the mover is due after the UTC bound.
    await due.schedule("moves@bounds.test", newYork, at("2042-01-01T05:00:00Z"));
    await due.schedule("stays@bounds.test", null, at("2042-01-01T05:00:00Z"));
    // Nobody of the UTC schedule is due at its bound now (the one who stayed left, never served,
    // and is deleted by the run): the run finds nobody, and the schedule's bound goes with its
    // last reader rather than being asked again every run.
    expect(await due.anyDue(at("2042-01-01T07:00:00Z"))).toMatchObject({ due: false });
    expect((await bounds()).map((b) => b.schedule)).toEqual(["daily||7|America/New_York"]);
    const page = await due.page("2042-01-01T1200", at("2042-01-01T12:00:00Z"), "", 10);
    expect(page.readers.map((r) => r.email)).toEqual(["moves@bounds.test"]);
    // Its schedule is done with the slot: its bound is the reader's next instant.
    expect(
      (await bounds()).find((b) => b.schedule === "daily||7|America/New_York")?.next_due_ms,
    ).toBe(at("2042-01-02T12:00:00Z"));
  });

  it("moves an object with an index of every reader's instant to schedules' bounds", async () => {
    const stub = env.DUE_INDEX.get(env.DUE_INDEX.idFromName("instant-index"));
    await runInDurableObject(stub, (_object: DueIndex, state) => {
      const { sql } = state.storage;
      sql.exec(`CREATE INDEX due_reader_by_time ON due_reader (next_due_ms)`);
      sql.exec(
        `INSERT INTO due_reader (schedule, email, next_due_ms, next_date, last_date, preferences)
         VALUES ('daily||7|UTC', 'a@instant.test', ?, '2043-01-01', NULL, ?),
                ('daily||7|UTC', 'b@instant.test', ?, '2043-01-02', NULL, ?)`,
        at("2043-01-01T07:00:00Z"),
        JSON.stringify(defaultPreferences("UTC")),
        at("2043-01-02T07:00:00Z"),
        JSON.stringify(defaultPreferences("UTC")),
      );
      moveToScheduleBounds(state.storage);
      expect(
        sql.exec(`SELECT name FROM sqlite_master WHERE name = 'due_reader_by_time'`).toArray(),
      ).toEqual([]);
      expect(sql.exec(`SELECT schedule, next_due_ms FROM due_schedule`).toArray()).toEqual([
        { schedule: "daily||7|UTC", next_due_ms: at("2043-01-01T07:00:00Z") },
      ]);
    });
    const due = stub as unknown as ReturnType<typeof dueIndex>;
    const page = await due.page("2043-01-01T0700", at("2043-01-01T07:00:00Z"), "", 10);
    expect(page.readers.map((r) => r.email)).toEqual(["a@instant.test"]);
  });

  it("reads a schedule on from where its hand-over got to, and still finds a reader due before it", async () => {
    const due = env.DUE_INDEX.get(env.DUE_INDEX.idFromName("place")) as unknown as ReturnType<
      typeof dueIndex
    >;
    const utc = defaultPreferences("UTC");
    const start = at("2044-01-01T00:00:00Z");
    await due.scheduleMany(
      ["b", "c", "d", "e", "f"].map((name) => ({ email: `${name}@place.test`, preferences: utc })),
      start,
    );
    const slot = "2044-01-01T0700";
    const slotMs = at("2044-01-01T07:00:00Z");
    const first = await due.page(slot, slotMs, "", 2);
    expect(first.readers.map((r) => r.email)).toEqual(["b@place.test", "c@place.test"]);
    // A new reader, before the hand-over's place in the schedule, due in this very slot.
    await due.schedule("a@place.test", utc, at("2044-01-01T06:59:00Z"));
    const emails: string[] = [];
    for (let cursor = first.cursor; ;) {
      const page = await due.page(slot, slotMs, cursor, 2);
      if (page.done) break;
      emails.push(...page.readers.map((r) => r.email));
      cursor = page.cursor;
    }
    expect(emails).toEqual(["d@place.test", "e@place.test", "f@place.test", "a@place.test"]);
    expect(await due.anyDue(at("2044-01-01T07:15:00Z"))).toMatchObject({ due: false });
  });
});
