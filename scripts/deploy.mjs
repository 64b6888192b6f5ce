// `npm run deploy`: Tidings on your Cloudflare account in one command. Finds or creates the KV
// namespaces and queues by name, asks for each missing secret (or takes it from the environment),
// writes their ids into wrangler.deploy.jsonc (wrangler.toml keeps its local placeholders), deploys,
// and prints the site, desk and webhook addresses and what is left to do. Rerunning it finds what
// exists and changes none of it. `npm run deploy -- --dry-run` prints the plan and builds the bundle
// (`wrangler deploy --dry-run`) with no account at all.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bundleReport,
  DEPLOY_CONFIG,
  readPlan,
  readPreviousDeploy,
  SECRETS,
  SETTINGS,
  WEBHOOK_EVENTS,
  writeDeployConfig,
} from "./deploy-config.mjs";
import { ask } from "./deploy-prompt.mjs";
import * as cf from "./deploy-wrangler.mjs";

const dryRun = process.argv.includes("--dry-run");
const say = (line = "") => console.log(line);

function commitSha() {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "";
  }
}

/** A setting's value: the environment's, then the last deploy's, then wrangler.toml's unless it is the example. */
function settingValue(setting, plan, previous) {
  const value =
    process.env[setting.name] ??
    previous?.vars?.[setting.name] ??
    plan.rawConfig.vars?.[setting.name];
  return value && !(setting.example && value.includes(setting.example)) ? value : "";
}

function printPlan(plan, previous) {
  say(
    `Tidings deploy plan for Worker "${plan.name}"${dryRun ? " (dry run: no account needed, nothing changes)" : ""}:`,
  );
  say("  KV namespaces (found by title, created if missing):");
  for (const ns of plan.namespaces) say(`    ${ns.title}  (binding ${ns.binding})`);
  say(`  Queues (found by name, created if missing): ${plan.queues.join(", ")}`);
  say("  Secrets (kept if set; otherwise taken from the environment or asked for):");
  for (const secret of SECRETS)
    say(`    ${secret.name}${secret.required ? "" : " (optional)"}: ${secret.about}`);
  say("  Settings (from the environment, the last deploy, or wrangler.toml):");
  for (const setting of SETTINGS) {
    const value = settingValue(setting, plan, previous);
    say(`    ${setting.name} = ${value ? JSON.stringify(value) : "(not set)"}: ${setting.about}`);
  }
  say(`  Durable Objects: created by wrangler deploy from wrangler.toml's [[migrations]].`);
  say(`  Then: wrangler deploy --config ${DEPLOY_CONFIG}`);
  say();
}

