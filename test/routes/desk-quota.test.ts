// The desk while the provider's email quota is spent: a banner on every page says so and until
// when, the Sends page shows each paused send (run slots included) with its reason and a Resume
// button, and resuming ends the stop for every send that waited.
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { providerLimiter } from "../../src/mail/provider-limiter";
import { desk, signIn } from "../fixtures/desk";
import { fakeProvider } from "../fixtures/digest";
import { bareSend, deps, editions, quotaAnswer, run } from "../fixtures/send";

const { edition, readers } = editions("2043-04");
let cookie = "";
beforeAll(async () => {
  cookie = await signIn();
});

const quota = (untilMs: number) => fakeProvider([quotaAnswer(untilMs)]);

describe("the desk while the quota is spent", () => {
  it("shows no banner while sending is allowed", async () => {
    const page = await (await desk("/desk/sends", cookie)).text();
    expect(page).not.toContain("the email quota is spent");
    expect(page).not.toContain("<!--desk-banner-->");
  });

  it("shows the banner on every page, lists the paused send with its reason, and resumes it", async () => {
    const limiter = providerLimiter(env.PROVIDER_LIMITER);
    const stop = await limiter.quotaSpent("daily", 86_400);
    const { id, owner, jobs } = await edition([readers("desk-quota", 2)]);
    await run(jobs, deps(quota(stop.untilMs).mailer));
    for (const path of ["/desk", "/desk/sends", "/desk/readers"]) {
      const page = await (await desk(path, cookie)).text();
      expect(page, path).toContain("Sending is paused: the email quota is spent");
      expect(page, path).toContain(
        `${new Date(stop.untilMs).toISOString().slice(0, 16).replace("T", " ")} UTC`,
      );
    }
    const sends = await (await desk("/desk/sends", cookie)).text();
    expect(sends).toMatch(new RegExp(`${id}</a>: paused`));
    expect(sends).toContain("<strong>Paused:</strong> Resend&#39;s daily email quota is spent");
    expect(sends).toContain(`action="/desk/sends/${id}/resume"`);
    const resumed = await desk("/desk/quota/resume", cookie, {});
    expect(resumed.status).toBe(303);
    expect(resumed.headers.get("Location")).toBe("/desk/sends?done=resumed");
    expect((await limiter.quotaState()).stop).toBeNull();
    expect((await owner.status())!.status).not.toBe("paused");
    const after = await (await desk("/desk/sends?done=resumed", cookie)).text();
    expect(after).not.toContain("the email quota is spent");
    expect(after).toContain("Sending carries on");
  });

  it("lists a paused run slot, which is in no digest index, and resumes it", async () => {
    const limiter = providerLimiter(env.PROVIDER_LIMITER);
    const stop = await limiter.quotaSpent("daily", 86_400);
    const slot = "2043-04-20T0700";
    const owner = await bareSend(slot);
    await runInDurableObject(owner, (_i, state) => {
      state.storage.sql.exec(
        `INSERT INTO chunk (chunk, walked, size, state, updated_at) VALUES (0, '["a@b.test"]', 1, 'queued', 0)`,
      );
      state.storage.sql.exec(`UPDATE edition SET phase = 'walked', recipients = 1`);
    });
    await owner.settle(0, { kind: "quota", undelivered: true, stop });
    const sends = await (await desk("/desk/sends", cookie)).text();
    expect(sends).toContain(`Personal delivery, run slot ${slot}`);
    expect(sends).toMatch(new RegExp(`${slot}</a>: paused`));
    const resumed = await desk(`/desk/sends/${slot}/resume`, cookie, {});
    expect(resumed.status).toBe(303);
    expect((await owner.status())!.status).not.toBe("paused");
    expect(await limiter.quotaState()).toEqual({ stop: null, waiting: [] });
  });
});
