import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { api } from "../fixtures/api";
import { confirmedRecord } from "../fixtures/digest";
import { kvSnapshot } from "../fixtures/kv";
import { mailTo } from "../fixtures/reader";

const store = () => createSubscriberStore(env.SUBSCRIBERS);

describe("the editors' subscriber API", () => {
  it("lists readers with counts by status, filtered and paged", async () => {
    for (let i = 0; i < 5; i++) await store().put(confirmedRecord(`listed-${i}@api.test`), null);
    await store().put({ ...confirmedRecord("left@api.test"), status: "unsubscribed" }, null);
    const all = (await (await api("/api/subscribers")).json()) as any;
    expect(all.counts).toMatchObject({ confirmed: 5, unsubscribed: 1, pending: 0 });
    const confirmed = (await (
      await api("/api/subscribers?status=confirmed&limit=2")
    ).json()) as any;
    expect(confirmed.subscribers.every((s: any) => s.status === "confirmed")).toBe(true);
    const left = (await (await api("/api/subscribers?status=unsubscribed")).json()) as any;
    expect(left.subscribers).toEqual([{ email: "left@api.test", status: "unsubscribed" }]);
  });

  it("answers one reader's record and consent ledger, or 404", async () => {
    await store().put(confirmedRecord("one@api.test"), null);
    const response = await api("/api/subscribers/one@api.test");
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).subscriber).toMatchObject({
      email: "one@api.test",
      consent: { source: "form" },
    });
    expect((await api("/api/subscribers/nobody@api.test")).status).toBe(404);
    expect((await api("/api/subscribers/not-an-address")).status).toBe(400);
  });

  it("erases a reader with DELETE (204), then 404", async () => {
    await store().put(confirmedRecord("gone@api.test"), null);
    expect((await api("/api/subscribers/gone@api.test", { method: "DELETE" })).status).toBe(204);
    expect(await store().get("gone@api.test")).toBeNull();
    expect((await api("/api/subscribers/gone@api.test", { method: "DELETE" })).status).toBe(404);
  });

  it("imports addresses as pending with a confirmation email, never as confirmed", async () => {
    const response = await api("/api/subscribers/import", {
      method: "POST",
      json: {
        addresses: ["Imported@API.test", "not-an-address", 42],
        consentSource: "2026 conference sign-up sheet",
      },
    });
    expect(response.status).toBe(207);
    const { results } = (await response.json()) as any;
    expect(results.map((r: any) => r.status)).toEqual([202, 400, 400]);
    const record = await store().get("imported@api.test");
    expect(record).toMatchObject({
      status: "pending",
      consent: {
        source: "import",
        formVersion: "2026 conference sign-up sheet",
        confirmedAt: null,
      },
    });
    expect((await mailTo("imported@api.test")).map((m) => m.subject)).toEqual([
      "Confirm your subscription to Tidings",
    ]);
  });

  it("refuses a malformed import whole, storing nothing", async () => {
    const before = await kvSnapshot(env.SUBSCRIBERS);
    for (const json of [
      { addresses: [] },
      { addresses: ["a@b.co"] },
      { addresses: ["a@b.co"], consentSource: "" },
      { addresses: Array(101).fill("a@b.co"), consentSource: "x" },
      { addresses: ["a@b.co"], consentSource: "x\u0000y" },
    ]) {
      expect((await api("/api/subscribers/import", { method: "POST", json })).status).toBe(400);
    }
    expect(await kvSnapshot(env.SUBSCRIBERS)).toBe(before);
  });
});
