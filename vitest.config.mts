import { appendFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type Plugin } from "vitest/config";

// Every workerd test runs the Worker under production's per-invocation limits (test/platform/): the
// pool's main module is the limited entry, and a test that imports src/index.ts to call a handler
// directly gets the limited one too. Only the limited entry itself sees the real one, to wrap it.
const REAL_ENTRY = fileURLToPath(new URL("./src/index.ts", import.meta.url));
const LIMITED_ENTRY = fileURLToPath(new URL("./test/platform/limited-entry.ts", import.meta.url));

const limitedEntry: Plugin = {
  name: "tidings-limited-entry",
  enforce: "pre",
  async resolveId(source, importer, options) {
    if (!importer || importer === LIMITED_ENTRY || !/src\/index(\.ts)?$/.test(source)) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved?.id === REAL_ENTRY ? LIMITED_ENTRY : null;
  },
};

// The Worker's JSON log lines (one per request, email or send step) go to this file, not the terminal:
// they were most of `npm test`'s output.
const WORKER_LOG = "test-artifacts/worker-log.jsonl";
mkdirSync("test-artifacts", { recursive: true });
// Wrangler's own info lines ("Using secrets defined in .dev.vars", once per file) are noise here too.
process.env.WRANGLER_LOG ??= "warn";

export default defineConfig({
  plugins: [
    limitedEntry,
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      main: "./test/platform/limited-entry.ts",
      miniflare: {
        // Tests never depend on the developer's .dev.vars: they set every secret here.
        bindings: {
          EDITOR_TOKENS: "alice:alice-test-token,bob:bob-test-token",
          SIGNING_SECRET: "test-signing-secret",
          SITE_URL: "https://tidings.test",
          // The local feed server (test/sources/feed-server.ts) listens on loopback.
          ALLOW_PRIVATE_FEEDS: "true",
          // Local KV lists show a write at once: the figures' baseline walk need not wait for it.
          FIGURES_BASELINE_DELAY_SECONDS: "0",
          // The suites of the one-edition send keep it; personal-delivery tests pass their own env.
          DIGEST_DELIVERY: "edition",
          // base64 of "test-webhook-secret-0123456789"
          RESEND_WEBHOOK_SECRET: "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/platform/no-violations.ts"],
    // The local feed server the source tests fetch from (only fakes of outside systems), and the
    // check of every request the mail tests' fetch spies capture against Resend's spec.
    globalSetup: ["./test/sources/feed-server.mjs", "./test/contract/contract-server.mjs"],
    exclude: ["test/browser/**", "test/faults/**", "test/deploy/**", "test/contract/**"],
    // One line per test file (a failed file lists its tests): no per-test lines for slow tests.
    slowTestThreshold: 3_600_000,
    onConsoleLog(log) {
      if (!log.trimStart().startsWith('{"level"')) return true;
      appendFileSync(WORKER_LOG, log.endsWith("\n") ? log : `${log}\n`);
      return false;
    },
  },
});
