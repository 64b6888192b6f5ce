// `npm run deploy` against a stub wrangler that keeps an account in a file and records every call: a
// first deploy creates what is missing, takes the secrets and learns its address; a rerun finds it
// all and changes nothing. And `--dry-run` with the real wrangler: no account, the plan and the size.
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script
import { WEBHOOK_EVENTS } from "../../scripts/deploy-config.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const STUB = join(ROOT, "test/deploy/stub-wrangler.mjs");
const run = promisify(execFile);
const folders: string[] = [];

/** This process's environment without anything that names an account or a secret, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (/^(CLOUDFLARE_|WRANGLER|EDITOR_|SIGNING_|RESEND_|MAIL_|SITE_URL)/.test(name))
      delete env[name];
  return Object.assign(env, extra);
}

type Account = {
  loggedIn: boolean;
  namespaces: { id: string; title: string }[];
  queues: string[];
  secrets: string[];
  deployed: boolean;
  deploys: { siteUrl: string; secretsFile: string | null }[];
};

/** A folder with wrangler.toml and an account the stub keeps; `deploy` runs the script there. */
function setUp(account: Partial<Account> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tidings-deploy-test-"));
  folders.push(dir);
  copyFileSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  const statePath = join(dir, "account.json");
  const logPath = join(dir, "calls.log");
  writeFileSync(logPath, "");
  const initial: Account = {
    loggedIn: true,
    namespaces: [{ id: "0".repeat(32), title: "someone-elses" }],
    // 25 queues of other Workers: the stub lists 20 a page, so tidings' are found on page 2.
    queues: Array.from({ length: 25 }, (_, i) => `other-${i}`),
    secrets: [],
    deployed: false,
    deploys: [],
    ...account,
  };
  writeFileSync(statePath, JSON.stringify(initial));
  const state = (): Account => JSON.parse(readFileSync(statePath, "utf8"));
  const calls = () =>
    readFileSync(logPath, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as string[]).join(" "));
  const deploy = async (env: Record<string, string> = {}) => {
    writeFileSync(logPath, "");
    try {
      const { stdout } = await run("node", [join(ROOT, "scripts/deploy.mjs")], {
        cwd: dir,
        env: cleanEnv({
          WRANGLER: STUB,
          STUB_WRANGLER_STATE: statePath,
          STUB_WRANGLER_LOG: logPath,
          ...env,
        }),
      });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout + failed.stderr };
    }
  };
  const deployConfig = () =>
    JSON.parse(readFileSync(join(dir, "wrangler.deploy.jsonc"), "utf8").replace(/^\/\/.*\n/, ""));
  return { dir, state, calls, deploy, deployConfig };
}

