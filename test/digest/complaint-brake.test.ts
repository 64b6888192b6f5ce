// Its own file: a brake decision reads the latest digest before the one compiled.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { runDeps } from "../../src/digest/digest-handlers";
import { editionSend } from "../../src/digest/edition-send";
import { runDigest } from "../../src/digest/run-digest";
import { api } from "../fixtures/api";
import { seedArticle, seedReaders, waitFor } from "../fixtures/digest";

const HOUR = 3_600_000;

/** A digest for `id` that went out to `sent` readers (as its owner recorded), with provider events. */
async function sentDigest(
  id: string,
  sent: number,
  counts: { complained?: number; hardBounces?: number; softBounces?: number },
) {
  const cutoff = new Date(`${id}T07:00:00Z`);
  await seedArticle(
    { url: `https://brake.test/${id}`, title: `Story ${id}` },
    new Date(cutoff.getTime() - HOUR),
  );
  const deps = runDeps(env);
  const { digest } = await runDigest(deps, { id, cutoff });
  // It went out, whatever an earlier scenario's brake said.
  const owner = editionSend(env, id);
  await owner.release();
  await runDigest(deps, { id, cutoff });
  // The real send to the file's readers finishes first, so the sent count below is exact.
  await waitFor(async () => (await owner.status())?.status === "sent");
  await deps.digests.put({ ...digest, status: "compiled", heldReason: null });
  await runInDurableObject(owner, (_instance, state) => {
    state.storage.sql.exec(
      `INSERT INTO chunk (chunk, size, state, sent, updated_at) VALUES (1000000, ?, 'sent', ?, 0)`,
      sent,
      sent,
    );
  });
  for (let i = 0; i < (counts.complained ?? 0); i++)
    await owner.recordEvent(`${id}-c${i}`, "complained", false);
  for (let i = 0; i < (counts.hardBounces ?? 0); i++)
    await owner.recordEvent(`${id}-b${i}`, "bounced", true);
  for (let i = 0; i < (counts.softBounces ?? 0); i++)
    await owner.recordEvent(`${id}-s${i}`, "bounced", false);
  return digest;
}

async function nextDay(id: string) {
  const cutoff = new Date(`${id}T07:00:00Z`);
  await seedArticle(
    { url: `https://brake.test/${id}`, title: `Story ${id}` },
    new Date(cutoff.getTime() - HOUR),
  );
  return (await runDigest(runDeps(env), { id, cutoff })).digest;
}

describe("the complaint brake", () => {
  it("sends the next digest when complaints stay under the limit", async () => {
    await sentDigest("2070-01-01", 1000, { complained: 2 });
    expect((await nextDay("2070-01-02")).status).toBe("compiled");
  });

  it("holds the next digest when complaints reach 0.3% of deliveries, and says why", async () => {
    await sentDigest("2070-02-01", 1000, { complained: 3 });
    await seedReaders(5, "brake");
    const held = await nextDay("2070-02-02");
    expect(held.status).toBe("held");
    expect(held.heldReason).toBe(
      "Complaints on 2070-02-01 reached 0.30% of the emails sent (3 of 1000); the limit is 0.30%.",
    );
    const status = (await (await api("/api/digests/2070-02-02")).json()) as any;
    expect(status.digest).toMatchObject({
      status: "held",
      heldReason: held.heldReason,
      recipients: 0,
    });
    // Archived all the same.
    expect((await (await api("/api/digests/2070-02-02")).json<any>()).digest.status).toBe("held");
  });

  it("holds the next digest when permanent bounces reach 5%, and counts a complaint delivered twice once", async () => {
    await sentDigest("2070-03-01", 200, { hardBounces: 11, softBounces: 30 });
    await editionSend(env, "2070-03-01").recordEvent("2070-03-01-b0", "bounced", true);
    const held = await nextDay("2070-03-02");
    expect(held.status).toBe("held");
    expect(held.heldReason).toMatch(
      /^Permanent bounces on 2070-03-01 reached 5\.37% of the emails sent \(11 of 205\)/,
    );
    expect((await editionSend(env, "2070-03-01").status())!.events).toEqual({
      bounced: 41,
      permanentBounces: 11,
      complained: 0,
      failed: 0,
      suppressed: 0,
    });
  });

  it("keeps holding while a held digest waits: the next day still looks at the last one sent", async () => {
    await sentDigest("2070-05-01", 100, { complained: 1 });
    expect((await nextDay("2070-05-02")).status).toBe("held");
    expect((await nextDay("2070-05-03")).status).toBe("held");
  });

  it("releases a held digest on an editor's word, and refuses to release one that is not held", async () => {
    await sentDigest("2070-04-01", 100, { complained: 5 });
    expect((await nextDay("2070-04-02")).status).toBe("held");
    const released = await api("/api/digests/2070-04-02/release", { method: "POST" });
    expect(released.status).toBe(202);
    expect(((await released.json()) as any).digest.status).toMatch(/sending|sent/);
    const again = await api("/api/digests/2070-04-02/release", { method: "POST" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).error.code).toBe("conflict");
    expect((await api("/api/digests/2070-09-09/release", { method: "POST" })).status).toBe(404);
  });
});
