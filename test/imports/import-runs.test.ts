// What a careful operator expects of an import run: repeating it or resuming it after a crash
// doubles nobody, readers Tidings already knows keep what they did here, and readers asked to
// confirm get one email each.
import { afterEach, describe, expect, it } from "vitest";
import { setFaultHook } from "../platform/platform-limits";
import { ledgerOf } from "../fixtures/ledger";
import { mailTo } from "../fixtures/reader";
import { ATTESTATION, importAll, importProgress, postImport, runImport } from "./import-fixture";

const NOW = new Date().toISOString();
const record = (email: string) => ledgerOf(email).read();
const rows = (count: number, prefix: string) =>
  [
    "email,status",
    ...Array.from({ length: count }, (_, i) => `${prefix}${i}@example.com,subscribed`),
  ].join("\n");

afterEach(() => setFaultHook(null));

describe("import runs", { timeout: 180_000 }, () => {
  it("changes nothing when the same file is imported again", async () => {
    const csv = [rows(30, "again"), "again.left@example.com,unsubscribed", "nope"].join("\n");
    const first = await importAll(csv);
    expect(first).toMatchObject({ added: 30, suppressed: 1, refused: 1 });
    const before = await Promise.all([0, 7, 29].map((i) => record(`again${i}@example.com`)));
    const second = await importAll(csv);
    expect(second).toMatchObject({
      rows: 32,
      added: 0,
      updated: 0,
      suppressed: 0,
      unchanged: 31,
      refused: 1,
    });
    expect(await Promise.all([0, 7, 29].map((i) => record(`again${i}@example.com`)))).toEqual(
      before,
    );
  });

  it("resumes after a step crashes half-way, counting and changing each reader once", async () => {
    const { body } = await postImport(rows(160, "crash"), {
      consent: { source: "Substack", attestation: ATTESTATION },
    });
    // The first step's 100th ledger call fails: the step records nothing and runs again.
    let calls = 0;
    setFaultHook((call) => {
      if (call.method === "importReader" && ++calls === 100) throw new Error("injected crash");
    });
    await runImport(body.import.id);
    // 99 readers were imported by the step that failed, and asked again by its rerun.
    expect(await importProgress(body.import.id)).toMatchObject({
      state: "done",
      retries: 1,
      read: 160,
      added: 160,
      refused: 0,
      unchanged: 0,
    });
    for (const i of [0, 99, 101, 159]) {
      const reader = await record(`crash${i}@example.com`);
      expect(reader?.status).toBe("confirmed");
      expect(reader?.history.filter((event) => event.event === "imported")).toHaveLength(1);
    }
  });

  it("refuses an address repeated in the file, naming the row it first appears on", async () => {
    const progress = await importAll(
      ["email", "twice@example.com", "other@example.com", "TWICE@example.com"].join("\n"),
    );
    expect(progress).toMatchObject({ added: 2, refused: 1 });
    const csv = await (
      await (await import("../fixtures/api")).api(`/api/imports/${progress.id}/refused.csv`)
    ).text();
    expect(csv).toContain("4,twice@example.com,the address is already on row 2");
  });

  it("never downgrades or re-consents a reader Tidings already knows", async () => {
    const signUp = (email: string, source: "form" | "import" = "form") =>
      ledgerOf(email).signUp({ source, formVersion: "test", ipHash: null }, NOW);
    await signUp("known.confirmed@example.com");
    await ledgerOf("known.confirmed@example.com").confirm(NOW);
    await signUp("known.left@example.com");
    await ledgerOf("known.left@example.com").confirm(NOW);
    await ledgerOf("known.left@example.com").unsubscribe("page", NOW);
    await signUp("known.pending@example.com");
    await signUp("known.erased@example.com");
    await ledgerOf("known.erased@example.com").erase(NOW);
    const confirmedBefore = await record("known.confirmed@example.com");

    const csv = [
      "email,status",
      "known.confirmed@example.com,unsubscribed",
      "known.left@example.com,subscribed",
      "known.pending@example.com,subscribed",
      "known.erased@example.com,subscribed",
    ].join("\n");
    expect(await importAll(csv)).toMatchObject({ unchanged: 2, updated: 1, refused: 1 });
    // Confirmed here: their own confirmation outranks the export's unsubscribe.
    expect(await record("known.confirmed@example.com")).toEqual(confirmedBefore);
    expect((await record("known.left@example.com"))?.status).toBe("unsubscribed");
    expect((await record("known.pending@example.com"))?.status).toBe("confirmed");
    expect(await record("known.erased@example.com")).toBeNull();

    // What an import brought in, a later export may take away: the reader left the old tool since.
    await importAll("email,status\nsynced@example.com,subscribed");
    expect(await importAll("email,status\nsynced@example.com,unsubscribed")).toMatchObject({
      suppressed: 1,
    });
    expect((await record("synced@example.com"))?.status).toBe("unsubscribed");
  });

  it("asks each new reader to confirm, with one email each, when consent is unknown", async () => {
    const csv = [
      "email,status",
      "ask.one@example.com,subscribed",
      "ask.two@example.com,pending",
      "ask.gone@example.com,unsubscribed",
    ].join("\n");
    const options = { askToConfirm: true, consent: { source: "Old CRM" } };
    expect(await importAll(csv, options)).toMatchObject({
      added: 2,
      suppressed: 1,
      confirmationsSent: 2,
    });
    expect(await importAll(csv, options)).toMatchObject({
      added: 0,
      unchanged: 3,
      confirmationsSent: 0,
    });
    for (const email of ["ask.one@example.com", "ask.two@example.com"]) {
      expect((await record(email))?.status).toBe("pending");
      const mail = await mailTo(email);
      expect(mail.map((message) => message.tags.find((tag) => tag.name === "kind")?.value)).toEqual(
        ["confirm"],
      );
    }
    expect(await mailTo("ask.gone@example.com")).toHaveLength(0);
    expect(
      (await record("ask.one@example.com"))?.history.find((e) => e.event === "imported")
        ?.attestation,
    ).toBeUndefined();
  });
});
