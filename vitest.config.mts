import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Tests never depend on the developer's .dev.vars: they set every secret here.
        bindings: {
          EDITOR_TOKENS: "alice:alice-test-token,bob:bob-test-token",
          SIGNING_SECRET: "test-signing-secret",
          SITE_URL: "https://tidings.test",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**"],
  },
});