async function dryRunDeploy(plan) {
  const folder = mkdtempSync(join(tmpdir(), "tidings-deploy-"));
  try {
    const config = writeDeployConfig(plan, {
      ids: {},
      vars: { COMMIT_SHA: commitSha() },
      path: join(folder, DEPLOY_CONFIG),
    });
    const outdir = join(folder, "bundle");
    await cf.mustRun(["deploy", "--dry-run", "--outdir", outdir, "--config", config], {
      echo: true,
    });
    const report = bundleReport(outdir);
    say();
    for (const line of report.lines) say(line);
    if (!report.fitsPaid) process.exitCode = 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function findOrCreate(plan) {
  let known = await cf.kvNamespaces();
  const missing = plan.namespaces.filter((ns) => !known.has(ns.title));
  for (const ns of missing) await cf.createKvNamespace(ns.title);
  if (missing.length > 0) known = await cf.kvNamespaces();
  const ids = {};
  for (const ns of plan.namespaces) {
    const id = known.get(ns.title);
    if (!id) throw new Error(`KV namespace ${ns.title} was created but is not listed.`);
    ids[ns.binding] = id;
    say(`KV ${ns.title}: ${missing.includes(ns) ? "created" : "found"} (${id})`);
  }
  const queues = await cf.queueNames();
  for (const name of plan.queues) {
    if (!queues.has(name)) await cf.createQueue(name);
    say(`Queue ${name}: ${queues.has(name) ? "found" : "created"}`);
  }
  return ids;
}

/** The secrets to upload: each missing one, from the environment, a prompt, or made here. */
async function missingSecrets() {
  const existing = await cf.secretNames();
  const upload = {};
  const unset = [];
  for (const secret of SECRETS) {
    if (existing.has(secret.name)) {
      say(`Secret ${secret.name}: already set, kept`);
      continue;
    }
    let value = process.env[secret.name] ?? "";
    if (!value && secret.name === "SIGNING_SECRET") value = randomBytes(32).toString("base64");
    // An editor token made here is shown once, so only on a terminal (never into a CI log).
    if (!value && secret.name === "EDITOR_TOKENS" && process.stdin.isTTY) {
      const answer = await ask(`Editor tokens, name:token pairs (Enter: one made for "editor"): `, {
        hidden: true,
      });
      value = answer || `editor:${randomBytes(24).toString("base64url")}`;
      if (!answer)
        say(`Your editor token, shown once (sign in to the desk with it): ${value.slice(7)}`);
    }
    if (!value && !secret.required)
      value = await ask(`${secret.name}, ${secret.about} (Enter: skip): `, { hidden: true });
    if (value) upload[secret.name] = value;
    else unset.push(secret.name);
    say(`Secret ${secret.name}: ${value ? "will be set" : "not set (skipped)"}`);
  }
  return { upload, unset };
}

async function settings(plan, previous) {
  const vars = { COMMIT_SHA: commitSha() };
  for (const setting of SETTINGS) {
    let value = settingValue(setting, plan, previous);
    if (!value && setting.name !== "SITE_URL")
      value = await ask(`${setting.name}, ${setting.about} (Enter: keep wrangler.toml's): `);
    if (value) vars[setting.name] = value;
  }
  return vars;
}

async function deploy(plan, ids, vars, secrets) {
  writeDeployConfig(plan, { ids, vars });
  const args = ["deploy", "--config", DEPLOY_CONFIG];
  const folder = mkdtempSync(join(tmpdir(), "tidings-secrets-"));
  try {
    if (Object.keys(secrets).length > 0) {
      const file = join(folder, "secrets.json");
      writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
      args.push("--secrets-file", file);
    }
    return cf.deployedUrl(await cf.mustRun(args, { echo: true }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main() {
  const plan = readPlan();
  const previous = readPreviousDeploy();
  printPlan(plan, previous);
  if (dryRun) return dryRunDeploy(plan);
  if (!(await cf.loggedIn()))
    throw new Error(
      "Not signed in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then `npm run deploy` again.",
    );
  // Secrets first: a deploy that cannot have its editor tokens stops before it creates anything.
  const secrets = await missingSecrets();
  if (secrets.unset.includes("EDITOR_TOKENS"))
    throw new Error(
      "EDITOR_TOKENS is not set: run again with EDITOR_TOKENS=name:token in the environment.",
    );
  const ids = await findOrCreate(plan);
  const vars = await settings(plan, previous);
  const url = await deploy(plan, ids, vars, secrets.upload);
  // The first deploy learns its workers.dev address; SITE_URL must name it, so it goes out again.
  if (!vars.SITE_URL && url) {
    vars.SITE_URL = url;
    say(`SITE_URL is now ${url}: deploying again with it.`);
    await deploy(plan, ids, vars, {});
  }
  const site = vars.SITE_URL ?? url ?? "<your site>";
  say();
  say(`Site:    ${site}/`);
  say(`Desk:    ${site}/desk`);
  say(`Webhook: ${site}/webhooks/resend`);
  say();
  say("Next steps:");
  const steps = [
    vars.MAIL_FROM
      ? `Verify your sending domain in Resend: the domain of MAIL_FROM (${vars.MAIL_FROM}).`
      : "Verify your sending domain in Resend, and send from it: MAIL_FROM='News <news@your.domain>' npm run deploy",
    `Add a webhook in Resend to ${site}/webhooks/resend with the events ${WEBHOOK_EVENTS.join(", ")}.`,
  ];
  if (secrets.unset.includes("RESEND_WEBHOOK_SECRET"))
    steps.push(
      "Give Tidings that webhook's signing secret: RESEND_WEBHOOK_SECRET=whsec_... npm run deploy",
    );
  if (secrets.unset.includes("RESEND_API_KEY"))
    steps.push(
      "Until RESEND_API_KEY is set (RESEND_API_KEY=re_... npm run deploy), mail waits in the outbox at /outbox.",
    );
  if (!vars.MAIL_POSTAL_ADDRESS)
    steps.push(
      "Set your postal address for every email's footer: MAIL_POSTAL_ADDRESS=... npm run deploy",
    );
  if (!vars.EDITOR_EMAILS)
    steps.push("For the weekly report: EDITOR_EMAILS=you@example.com npm run deploy");
  steps.push("Sign in to the desk with your editor token and post the first story.");
  steps.forEach((step, i) => say(`  ${i + 1}. ${step}`));
}

main().catch((error) => {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
