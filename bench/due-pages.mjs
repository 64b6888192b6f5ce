// `node bench/due-pages.mjs [readers] [zones]`: the DueIndex alone. Seeds N readers (50 topic
// selections, Z zones, daily at 07:00 local) into the due index, then hands every quarter-hour slot
// of one day its readers in pages of 1,000, as slots' owners do, and reports workerd's CPU per reader.
import { startHarness, workerdUsage } from "./harness.mjs";
import { seedDueReaders, selections, ZONES } from "./day.mjs";

const N = Number(process.argv[2] ?? 100000);
const Z = Number(process.argv[3] ?? 24);
const DAY = Date.parse("2031-01-15T00:00:00Z");
const harness = await startHarness({ rate: 100, maxRetries: 8, delivery: "personal" });
const post = async (path, body) =>
  (
    await harness.mf.dispatchFetch(`https://tidings.bench${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-bench-observer": "1" },
      body: JSON.stringify(body),
    })
  ).json();
try {
  await seedDueReaders(harness, {
    readers: N,
    chosen: selections(50),
    zones: ZONES.slice(0, Z),
    nowMs: DAY - 1,
  });
  const before = workerdUsage();
  let pages = 0;
  let handed = 0;
  for (let t = DAY; t < DAY + 86_400_000; t += 900_000) {
    const slot = new Date(t).toISOString().slice(0, 16).replace(":", "");
    for (let cursor = ""; ;) {
      const page = await post("/__bench/due-page", { slot, slotMs: t, cursor, limit: 1000 });
      if (page.done) break;
      cursor = page.cursor;
      pages++;
      handed += page.count;
    }
  }
  const cpu = workerdUsage().cpuSeconds - before.cpuSeconds;
  console.log(
    `${N} readers, ${Z} zones: ${handed} handed in ${pages} pages, ${((cpu / N) * 1e6).toFixed(1)} µs of workerd CPU per reader`,
  );
} finally {
  await harness.close();
}
