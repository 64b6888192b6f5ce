// `node scripts/confirm-timing.mjs [--readers N]`: how long `POST /confirm` takes to answer, measured
// on the real Worker under `wrangler dev` (local outbox, fresh state). Two ways a reader confirms:
// as readers do, a while after signing up (here 1.5 s: the reader's mirror key was last written more
// than a second ago), and at once after signing up. Prints the medians (and min/max) in ms, then
// checks that each reader's KV mirror ends confirmed with the welcome recorded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker } from "./start-worker.mjs";

const TOKEN = "timing-editor-token";
const readersArg = process.argv.indexOf("--readers");
const READERS = readersArg > 0 ? Number(process.argv[readersArg + 1]) : 8;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const summary = (values) => ({
  medianMs: Math.round(median(values)),
  minMs: Math.round(Math.min(...values)),
  maxMs: Math.round(Math.max(...values)),
});

const state = mkdtempSync(join(tmpdir(), "tidings-confirm-timing-"));
const worker = await startWorker({
  persistTo: state,
  quiet: true,
  vars: {
    EDITOR_TOKENS: `editor:${TOKEN}`,
    SIGNING_SECRET: "timing-signing-secret",
    FIGURES_BASELINE_DELAY_SECONDS: "0",
  },
});
const auth = { Authorization: `Bearer ${TOKEN}` };
let ip = 0;

/** Signs `email` up through the form and answers the token of its confirmation email. */
async function signUp(email) {
  const response = await fetch(`${worker.url}/subscribe`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      // One sign-up per address of the documentation range: the form allows 10 a minute per IP.
      "CF-Connecting-IP": `192.0.2.${++ip}`,
    },
    body: new URLSearchParams({ email, website: "" }),
  });
  if (response.status !== 200) throw new Error(`sign-up answered ${response.status}`);
  const outbox = await fetch(`${worker.url}/api/outbox?to=${encodeURIComponent(email)}`, {
    headers: auth,
  }).then((r) => r.json());
  const text = outbox.messages.find((m) => m.subject.startsWith("Confirm"))?.text ?? "";
  const url = text.match(/https?:\/\/\S+\/confirm\?token=\S+/)?.[0];
  if (!url) throw new Error(`no confirmation email for ${email}`);
  return new URL(url).searchParams.get("token");
}

/** POST /confirm, timed from the request to the whole answer. */
async function confirm(token) {
  const started = performance.now();
  const response = await fetch(`${worker.url}/confirm`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
  });
  const page = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200 || !page.includes("subscribed")) throw new Error("confirm failed");
  return ms;
}

try {
  const later = [];
  const atOnce = [];
  const emails = [];
  for (let i = 0; i < READERS; i++) {
    const email = `later-${i}@timing.test`;
    const token = await signUp(email);
    await sleep(1500);
    later.push(await confirm(token));
    emails.push(email);
  }
  for (let i = 0; i < READERS; i++) {
    const email = `at-once-${i}@timing.test`;
    atOnce.push(await confirm(await signUp(email)));
    emails.push(email);
  }
  // The mirror ends right: every reader listed confirmed in KV (the list's metadata), and the
  // record it holds has the welcome recorded (the CSV export reads the mirror records).
  await sleep(2500);
  const listed = await fetch(`${worker.url}/api/subscribers?status=confirmed&limit=100`, {
    headers: auth,
  }).then((r) => r.json());
  const confirmed = new Set(listed.subscribers.map((s) => s.email));
  const missing = emails.filter((email) => !confirmed.has(email));
  console.log(
    JSON.stringify(
      {
        readers: READERS,
        confirmAfterASecondAndMore: summary(later),
        confirmAtOnceAfterSignUp: summary(atOnce),
        mirrorsConfirmed: emails.length - missing.length,
        mirrorsMissing: missing,
      },
      null,
      2,
    ),
  );
  if (missing.length > 0) process.exitCode = 1;
} finally {
  await worker.stop();
  rmSync(state, { recursive: true, force: true });
}
