// The benchmark's seeded state: N readers and M articles in a local-KV folder under bench-results/
// (not committed), made once and copied for every run.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { kvNamespaceId, readerEmails, startHarness } from "./harness.mjs";
import { seedReadersDirect } from "./seed-kv-direct.mjs";

// Readers are seeded once into a local-KV folder that every run copies, so each run starts from the
// same state. Through the Worker, KV takes about 550 puts a second (30 minutes for 1,000,000 readers):
// one reader goes that way and the rest are written straight into the folder (seed-kv-direct.mjs),
// then read back through the Worker. Articles are dated at seeding time and the first digest's window
// is 24 hours, so a template is remade after 12 hours.
const TEMPLATE_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** `maxima`: articles with every title and summary at its field's maximum length. */
export async function seededTemplate(readers, articles, maxima = false) {
  const dir = join("bench-results", `seed-${readers}r-${articles}a${maxima ? "-maxima" : ""}`);
  const done = join(dir, "done");
  if (existsSync(done) && Date.now() - statSync(done).mtimeMs < TEMPLATE_MAX_AGE_MS) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`  seeding ${readers} readers and ${articles} articles into ${dir} (once)...`);
  const started = performance.now();
  const kvDir = join(dir, "kv");
  const emails = readerEmails(readers);
  const harness = await startHarness({ rate: 1, kvDir });
  try {
    await harness.seedReaders(emails.slice(0, 1));
    await harness.seedArticles(articles, undefined, maxima);
  } finally {
    await harness.close();
  }
  const namespaceId = kvNamespaceId("SUBSCRIBERS");
  seedReadersDirect({ kvDir, namespaceId, model: emails[0], emails: emails.slice(1) });
  const written = performance.now();
  const check = await startHarness({ rate: 1, kvDir });
  let count;
  try {
    count = await check.countReaders();
  } finally {
    await check.close();
  }
  if (count.total !== readers || count.confirmed !== readers || count.sample !== emails.at(-1))
    throw new Error(`seeded template ${dir} reads back wrong: ${JSON.stringify(count)}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  seeded in ${seconds.toFixed(1)} s (written ${((written - started) / 1000).toFixed(1)} s, read back ${((performance.now() - written) / 1000).toFixed(1)} s)`,
  );
  writeFileSync(done, new Date().toISOString());
  return dir;
}

/**
 * A run's copy of the template: databases copied, value files hard-linked. Miniflare never rewrites
 * a value file (a put writes a new one, a delete unlinks), so runs cannot change the template's.
 */
export function copyTemplate(template, runDir) {
  const isBlobs = (path) => basename(path) === "blobs";
  cpSync(join(template, "kv"), join(runDir, "kv"), {
    recursive: true,
    filter: (source) => !isBlobs(source),
  });
  const linked = execFileSync("find", [join(template, "kv"), "-type", "d", "-name", "blobs"], {
    encoding: "utf8",
  });
  for (const blobs of linked.split("\n").filter(Boolean)) {
    const target = join(runDir, blobs.slice(template.length));
    execFileSync("cp", ["-al", blobs, target]);
  }
}
