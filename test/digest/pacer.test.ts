import { describe, expect, it } from "vitest";
import { createPacer } from "../../src/digest/pacer";

const countInWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe("the pacer", () => {
  it("never starts more than `rate` calls in any one-second window", () => {
    let now = 0;
    const pacer = createPacer(4, () => now);
    const times = Array.from({ length: 40 }, () => pacer.reserve());
    expect(countInWindow(times, 1000)).toBe(4);
    expect(times.at(-1)).toBe(9000);
  });

  it("lets the calls owed during a short gap go out at once, still within the window", () => {
    let now = 0;
    const pacer = createPacer(10, () => now);
    const steady = Array.from({ length: 10 }, () => pacer.reserve());
    now = 1500; // a gap between two queue batches
    const after = Array.from({ length: 12 }, () => pacer.reserve());
    expect(after.slice(0, 10)).toEqual(Array(10).fill(1500));
    expect(countInWindow([...steady, ...after], 1000)).toBe(10);
  });

  it("spaces a fractional rate over a longer window", () => {
    const pacer = createPacer(0.5, () => 0);
    expect([pacer.reserve(), pacer.reserve(), pacer.reserve()]).toEqual([0, 2000, 4000]);
  });

  it("starts nothing before a pause ends", () => {
    const pacer = createPacer(100, () => 1000);
    pacer.pause(7);
    expect(pacer.reserve()).toBe(8000);
  });
});
