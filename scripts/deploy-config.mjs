// What `npm run deploy` reads from wrangler.toml (the resources and secrets a deploy needs) and the
// deploy config it writes: wrangler.toml with the account's real ids and the operator's settings,
// as git-ignored wrangler.deploy.jsonc, so wrangler.toml keeps the local placeholders the tests use.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { experimental_readRawConfig } from "wrangler";

export const DEPLOY_CONFIG = "wrangler.deploy.jsonc";
const HEADER =
  "// Written by `npm run deploy` from wrangler.toml, with your account's ids: edit wrangler.toml.";

/** Secrets the Worker reads (src/env.ts). `required`: its routes answer 503 without it. */
export const SECRETS = [
  {
    name: "EDITOR_TOKENS",
    required: true,
    about: "editor tokens, name:token pairs (the desk and the API)",
  },
  {
    name: "SIGNING_SECRET",
    required: true,
    about: "key material for reader links and address hashes",
  },
  {
    name: "RESEND_API_KEY",
    required: false,
    about: "Resend API key (without it, mail goes to the outbox at /outbox)",
  },
  {
    name: "RESEND_WEBHOOK_SECRET",
    required: false,
    about: "the Resend webhook's signing secret, whsec_...",
  },
];

/**
 * Settings the operator gives once (environment or prompt), kept in the deploy config for reruns.
 * `example`: a value still naming it means it was never set.
 */
export const SETTINGS = [
  { name: "SITE_URL", example: "localhost", about: "public address of the site" },
  {
    name: "MAIL_FROM",
    example: "tidings.example",
    about: "sender, Name <address> on your verified domain",
  },
  {
    name: "MAIL_POSTAL_ADDRESS",
    example: "Example Street",
    about: "postal address in every email's footer",
  },
  { name: "EDITOR_EMAILS", example: null, about: "who gets the weekly report, comma-separated" },
];

// The webhook events src/webhooks/handle-event.ts acts on (test/deploy checks the two agree).
export const WEBHOOK_EVENTS = [
  "email.delivered",
  "email.bounced",
  "email.complained",
  "email.suppressed",
  "email.failed",
  "suppression.added",
];

// Cloudflare's Worker size limits, after compression: https://developers.cloudflare.com/workers/platform/limits/#worker-size
export const SIZE_LIMITS = [
  { plan: "Free", bytes: 3 * 1024 * 1024 },
  { plan: "Paid", bytes: 10 * 1024 * 1024 },
];

/** wrangler.toml as written (wrangler's own reader), and what a deploy must find or create. */
export function readPlan(configPath = "wrangler.toml") {
  const { rawConfig } = experimental_readRawConfig({ config: configPath });
  const name = rawConfig.name;
  const namespaces = (rawConfig.kv_namespaces ?? []).map((kv) => ({
    binding: kv.binding,
    title: `${name}-${kv.binding.toLowerCase()}`,
  }));
  const queues = [
    ...new Set(
      [
        ...(rawConfig.queues?.producers ?? []).map((p) => p.queue),
        ...(rawConfig.queues?.consumers ?? []).flatMap((c) => [c.queue, c.dead_letter_queue]),
      ].filter(Boolean),
    ),
  ];
  return { rawConfig, name, namespaces, queues };
}

export function readPreviousDeploy(path = DEPLOY_CONFIG) {
  if (!existsSync(path)) return null;
  try {
    const text = readFileSync(path, "utf8");
    return JSON.parse(text.startsWith(HEADER) ? text.slice(HEADER.length) : text);
  } catch {
    return null;
  }
}

/**
 * The deploy config: wrangler.toml's, with each KV binding's real id, the settings, and `main`
 * relative to where the file is written (wrangler resolves paths from the config's folder).
 */
export function writeDeployConfig(plan, { ids, vars, path = DEPLOY_CONFIG, root = process.cwd() }) {
  const config = structuredClone(plan.rawConfig);
  config.kv_namespaces = (config.kv_namespaces ?? []).map((kv) => ({
    ...kv,
    id: ids[kv.binding] ?? kv.id,
  }));
  config.vars = { ...config.vars, ...vars };
  const folder = resolve(path, "..");
  const main = isAbsolute(config.main) ? config.main : resolve(root, config.main);
  config.main = relative(folder, main);
  writeFileSync(path, `${HEADER}\n${JSON.stringify(config, null, 2)}\n`);
  return path;
}

const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** The bundle `wrangler deploy --dry-run --outdir` wrote, and its gzip size against each plan. */
export function bundleReport(outdir) {
  const files = readdirSync(outdir).filter((file) => /\.(m?js|wasm)$/.test(file));
  const bytes = files.reduce((sum, file) => sum + statSync(join(outdir, file)).size, 0);
  const gzip = files.reduce(
    (sum, file) => sum + gzipSync(readFileSync(join(outdir, file))).length,
    0,
  );
  const lines = [`Bundle: ${megabytes(bytes)}, ${megabytes(gzip)} compressed (gzip).`];
  for (const limit of SIZE_LIMITS) {
    const share = Math.round((gzip / limit.bytes) * 100);
    const verdict = gzip <= limit.bytes ? "fits" : "TOO LARGE for";
    lines.push(`  ${verdict} the ${limit.plan} plan's ${megabytes(limit.bytes)}: ${share}% of it`);
  }
  return { bytes, gzip, fitsPaid: gzip <= SIZE_LIMITS[1].bytes, lines };
}