const SECRETS = {
  EDITOR_TOKENS: "ada:ada-secret-token-123",
  RESEND_API_KEY: "re_test_key_456",
  MAIL_FROM: "News <news@publisher.example>",
  MAIL_POSTAL_ADDRESS: "1 Real Road, Leeds",
};

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("npm run deploy", () => {
  it("creates what is missing on a first deploy, then a rerun finds it all and changes nothing", async () => {
    const account = setUp();
    const first = await account.deploy(SECRETS);
    expect(first.code, first.stdout).toBe(0);
    expect(account.calls()).toEqual([
      "whoami --json",
      "secret list --format json",
      "kv namespace list",
      "kv namespace create tidings-articles",
      "kv namespace create tidings-subscribers",
      "kv namespace create tidings-digests",
      "kv namespace create tidings-outbox",
      "kv namespace list",
      "queues list --page 1",
      "queues list --page 2",
      "queues list --page 3",
      "queues create tidings-send",
      "queues create tidings-send-dead",
      expect.stringMatching(
        /^deploy --config wrangler\.deploy\.jsonc --secrets-file \S+secrets\.json$/,
      ),
      "deploy --config wrangler.deploy.jsonc",
    ]);
    const state = account.state();
    const ids = Object.fromEntries(state.namespaces.map((n) => [n.title, n.id]));
    expect(state.queues).toContain("tidings-send-dead");
    // SIGNING_SECRET was made; the webhook secret was not given, and is left for later.
    expect(state.secrets.sort()).toEqual(["EDITOR_TOKENS", "RESEND_API_KEY", "SIGNING_SECRET"]);
    expect(existsSync(state.deploys[0]!.secretsFile!)).toBe(false);
    const url = "https://tidings.stub-account.workers.dev";
    expect(state.deploys.map((d) => d.siteUrl)).toEqual(["http://localhost:8787", url]);

    const config = account.deployConfig();
    expect(config.kv_namespaces).toEqual([
      { binding: "ARTICLES", id: ids["tidings-articles"] },
      { binding: "SUBSCRIBERS", id: ids["tidings-subscribers"] },
      { binding: "DIGESTS", id: ids["tidings-digests"] },
      { binding: "OUTBOX", id: ids["tidings-outbox"] },
    ]);
    expect(config.vars).toMatchObject({ SITE_URL: url, MAIL_FROM: SECRETS.MAIL_FROM });
    expect(config.migrations.map((m: { tag: string }) => m.tag)).toContain("v5");
    // The tests' placeholders stay where they are.
    expect(readFileSync(join(account.dir, "wrangler.toml"), "utf8")).toBe(
      readFileSync(join(ROOT, "wrangler.toml"), "utf8"),
    );
    expect(first.stdout).toContain(`Desk:    ${url}/desk`);
    expect(first.stdout).toContain(`Webhook: ${url}/webhooks/resend`);
    expect(first.stdout).toContain(WEBHOOK_EVENTS.join(", "));
    expect(first.stdout).toContain("RESEND_WEBHOOK_SECRET=whsec_");
    for (const value of [SECRETS.EDITOR_TOKENS, SECRETS.RESEND_API_KEY])
      expect(first.stdout).not.toContain(value);

    const again = await account.deploy({ RESEND_WEBHOOK_SECRET: "whsec_dGVzdA==" });
    expect(again.code, again.stdout).toBe(0);
    expect(account.calls()).toEqual([
      "whoami --json",
      "secret list --format json",
      "kv namespace list",
      "queues list --page 1",
      "queues list --page 2",
      "queues list --page 3",
      expect.stringMatching(/^deploy --config wrangler\.deploy\.jsonc --secrets-file /),
    ]);
    const after = account.state();
    expect(after.namespaces).toEqual(state.namespaces);
    expect(after.queues).toEqual(state.queues);
    expect(after.secrets).toContain("RESEND_WEBHOOK_SECRET");
    expect(after.deploys.at(-1)!.siteUrl).toBe(url);
    expect(account.deployConfig().vars.MAIL_FROM).toBe(SECRETS.MAIL_FROM);
    expect(again.stdout).toContain("Secret EDITOR_TOKENS: already set, kept");

    const third = await account.deploy();
    expect(account.calls().filter((call) => /create|secrets-file/.test(call))).toEqual([]);
    expect(third.stdout).not.toContain("RESEND_WEBHOOK_SECRET=whsec_");
  });

  it("stops before changing anything when not signed in, or with no editor token and no terminal", async () => {
    const signedOut = setUp({ loggedIn: false });
    const result = await signedOut.deploy(SECRETS);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("npx wrangler login");
    expect(signedOut.calls()).toEqual(["whoami --json"]);

    const account = setUp();
    const { EDITOR_TOKENS: _none, ...rest } = SECRETS;
    const tokenless = await account.deploy(rest);
    expect(tokenless.code).toBe(1);
    expect(tokenless.stdout).toContain("EDITOR_TOKENS is not set");
    expect(account.calls()).toEqual(["whoami --json", "secret list --format json"]);
  });

  it("names every webhook event the webhook route acts on", () => {
    const handler = readFileSync(join(ROOT, "src/webhooks/handle-event.ts"), "utf8");
    const handled = [...handler.matchAll(/(?:case |type === )"([a-z]+\.[a-z_]+)"/g)].map(
      (m) => m[1],
    );
    expect([...WEBHOOK_EVENTS].sort()).toEqual([...new Set(handled)].sort());
  });

  it("prints the plan and the bundle's size against the plans with --dry-run, with no account", async () => {
    const { stdout } = await run("node", [join(ROOT, "scripts/deploy.mjs"), "--dry-run"], {
      cwd: ROOT,
      env: cleanEnv({}),
    });
    expect(stdout).toContain('Tidings deploy plan for Worker "tidings" (dry run');
    expect(stdout).toContain("tidings-subscribers  (binding SUBSCRIBERS)");
    expect(stdout).toContain("--dry-run: exiting now.");
    expect(stdout).toMatch(/Bundle: [\d.]+ MB, [\d.]+ MB compressed \(gzip\)\./);
    expect(stdout).toMatch(/fits the Free plan's 3\.00 MB: \d+% of it/);
  }, 60_000);
});
