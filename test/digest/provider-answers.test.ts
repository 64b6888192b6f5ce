// Each answer of the provider handled as it means, through the real send consumer and edition
// owners: an email refused for a field other than its address fails alone (reader unchanged, listed
// for a redrive); a key still in progress is retried under the same key and set; a key used with
// another payload proves an earlier accepted call; a spent quota pauses the whole send, which says
// so, holds every chunk, and carries on by itself when the quota resets or when an editor resumes.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { endPause } from "../../src/digest/edition-pause";
import { REDRIVE_CHUNK_BASE } from "../../src/digest/failed-readers";
import { choicesOf, recordChoices } from "../../src/digest/slot-choices";
import { defaultPreferences } from "../../src/subscribers/preferences";
import type { Mailer, SendResult } from "../../src/mail/mailer";
import { providerLimiter } from "../../src/mail/provider-limiter";
import { api } from "../fixtures/api";
import { fakeProvider, waitFor } from "../fixtures/digest";
import { bareSend, deps, editions, quotaAnswer, run, status } from "../fixtures/send";

const { edition, readers } = editions("2042-03");

const TAG_REFUSAL =
  "Invalid `tags` field. Tag names and values can only contain ASCII letters, numbers, underscores, or dashes.";

/** A provider that refuses the emails at `indexes` alone, for `message`. */
function refusing(provider: ReturnType<typeof fakeProvider>, indexes: number[], message: string) {
  return {
    ...provider.mailer,
    async sendBatch(emails, key) {
      const sent = await provider.mailer.sendBatch(emails, key);
      if (!sent.ok) return sent;
      const rejected = indexes.map((index) => ({
        index,
        to: emails[index]!.to,
        message,
        address: false,
      }));
      return { ...sent, rejected };
    },
  } satisfies Mailer;
}

const failure = (reason: SendResult & { ok: false }) => reason;
describe("an email refused for a field other than its address", () => {
  it("fails alone with the reason, leaves the reader as they were, and goes out again on redrive", async () => {
    const emails = readers("tags", 100);
    const { id, owner, jobs } = await edition([emails]);
    const provider = fakeProvider();
    const marked: string[] = [];
    const markInvalid = async (email: string) => void marked.push(email);
    await run(jobs, deps(refusing(provider, [3, 40], TAG_REFUSAL), { markInvalid }));
    expect(marked).toEqual([]);
    expect(await status(owner)).toMatchObject({
      status: "failed",
      sent: 98,
      invalid: 0,
      failed: 2,
      failureReasons: [{ reason: `Resend refused this email: ${TAG_REFUSAL}`, readers: 2 }],
    });
    const listed = await api(`/api/digests/${id}`);
    expect(((await listed.json()) as any).digest.failedReaders.sort()).toEqual(
      [emails[3], emails[40]].sort(),
    );
    expect(await owner.redrive()).toEqual({ readers: 2 });
    await runInDurableObject(owner, (_i, state) =>
      state.storage.sql.exec(`UPDATE chunk SET state = 'queued' WHERE state = 'new'`),
    );
    await run([{ digestId: id, chunk: REDRIVE_CHUNK_BASE }], deps(provider.mailer));
    expect(provider.calls.at(-1)!.recipients.sort()).toEqual([emails[3], emails[40]].sort());
    expect(await status(owner)).toMatchObject({ status: "sent", sent: 100, failed: 0 });
  });

  it("makes only a refused address invalid", async () => {
    const emails = readers("address", 10);
    const { owner, jobs } = await edition([emails]);
    const provider = fakeProvider();
    const marked: string[] = [];
    const addressRefusal: Mailer = {
      ...provider.mailer,
      async sendBatch(e, k) {
        const sent = await provider.mailer.sendBatch(e, k);
        const message = "Invalid `to` field. The email address needs to follow ...";
        return sent.ok
          ? { ...sent, rejected: [{ index: 1, to: e[1]!.to, message, address: true }] }
          : sent;
      },
    };
    await run(jobs, deps(addressRefusal, { markInvalid: async (e) => void marked.push(e) }));
    expect(marked).toEqual([emails[1]]);
    expect(await status(owner)).toMatchObject({ status: "sent", sent: 9, invalid: 1, failed: 0 });
  });
});

describe("a run slot's refused readers", () => {
  it("keep their own choices for the redrive", async () => {
    const slot = "2042-03-30T0700";
    const owner = await bareSend(slot);
    const mine = { ...defaultPreferences("UTC"), topics: ["ai"] };
    await runInDurableObject(owner, (_i, state) => {
      const sql = state.storage.sql;
      sql.exec(
        `INSERT INTO chunk (chunk, walked, size, state, updated_at) VALUES (0, ?, 2, 'queued', 0)`,
        JSON.stringify(["a@slot.test", "b@slot.test"]),
      );
      recordChoices(sql, 0, [
        { email: "a@slot.test", preferences: defaultPreferences("UTC") },
        { email: "b@slot.test", preferences: mine },
      ]);
      sql.exec(`UPDATE edition SET phase = 'walked', recipients = 2`);
    });
    await owner.claim(0);
    await owner.settle(0, {
      kind: "sent",
      invalid: [],
      failed: [{ email: "b@slot.test", reason: TAG_REFUSAL }],
    });
    expect(await status(owner)).toMatchObject({ status: "failed", sent: 1, failed: 1 });
    expect(await owner.redrive()).toEqual({ readers: 1 });
    const choices = await runInDurableObject(owner, (_i, state) =>
      choicesOf(state.storage.sql, REDRIVE_CHUNK_BASE),
    );
    expect(choices).toEqual({ "b@slot.test": mine });
  });
});

