// Tests that run in Node, not in workerd: the browser test (Debian's Chromium against `wrangler dev`)
// the fault suite (the Worker in workerd through the Miniflare API, against the fake Resend), and
// `npm run deploy` against a stub wrangler.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts", "test/faults/**/*.test.ts", "test/deploy/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // One line per test file, as in the workerd suite.
    slowTestThreshold: 3_600_000,
  },
});
