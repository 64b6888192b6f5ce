#!/usr/bin/env node
// A stand-in for `wrangler` on a Cloudflare account, for test/deploy: it keeps the account in a JSON
// file (STUB_WRANGLER_STATE), appends every call's arguments to STUB_WRANGLER_LOG, and answers in
// wrangler 4.86's output formats (kv namespace list and secret list: JSON; queues list: a box table,
// 20 a page; deploy: the workers.dev address under "Deployed <name> triggers").
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";

const statePath = process.env.STUB_WRANGLER_STATE;
const state = JSON.parse(readFileSync(statePath, "utf8"));
const args = process.argv.slice(2);
appendFileSync(process.env.STUB_WRANGLER_LOG, `${JSON.stringify(args)}\n`);
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fail = (message) => {
  process.stderr.write(`\n✘ [ERROR] ${message}\n`);
  process.exit(1);
};
const QUEUES_PER_PAGE = 20;

function boxTable(head, rows) {
  if (rows.length === 0) return "┌┐\n└┘";
  const widths = head.map(
    (h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)) + 2,
  );
  const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const row = (cells) =>
    `│${cells.map((c, i) => ` ${String(c).padEnd(widths[i] - 1)}`).join("│")}│`;
  return [
    line("┌", "┬", "┐"),
    row(head),
    line("├", "┼", "┤"),
    ...rows.map(row),
    line("└", "┴", "┘"),
  ].join("\n");
}

const command = args.join(" ");
if (args[0] === "whoami") {
  if (!state.loggedIn) fail("Not logged in.");
  console.log(
    JSON.stringify({ loggedIn: true, authType: "OAuth Token", email: "ops@example.com" }),
  );
} else if (command.startsWith("kv namespace list")) {
  if (!state.loggedIn) fail("Not logged in.");
  console.log(
    JSON.stringify(
      state.namespaces.map((n) => ({ ...n, supports_url_encoding: true })),
      null,
      "  ",
    ),
  );
} else if (command.startsWith("kv namespace create")) {
  const title = args[3];
  if (state.namespaces.some((n) => n.title === title))
    fail(`A KV namespace with the title "${title}" already exists.`);
  state.namespaces.push({ id: randomBytes(16).toString("hex"), title });
  save();
  console.log(`🌀 Creating namespace with title "${title}"\n✨ Success!`);
} else if (command.startsWith("queues list")) {
  const page = Number(flag("--page") ?? 1);
  const rows = state.queues
    .slice((page - 1) * QUEUES_PER_PAGE, page * QUEUES_PER_PAGE)
    .map((name, i) => [`q${i}${page}`, name, "2026-01-01", "2026-01-01", "1", "1"]);
  console.log(
    boxTable(["id", "name", "created_on", "modified_on", "producers", "consumers"], rows),
  );
} else if (command.startsWith("queues create")) {
  const name = args[2];
  if (state.queues.includes(name)) fail(`A queue with name ${name} already exists.`);
  state.queues.push(name);
  save();
  console.log(`🌀 Creating queue '${name}'\n✅ Created queue '${name}'`);
} else if (command.startsWith("secret list")) {
  if (!state.deployed)
    fail(
      `Worker "tidings" not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.`,
    );
  console.log(
    JSON.stringify(
      state.secrets.map((name) => ({ name, type: "secret_text" })),
      null,
      "  ",
    ),
  );
} else if (args[0] === "deploy") {
  const text = readFileSync(flag("--config"), "utf8");
  const config = JSON.parse(text.replace(/^\/\/.*\n/, ""));
  const ids = new Set(state.namespaces.map((n) => n.id));
  for (const kv of config.kv_namespaces)
    if (!ids.has(kv.id)) fail(`KV namespace '${kv.id}' is not valid. [code: 10042]`);
  const secretsFile = flag("--secrets-file");
  if (secretsFile) {
    if (!existsSync(secretsFile)) fail(`No such file ${secretsFile}`);
    for (const name of Object.keys(JSON.parse(readFileSync(secretsFile, "utf8"))))
      if (!state.secrets.includes(name)) state.secrets.push(name);
  }
  state.deployed = true;
  state.deploys.push({ siteUrl: config.vars.SITE_URL, secretsFile: secretsFile ?? null });
  save();
  console.log(
    [
      "Total Upload: 1855.26 KiB / gzip: 398.31 KiB",
      `Uploaded ${config.name} (1.02 sec)`,
      `Deployed ${config.name} triggers (0.41 sec)`,
      `  https://${config.name}.stub-account.workers.dev`,
      ...config.triggers.crons.map((cron) => `  schedule: ${cron}`),
      `Current Version ID: ${randomUUID()}`,
    ].join("\n"),
  );
} else {
  fail(`The stub does not know: wrangler ${args.join(" ")}`);
}
