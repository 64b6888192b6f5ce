// `npm run dev`: wrangler dev on one port (8787, or PORT), with SITE_URL set to that port, the
// Request.cf fetch off (quiet offline), and a start banner with the desk, outbox and sign-up URLs and
// the editor token. If the port is taken it stops and names the process that holds it.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { portHolder, portIsFree } from "./port-holder.mjs";
import "./ensure-dev-vars.mjs";

const port = Number(process.env.PORT ?? 8787);
if (!(await portIsFree(port))) {
  const holder = portHolder(port);
  console.error(
    `Port ${port} is taken${holder ? ` by ${holder}` : ""}. Stop it, or start on another port: PORT=8788 npm run dev`,
  );
  process.exit(1);
}

const site = `http://localhost:${port}`;
const token =
  /^EDITOR_TOKENS=([^:\s,]+):([^,\s]+)/m.exec(readFileSync(".dev.vars", "utf8"))?.[2] ??
  "(see .dev.vars)";

const child = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--port",
    String(port),
    "--var",
    `SITE_URL:${site}`,
    "--show-interactive-dev-session=false",
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  },
);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));

// The banner, once the Worker answers.
const deadline = Date.now() + 120_000;
while (Date.now() < deadline && child.exitCode === null) {
  const up = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })
    .then((response) => response.ok)
    .catch(() => false);
  if (up) {
    console.log(`
Tidings is running at ${site}
  Desk:     ${site}/desk       (sign in with the editor token)
  Outbox:   ${site}/outbox
  Sign up:  ${site}/
  Editor token: ${token}
  A digest now: curl -s -X POST ${site}/api/digests/run -H "Authorization: Bearer ${token}"
`);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