describe("idempotency answers", () => {
  it("retries a key still in progress under the same key and set, and counts it only once accepted", async () => {
    const { owner, jobs } = await edition([readers("progress", 5)]);
    const inProgress = failure({
      ok: false,
      reason: "in_progress",
      retryable: true,
      status: 409,
      name: "concurrent_idempotent_requests",
      message: "Same idempotency key used while original request is still in progress.",
    });
    const provider = fakeProvider([inProgress]);
    const first = await run(jobs, deps(provider.mailer));
    expect(first.result.retryMessages).toHaveLength(1);
    expect(await status(owner)).toMatchObject({ status: "sending", sent: 0, queued: 5 });
    await run(jobs, deps(provider.mailer), 2);
    expect(provider.calls[1]).toEqual(provider.calls[0]);
    expect(await status(owner)).toMatchObject({ status: "sent", sent: 5 });
  });

  it("counts a chunk sent when its key was used with another payload: an earlier call was accepted", async () => {
    const { owner, jobs } = await edition([readers("used", 4)]);
    const used = failure({
      ok: false,
      reason: "key_used",
      retryable: false,
      status: 409,
      name: "invalid_idempotent_request",
      message: "Same idempotency key used with a different request payload.",
    });
    await run(jobs, deps(fakeProvider([used]).mailer));
    expect(await status(owner)).toMatchObject({ status: "sent", sent: 4 });
  });
});

describe("a spent quota", () => {
  it("pauses the whole send, says why, holds every chunk, and carries on when an editor resumes", async () => {
    const { id, owner, jobs } = await edition([readers("quota-a", 3), readers("quota-b", 3)]);
    const provider = fakeProvider([quotaAnswer(Date.now() + 3_600_000)]);
    await run([jobs[0]!], deps(provider.mailer));
    const paused = (await (await api(`/api/digests/${id}`)).json()) as any;
    expect(paused.digest).toMatchObject({
      status: "paused",
      sent: 0,
      pause: { reason: "quota", quota: "daily" },
      pausedReason: expect.stringMatching(/daily email quota is spent/),
    });
    // A chunk claimed while paused makes no call: it is held too.
    await run([jobs[1]!], deps(provider.mailer));
    expect(provider.calls).toHaveLength(1);
    const states = await runInDurableObject(owner, (_i, state) =>
      state.storage.sql.exec<{ state: string }>(`SELECT state FROM chunk`).toArray(),
    );
    expect(states.map((row) => row.state)).toEqual(["held", "held"]);
    const resumed = await api(`/api/digests/${id}/resume`, { method: "POST" });
    expect(resumed.status).toBe(202);
    // The held chunks go back to the real queue, and its consumer (the local outbox) sends them.
    await waitFor(async () => (await status(owner))?.status === "sent");
    expect(await status(owner)).toMatchObject({ sent: 6, failed: 0, pause: null });
  });

  it("keeps the set and key of a chunk claimed before the pause: its call may have gone out", async () => {
    const { id, owner } = await edition([readers("out-a", 3), readers("out-b", 3)]);
    // Chunk 0's call goes out and its answer never comes (a dropped connection, a crash).
    const first = await owner.claim(0);
    expect(first.kind).toBe("send");
    // Chunk 1's answer says the quota is spent: the send pauses, and chunk 0's retry is held.
    await run(
      [{ digestId: id, chunk: 1 }],
      deps(fakeProvider([quotaAnswer(Date.now() + 3_600_000)]).mailer),
    );
    expect((await owner.claim(0)).kind).toBe("held");
    await runInDurableObject(owner, (_i, state) => void endPause(state.storage.sql));
    // After the pause, the same set under the same key; an answered error then frees nothing, since
    // the first call under that key may have been delivered.
    expect(await owner.claim(0)).toEqual(first);
    await owner.settle(0, { kind: "undelivered" });
    const row = await runInDurableObject(owner, (_i, state) =>
      state.storage.sql
        .exec<{ fixed: string | null }>(`SELECT fixed FROM chunk WHERE chunk = 0`)
        .one(),
    );
    expect(row.fixed).not.toBeNull();
    expect(await owner.claim(0)).toEqual(first);
  });

  it("carries on by itself when the limiter's quota stop ends", async () => {
    const { id, owner, jobs } = await edition([readers("reset", 4)]);
    // A quota day of 2 s: the stop ends at the next even second. Started just after one, so the
    // stop lasts long enough to be seen (started just before one, it can end before the check below).
    await new Promise((resolve) => setTimeout(resolve, 2_000 - (Date.now() % 2_000) + 20));
    const stop = await providerLimiter(env.PROVIDER_LIMITER).quotaSpent("daily", 2);
    await run(jobs, deps(fakeProvider([quotaAnswer(stop.untilMs)]).mailer));
    expect((await status(owner))!.status).toBe("paused");
    expect((await providerLimiter(env.PROVIDER_LIMITER).quotaState()).waiting).toContain(id);
    await waitFor(async () => (await status(owner))?.status === "sent", 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(stop.untilMs);
    expect((await providerLimiter(env.PROVIDER_LIMITER).quotaState()).waiting).not.toContain(id);
  });

  it("answers 409 to Resume when the send is not paused, and 404 when there is none", async () => {
    const { id } = await edition([readers("not-paused", 1)]);
    expect((await api(`/api/digests/${id}/resume`, { method: "POST" })).status).toBe(409);
    expect((await api(`/api/digests/2099-12-31/resume`, { method: "POST" })).status).toBe(404);
    expect((await api(`/api/digests/bad/resume`, { method: "POST" })).status).toBe(400);
  });
});
