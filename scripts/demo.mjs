// `npm run demo`: the whole pipeline locally, no account, no internet. Starts the Worker, posts the
// sample articles, signs up and confirms a reader through the real routes, runs the day's digest,
// prints a summary and keeps serving until Ctrl-C.
import { readFileSync, rmSync } from "node:fs";
import { portIsFree } from "./port-holder.mjs";
import { startWorker, freePort } from "./start-worker.mjs";

// The same local editor token as `npm run dev` (.dev.vars.example), so the README's curl session
// works after either.
const TOKEN = "dev-editor-token";
const STATE = ".wrangler/demo";
const READER = "demo.reader@example.com";
const started = Date.now();

function fail(message) {
  console.error(`\ndemo failed: ${message}`);
  process.exit(1);
}

async function call(url, init = {}) {
  const response = await fetch(url, init);
  const type = response.headers.get("Content-Type") ?? "";
  const body = type.includes("json") ? await response.json() : await response.text();
  return { status: response.status, body };
}

// 8787 if nothing listens there, else any free port. Binding is the probe: it answers at once, even
// when the port's holder accepts connections and never answers HTTP (a fetch probe hung there).
const PROBE_TIMEOUT_MS = 2000;
const port = await Promise.race([
  portIsFree(8787),
  new Promise((resolve) => setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)),
]).then(async (free) => (free ? 8787 : await freePort()));
rmSync(STATE, { recursive: true, force: true });
console.log(`Starting Tidings in workerd on port ${port} (fresh state in ${STATE})...`);
const worker = await startWorker({
  port,
  persistTo: STATE,
  quiet: true,
  vars: {
    EDITOR_TOKENS: `editor:${TOKEN}`,
    SIGNING_SECRET: "demo-signing-secret-not-for-production",
    // The demo sends the day's edition to everyone now. Under personal delivery (the deployed
    // default) each reader would get theirs at their own hour from the quarter-hour cron instead.
    DIGEST_DELIVERY: "edition",
  },
});
const base = worker.url;
const auth = { Authorization: `Bearer ${TOKEN}` };
// The Worker runs in its own process group: stop it with the demo, however the demo is stopped.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    console.log("\nStopping...");
    await worker.stop();
    process.exit(0);
  });
}

try {
  // Real stories, dated within the last day (newest first, about an hour apart), so the digest
  // reads like today's news.
  const articles = JSON.parse(
    readFileSync(new URL("./sample-articles.json", import.meta.url), "utf8"),
  ).map((article, index) => ({
    ...article,
    publishedAt: new Date(started - (index + 1) * 70 * 60_000).toISOString(),
  }));
  const posted = await call(`${base}/api/articles/batch`, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ articles }),
  });
  if (posted.status !== 207) fail(`posting articles answered ${posted.status}`);
  const created = posted.body.results.filter(
    (result) => result.status === 201 || result.status === 200,
  ).length;
  console.log(`Posted ${created} articles as an editor.`);

  const signup = await call(`${base}/subscribe`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: READER, website: "" }),
  });
  if (signup.status !== 200) fail(`sign-up answered ${signup.status}`);
  const outbox = await call(`${base}/api/outbox?to=${encodeURIComponent(READER)}`, {
    headers: auth,
  });
  const confirmation = outbox.body.messages.find((message) =>
    message.subject.startsWith("Confirm"),
  );
  const confirmUrl = confirmation?.text.match(/https?:\/\/\S+\/confirm\?token=\S+/)?.[0];
  if (!confirmUrl) fail("no confirmation email in the outbox");
  const confirmed = await call(`${base}/confirm`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: new URL(confirmUrl).searchParams.get("token") }),
  });
  if (confirmed.status !== 200) fail(`confirming answered ${confirmed.status}`);
  console.log(`Signed up and confirmed ${READER} through the real pages.`);

  const run = await call(`${base}/api/digests/run`, { method: "POST", headers: auth });
  if (run.status !== 202)
    fail(`running the digest answered ${run.status}: ${JSON.stringify(run.body)}`);
  const id = run.body.digest.id;
  let status = run.body.digest;
  const deadline = Date.now() + 60_000;
  while (!["sent", "failed", "skipped"].includes(status.status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await call(`${base}/api/digests/${id}`, { headers: auth })).body.digest;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
Tidings demo: digest ${id}
  articles in the digest  ${status.articleCount}
  readers                 ${status.recipients}
  emails sent             ${status.sent} (status: ${status.status})
  time taken              ${seconds} s (including starting workerd)

  Archive:   ${base}/digests/${id}
  All:       ${base}/digests   (feed: ${base}/feed.xml)
  Desk:      ${base}/desk      (editor token: ${TOKEN})
  Outbox:    ${base}/outbox    (signed in at the desk)
  Sign up:   ${base}/

Serving until Ctrl-C.`);
} catch (error) {
  await worker.stop();
  fail(error instanceof Error ? error.message : String(error));
}
