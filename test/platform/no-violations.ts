// Setup for every workerd test: a test fails if any invocation crossed a platform limit during it,
// even where the Worker caught the error (production would have failed that call all the same).
import { afterEach, expect } from "vitest";
import { platformUsage, resetPlatformUsage } from "./platform-limits";

afterEach(() => {
  const { violations, violationCount } = platformUsage();
  resetPlatformUsage();
  expect(
    { violationCount, first: violations.slice(0, 5) },
    "platform limits crossed during this test (test/platform/)",
  ).toEqual({ violationCount: 0, first: [] });
});
