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
          // base64 of "test-webhook-secret-0123456789"
          RESEND_WEBHOOK_SECRET: "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**", "test/faults/**"],
  },
});
