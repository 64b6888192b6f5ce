// When readers are due: local delivery times in their zones, across the 2026 daylight-saving changes,
// half- and quarter-hour zones and +14, weekly readers on their weekday only, one email a period.
import { describe, expect, it } from "vitest";
import { deliveryInstant, nextDelivery, wallMs, weekOf } from "../../src/subscribers/due-schedule";

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16) + "Z";
const at = (zone: string, date: string, hour: number) => iso(deliveryInstant(zone, date, hour));
const daily = (timeZone: string, deliveryHour = 7) =>
  ({ cadence: "daily", weekday: null, deliveryHour, timeZone }) as const;

describe("a reader's local delivery time in UTC", () => {
  it("follows Europe/Berlin across the March and October 2026 changes", () => {
    expect(at("Europe/Berlin", "2026-03-28", 7)).toBe("2026-03-28T06:00Z");
    expect(at("Europe/Berlin", "2026-03-29", 7)).toBe("2026-03-29T05:00Z");
    expect(at("Europe/Berlin", "2026-10-24", 7)).toBe("2026-10-24T05:00Z");
    expect(at("Europe/Berlin", "2026-10-25", 7)).toBe("2026-10-25T06:00Z");
    expect(at("Europe/Berlin", "2026-11-26", 7)).toBe("2026-11-26T06:00Z");
  });

  it("follows America/Los_Angeles across the March and November 2026 changes", () => {
    expect(at("America/Los_Angeles", "2026-03-07", 7)).toBe("2026-03-07T15:00Z");
    expect(at("America/Los_Angeles", "2026-03-08", 7)).toBe("2026-03-08T14:00Z");
    expect(at("America/Los_Angeles", "2026-10-31", 7)).toBe("2026-10-31T14:00Z");
    expect(at("America/Los_Angeles", "2026-11-01", 7)).toBe("2026-11-01T15:00Z");
  });

  it("sends a skipped local hour when the clocks jump, and a repeated one once, at its first", () => {
    // 02:00 does not exist in Berlin on 29 March: the clocks go from 02:00 CET to 03:00 CEST.
    expect(at("Europe/Berlin", "2026-03-29", 2)).toBe("2026-03-29T01:00Z");
    // 02:00 happens twice in Berlin on 25 October: first in CEST (00:00Z), then CET (01:00Z).
    expect(at("Europe/Berlin", "2026-10-25", 2)).toBe("2026-10-25T00:00Z");
    expect(at("America/Los_Angeles", "2026-03-08", 2)).toBe("2026-03-08T10:00Z");
    expect(at("America/Los_Angeles", "2026-11-01", 1)).toBe("2026-11-01T08:00Z");
    // One delivery on each of those days: the next one after it is the following day's.
    const after = nextDelivery(
      daily("Europe/Berlin", 2),
      "2026-10-25",
      Date.parse("2026-10-25T01:00Z"),
    );
    expect(after.date).toBe("2026-10-26");
  });

  it("puts half-hour, quarter-hour and +14 zones on their own quarter-hour", () => {
    expect(at("Asia/Kolkata", "2026-11-26", 7)).toBe("2026-11-26T01:30Z");
    expect(at("Asia/Kathmandu", "2026-11-26", 7)).toBe("2026-11-26T01:15Z");
    // Kiritimati is UTC+14: its 07:00 on the 26th is 17:00 UTC on the 25th.
    expect(at("Pacific/Kiritimati", "2026-11-26", 7)).toBe("2026-11-25T17:00Z");
  });
});

describe("the next delivery", () => {
  it("is today's when its time has not come, else tomorrow's", () => {
    const berlin = daily("Europe/Berlin");
    expect(nextDelivery(berlin, null, Date.parse("2026-11-26T05:00Z"))).toEqual({
      date: "2026-11-26",
      dueMs: Date.parse("2026-11-26T06:00Z"),
    });
    expect(nextDelivery(berlin, null, Date.parse("2026-11-26T06:00:01Z")).date).toBe("2026-11-27");
  });

  it("comes on a weekly reader's weekday only, once a week", () => {
    const thursdays = {
      cadence: "weekly",
      weekday: "thu",
      deliveryHour: 7,
      timeZone: "UTC",
    } as const;
    const first = nextDelivery(thursdays, null, Date.parse("2026-11-23T00:00Z"));
    expect(first.date).toBe("2026-11-26");
    const second = nextDelivery(thursdays, first.date, first.dueMs + 1);
    expect(second.date).toBe("2026-12-03");
    // Moved to Friday after Thursday's email: nothing more that week.
    const friday = nextDelivery({ ...thursdays, weekday: "fri" }, "2026-11-26", first.dueMs + 1);
    expect(friday.date).toBe("2026-12-04");
    expect(weekOf("2026-11-29")).toBe("2026-11-23");
  });

  it("never gives a second email on a local day already served, whatever the new zone", () => {
    // Served at 07:00 Berlin on the 26th, then moved to Los Angeles, where the 26th is still ahead.
    const moved = nextDelivery(
      daily("America/Los_Angeles"),
      "2026-11-26",
      Date.parse("2026-11-26T06:05Z"),
    );
    expect(moved.date).toBe("2026-11-27");
  });

  it("catches up a day whose new time has passed when asked to, instead of losing it", () => {
    const now = Date.parse("2026-11-26T07:10Z");
    expect(nextDelivery(daily("UTC", 5), "2026-11-25", now, true)).toEqual({
      date: "2026-11-26",
      dueMs: now,
    });
    expect(nextDelivery(daily("UTC", 5), "2026-11-25", now).date).toBe("2026-11-27");
  });
});

describe("a zone's wall clock", () => {
  // What Intl says, field by field, with nothing remembered between calls.
  function formatted(ms: number, zone: string): number {
    const parts: Record<string, number> = {};
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    for (const part of format.formatToParts(ms))
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    return Date.UTC(
      parts.year!,
      parts.month! - 1,
      parts.day!,
      parts.hour!,
      parts.minute!,
      parts.second!,
    );
  }

  it("is Intl's, second for second, on both sides of every 2026 change and in odd zones", () => {
    const zones = [
      "Europe/Berlin",
      "America/New_York",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "Pacific/Chatham",
      "America/St_Johns",
      "UTC",
    ];
    // Every 7 minutes and 13.5 seconds through 2026: each change falls inside a cached quarter hour.
    const step = 433_500;
    let compared = 0;
    for (const zone of zones)
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += step * 97) {
        // Around each sampled instant, and twice (the second call reads what the first remembered).
        for (const near of [ms, ms + 999, ms + step]) {
          expect(wallMs(near, zone)).toBe(formatted(near, zone));
          expect(wallMs(near, zone)).toBe(formatted(near, zone));
          compared++;
        }
      }
    expect(compared).toBeGreaterThan(1000);
  });

  it("crosses Berlin's March change at 01:00 UTC to the second", () => {
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    expect(wallMs(change - 1000, "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 1, 59, 59));
    expect(wallMs(change, "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 3, 0, 0));
    // Lord Howe moves by half an hour.
    const howe = Date.UTC(2026, 3, 4, 15, 0, 0);
    expect(wallMs(howe - 1000, "Australia/Lord_Howe")).toBe(Date.UTC(2026, 3, 5, 1, 59, 59));
    expect(wallMs(howe, "Australia/Lord_Howe")).toBe(Date.UTC(2026, 3, 5, 1, 30, 0));
  });
});
