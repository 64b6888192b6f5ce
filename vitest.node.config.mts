// Tests that run in Node, not in workerd: the browser test (Debian's Chromium against `wrangler dev`),
// the fault suite (the Worker in workerd through the Miniflare API, against the fake Resend),
// `npm run deploy` against a stub wrangler, and the contract check derived from Resend's spec (ajv
// compiles schemas to code, which workerd refuses).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/browser/**/*.test.ts",
      "test/faults/**/*.test.ts",
      "test/deploy/**/*.test.ts",
      "test/contract/**/*.test.ts",
    ],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // One line per test file, as in the workerd suite.
    slowTestThreshold: 3_600_000,
  },
});
