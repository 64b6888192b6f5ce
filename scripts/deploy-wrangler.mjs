// The wrangler commands `npm run deploy` runs, and how it reads their output (wrangler 4.86's
// formats: `kv namespace list` and `secret list` print JSON, `queues list` a box table).
// WRANGLER names another command to run instead (the test's stub records every call).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const LOCAL_WRANGLER = "node_modules/.bin/wrangler";

/** Runs wrangler with `args`; `echo` shows its output as it comes. Never throws on a non-zero exit. */
export function wrangler(args, { echo = false, input = "ignore" } = {}) {
  const command =
    process.env.WRANGLER || (existsSync(LOCAL_WRANGLER) ? LOCAL_WRANGLER : "wrangler");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [input, "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A command that must succeed: its output, or an error that shows what wrangler said. */
export async function mustRun(args, options) {
  const result = await wrangler(args, options);
  if (result.code !== 0)
    throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/** The JSON array in an output (wrangler may print warnings around it). */
function jsonArray(output) {
  const start = output.indexOf("[");
  const end = output.lastIndexOf("]");
  if (start < 0 || end < start) throw new Error(`No JSON list in wrangler's output:\n${output}`);
  return JSON.parse(output.slice(start, end + 1));
}

export async function loggedIn() {
  return (await wrangler(["whoami", "--json"])).code === 0;
}

/** Every KV namespace of the account, by title: its id. */
export async function kvNamespaces() {
  const list = jsonArray(await mustRun(["kv", "namespace", "list"]));
  return new Map(list.map((namespace) => [namespace.title, namespace.id]));
}

export async function createKvNamespace(title) {
  await mustRun(["kv", "namespace", "create", title]);
}

/** The rows of a box table (cli-table3, as `wrangler queues list` prints it), by header. */
export function tableRows(output) {
  const lines = output.split("\n").filter((line) => line.trim().startsWith("│"));
  const cells = (line) =>
    line
      .split("│")
      .slice(1, -1)
      .map((cell) => cell.trim());
  const [header, ...rows] = lines.map(cells);
  if (!header) return [];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""])));
}

/** Every queue's name, page by page until a page adds nothing. */
export async function queueNames() {
  const names = new Set();
  for (let page = 1; page <= 100; page++) {
    const rows = tableRows(await mustRun(["queues", "list", "--page", String(page)]));
    const before = names.size;
    for (const row of rows) if (row.name) names.add(row.name);
    if (rows.length === 0 || names.size === before) break;
  }
  return names;
}

export async function createQueue(name) {
  await mustRun(["queues", "create", name]);
}

/** The names of the Worker's secrets; none when the Worker is not deployed yet. */
export async function secretNames() {
  const result = await wrangler(["secret", "list", "--format", "json"]);
  if (result.code !== 0) {
    if (/not found|does not exist|10007/i.test(result.stderr + result.stdout)) return new Set();
    throw new Error(`wrangler secret list failed:\n${result.stderr || result.stdout}`);
  }
  return new Set(jsonArray(result.stdout).map((secret) => secret.name));
}

/** The workers.dev address `wrangler deploy` printed, if any. */
export function deployedUrl(output) {
  return /https:\/\/[a-z0-9.-]+\.workers\.dev/i.exec(output)?.[0] ?? null;
}
