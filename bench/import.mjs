// `node bench/import.mjs [rows]`: a whole-list import of a generated export (default 100,000 rows:
// 94% subscribed with tags, 3% unsubscribed, 2% cleaned, 1% not an address, Mailchimp's columns)
// through POST /api/imports, run to its end by the import's own alarms under production's
// per-invocation limits. Reports the upload's and the import's wall time, the most KV operations,
// subrequests and connections any one invocation used, workerd's CPU and peak memory.
import { startHarness, workerdUsage } from "./harness.mjs";

const N = Number(process.argv[2] ?? 100_000);
// The sample reader read back must exist: at least 3 rows (row N - 2 is an address).
if (!(N >= 3)) throw new Error("rows must be at least 3");

function exportCsv(rows) {
  const header =
    '"Email Address","First Name",MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LEID,EUID,TAGS';
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const email =
      i % 100 === 99
        ? `not-an-address-${i}`
        : `reader-${String(i).padStart(7, "0")}@import.example`;
    const tags = i % 3 === 0 ? '"""AI weekly"",""Security"""' : "";
    lines.push(
      `${email},Reader ${i},3,"2019-01-02 03:04:05","2019-01-02 03:05:00",${i},e${i},${tags}`,
    );
  }
  return lines.join("\r\n");
}

const api = (harness, path, init = {}) =>
  harness.mf.dispatchFetch(`https://tidings.bench${path}`, {
    ...init,
    headers: { Authorization: "Bearer bench-editor-token", ...init.headers },
  });

/** Uploads the export as a browser or curl would, then follows the import's own alarms to its end. */
async function runImport(harness, csv, started) {
  const form = new FormData();
  form.set(
    "options",
    JSON.stringify({
      consent: {
        source: "Mailchimp",
        attestation: "Double opt-in on the Mailchimp form, 2019-2026.",
      },
      topics: { "AI weekly": ["ai"], Security: ["security"] },
    }),
  );
  form.set("file", new File([csv], "subscribed_members_export.csv", { type: "text/csv" }));
  const encoded = new Request("https://tidings.bench/", { method: "POST", body: form });
  const response = await api(harness, "/api/imports", {
    method: "POST",
    headers: { "Content-Type": encoded.headers.get("Content-Type") },
    body: new Uint8Array(await encoded.arrayBuffer()),
  });
  const answer = await response.json();
  if (response.status !== 202)
    throw new Error(`import answered ${response.status}: ${JSON.stringify(answer)}`);
  const uploadSeconds = (Date.now() - started) / 1000;
  let progress = answer.import;
  let lastPrint = Date.now();
  while (progress.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const read = await api(harness, `/api/imports/${progress.id}`, {
      headers: { "x-bench-observer": "1" },
    });
    const body = await read.text();
    // A poll that fails (the isolate busy, a limit) is logged and asked again: the import runs on.
    if (!read.ok) {
      console.error(`  progress answered ${read.status}: ${body.slice(0, 300)}`);
      continue;
    }
    progress = JSON.parse(body).import;
    if (Date.now() - lastPrint > 30_000) {
      lastPrint = Date.now();
      console.error(
        `  ${progress.read} of ${progress.rows} rows after ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }
  }
  return { progress, uploadSeconds };
}

// What the generated export must become: every address confirmed with the attestation, every
// non-address refused, and nobody emailed; a second import of the same file changes nothing.
const refusedRows = Math.floor(N / 100);
const failures = [];
const check = (what, ok) => ok || failures.push(what);

const harness = await startHarness({ rate: 100 });
try {
  const csv = exportCsv(N);
  await harness.limits(true);
  const before = workerdUsage();
  const started = Date.now();
  const { progress, uploadSeconds } = await runImport(harness, csv, started);
  const seconds = (Date.now() - started) / 1000;
  const after = workerdUsage();
  const limits = await harness.limits();

  check(`finished (${progress.state})`, progress.state === "done");
  check(`added ${progress.added} of ${N - refusedRows}`, progress.added === N - refusedRows);
  check(`refused ${progress.refused} of ${refusedRows}`, progress.refused === refusedRows);
  const sample = `reader-${String(N - 2).padStart(7, "0")}@import.example`;
  const reader = await (await api(harness, `/api/subscribers/${sample}`)).json();
  check(`${sample} confirmed`, reader.subscriber?.status === "confirmed");
  check(
    `${sample}'s ledger holds the attestation`,
    JSON.stringify(reader).includes("Double opt-in on the Mailchimp form, 2019-2026."),
  );
  // The harness sends through the fake Resend: it counts every recipient it accepted.
  const emailed = harness.fake.perReader().size;
  check(`nobody emailed (the provider was sent ${emailed})`, emailed === 0);
  const again = (await runImport(harness, csv, Date.now())).progress;
  check(
    `the second import adds ${again.added} and updates ${again.updated}`,
    again.state === "done" && again.added === 0 && again.updated === 0,
  );

  const result = {
    rows: N,
    csvMB: +(csv.length / 1024 / 1024).toFixed(1),
    uploadSeconds,
    seconds,
    rowsPerSecond: Math.round(N / seconds),
    progress,
    again,
    mostKvOps: limits.mostKvOps,
    mostSubrequests: limits.mostSubrequests,
    mostConnections: limits.mostConnections,
    violations: limits.violationCount,
    invocations: limits.invocations,
    totalsByKind: limits.totalsByKind,
    workerdCpuSeconds: +(after.cpuSeconds - before.cpuSeconds).toFixed(1),
    workerdPeakMB: Math.round(after.peakBytes / 1024 / 1024),
    failures,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `| list import, ${N.toLocaleString("en")} rows (Mailchimp columns, ${result.csvMB} MB) | ${seconds.toFixed(0)} s (upload ${uploadSeconds.toFixed(1)} s), ${result.rowsPerSecond} rows/s | most in one invocation: ${limits.mostKvOps.count} KV ops, ${limits.mostSubrequests.count} subrequests, ${limits.mostConnections.count} connections; ${limits.violationCount} limit violations | workerd CPU ${result.workerdCpuSeconds} s, peak ${result.workerdPeakMB} MB | ${failures.length === 0 ? "all checks hold" : `FAILED: ${failures.join("; ")}`} |`,
  );
  if (failures.length > 0) process.exitCode = 1;
} finally {
  await harness.close();
}
