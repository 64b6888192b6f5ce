import { describe, expect, it } from "vitest";
import { planStep } from "../../src/digest/edition-step";

describe("the edition walk's step plan", () => {
  it("starts with one page, then about two seconds of sending a step", () => {
    // 100 calls a second: two seconds are 200 chunks, 20 pages.
    const pages = [0, 1, 2, 3, 4, 5, 6].map((done) => planStep(done, 0, 100, 100).pages);
    expect(pages).toEqual([1, 20, 20, 20, 20, 20, 20]);
  });

  it("never lists more than FANOUT_PAGES_PER_STEP, nor less than one page", () => {
    expect(planStep(30, 0, 10, 1000).pages).toBe(10);
    expect(planStep(30, 0, 100, 2).pages).toBe(1);
  });

  it("walks at once while the queue holds ten seconds of sending or less", () => {
    expect(planStep(9, 1000, 100, 100).waitMs).toBe(0);
    expect(planStep(9, 20, 100, 2).waitMs).toBe(0);
  });

  it("waits about as long as the send takes to bring the backlog down to ten seconds", () => {
    expect(planStep(9, 1200, 100, 100).waitMs).toBe(2000);
    expect(planStep(9, 1001, 100, 100).waitMs).toBe(250);
    // A send held up by an outage is looked at again within a minute.
    expect(planStep(9, 10_000, 100, 2).waitMs).toBe(60_000);
  });
});
