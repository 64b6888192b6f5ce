import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { compileDigest } from "../../src/digest/compile-digest";
import type { SendJob } from "../../src/digest/digest-schema";
import { createDigestStore } from "../../src/digest/digest-store";
import { createPacer } from "../../src/digest/pacer";
import { idempotencyKey } from "../../src/digest/personalise-chunk";
import { handleSendBatch, type SendDeps } from "../../src/digest/send-jobs";
import type { Mailer } from "../../src/mail/mailer";
import { createTokenSigner } from "../../src/subscribers/reader-token";
import { createSubscriberStore } from "../../src/subscribers/subscriber-store";
import { unsubscribe } from "../../src/subscribers/subscription";
import { fakeProvider, seedReaders, waitFor } from "../fixtures/digest";

const digests = () => createDigestStore(env.DIGESTS);
let days = 0;

/** A compiled digest on a day of its own, with one article. */
async function compiledDigest(createdAt = new Date(Date.now() - 60_000)) {
  const id = `2040-01-${String(++days).padStart(2, "0")}`;
  const article = {
    id: "01ARTICLE",
    url: "https://example.com/story",
    title: "A <b>bold</b> story",
    summary: "Summary",
    source: "example.com",
    topics: ["ai"],
    publishedAt: "2040-01-01T00:00:00.000Z",
    createdAt: "2040-01-01T00:00:00.000Z",
    updatedAt: "2040-01-01T00:00:00.000Z",
    editor: "alice",
  };
  const digest = compileDigest({
    id,
    articles: [article],
    minArticles: 1,
    windowStart: new Date(0),
    cutoff: new Date(),
    siteTitle: "Tidings",
    now: createdAt,
  });
  await digests().put(digest);
  return digest;
}

function deps(mailer: Mailer, pacer = createPacer(1000)): SendDeps {
  return {
    digests: digests(),
    readers: createSubscriberStore(env.SUBSCRIBERS),
    mailer,
    signer: createTokenSigner("test-signing-secret"),
    pacer,
    deadLetters: env.DEAD_LETTER_QUEUE as Queue<SendJob>,
    site: {
      siteTitle: "Tidings",
      siteUrl: "https://tidings.test",
      mailFrom: "Tidings <d@tidings.test>",
      postalAddress: "1 Example Street",
    },
    now: () => new Date(),
  };
}

let ids = 0;
function batchOf(jobs: SendJob[], attempts = 1) {
  return createMessageBatch(
    "tidings-send",
    jobs.map((body) => ({ id: `m${++ids}`, timestamp: new Date(), attempts, body })),
  );
}

/** Runs the consumer on a batch; `retried(job)` answers the delay it asked for, if it retried. */
async function run(
  jobs: SendJob[],
  mailer: Mailer,
  attempts = 1,
  pacer?: ReturnType<typeof createPacer>,
) {
  const batch = batchOf(jobs, attempts);
  // The pool's MessageBatch records that a message was retried but not the delay: spy for it.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const original = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      delays.set(message.id, options?.delaySeconds);
      original(options);
    });
  }
  const ctx = createExecutionContext();
  await handleSendBatch(batch, deps(mailer, pacer));
  const result = await getQueueResult(batch, ctx);
  const idOf = (job: SendJob) => batch.messages[jobs.indexOf(job)]!.id;
  return {
    result,
    acked: (job: SendJob) => result.explicitAcks.includes(idOf(job)),
    retried: (job: SendJob) =>
      result.retryMessages.some((m: { msgId: string }) => m.msgId === idOf(job))
        ? { delaySeconds: delays.get(idOf(job)) }
        : undefined,
  };
}

function jobsFor(digestId: string, emails: string[]): SendJob[] {
  const jobs: SendJob[] = [];
  for (let i = 0; i < emails.length; i += 100)
    jobs.push({ digestId, chunk: jobs.length, recipients: emails.slice(i, i + 100) });
  return jobs;
}

describe("the send consumer", () => {
  it("turns each job into one batch call of personalised emails, and records progress before acking", async () => {
    const digest = await compiledDigest();
    const emails = await seedReaders(150, "personal");
    const provider = fakeProvider();
    const jobs = jobsFor(digest.id, emails);
    const { acked } = await run(jobs, provider.mailer);
    expect(provider.calls.map((call) => call.recipients.length)).toEqual([100, 50]);
    expect(jobs.every(acked)).toBe(true);
    const [first, second] = provider.deliveries;
    expect(first!.email.subject).toBe(digest.subject);
    expect(first!.email.headers!["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(first!.email.headers!["List-Unsubscribe"]).not.toBe(
      second!.email.headers!["List-Unsubscribe"],
    );
    expect(first!.email.html).toContain(first!.email.headers!["List-Unsubscribe"]!.slice(1, -1));
    expect(first!.email.html).toContain("A &lt;b&gt;bold&lt;/b&gt; story");
    expect(first!.email.tags).toEqual([
      { name: "digest", value: digest.id },
      { name: "chunk", value: "0" },
    ]);
    const progress = await digests().progress(digest.id);
    expect(progress).toEqual([expect.objectContaining({ s: 150, k: 0, f: 0, c: "0-1" })]);
  });

  it("derives idempotency keys from the digest, the chunk and exactly its recipients", async () => {
    const key = await idempotencyKey("2040-01-01", 3, ["b@x.test", "a@x.test"]);
    expect(key).toBe(await idempotencyKey("2040-01-01", 3, ["a@x.test", "b@x.test"]));
    expect(key).toMatch(/^digest\/2040-01-01\/3\/[0-9a-f]{24}$/);
    expect(key).not.toBe(await idempotencyKey("2040-01-01", 3, ["a@x.test"]));
    expect(key).not.toBe(await idempotencyKey("2040-01-02", 3, ["a@x.test", "b@x.test"]));
    expect(key).not.toBe(await idempotencyKey("2040-01-01", 4, ["a@x.test", "b@x.test"]));
  });

  it("waits out a 429's retry-after and starts nothing else in that invocation", async () => {
    const digest = await compiledDigest();
    const jobs = jobsFor(digest.id, await seedReaders(300, "limited"));
    const provider = fakeProvider([
      { ok: false, retryable: true, retryAfterSeconds: 7, status: 429, message: "slow down" },
    ]);
    // One call a second: the 429 is known before the next call would start.
    const { retried, acked } = await run(jobs, provider.mailer, 1, createPacer(1));
    for (const job of jobs) {
      expect(acked(job)).toBe(false);
      expect(retried(job)).toEqual({ delaySeconds: 7 });
    }
    expect(provider.deliveries).toHaveLength(0);
  });

  it("retries a 5xx with backoff, then delivers each reader once", async () => {
    const digest = await compiledDigest();
    const jobs = jobsFor(digest.id, await seedReaders(200, "flaky"));
    const provider = fakeProvider([{ ok: false, retryable: true, status: 500, message: "boom" }]);
    const first = await run(jobs, provider.mailer);
    const failed = jobs.find((job) => first.retried(job))!;
    expect(first.retried(failed)!.delaySeconds).toBe(2);
    const second = await run([failed], provider.mailer, 2);
    expect(second.acked(failed)).toBe(true);
    expect([...provider.perReader().values()].every((n) => n === 1)).toBe(true);
    expect(provider.perReader().size).toBe(200);
    const sent = (await digests().progress(digest.id)).reduce((sum, p) => sum + p.s, 0);
    expect(sent).toBe(200);
  });

  it("sends a job the provider refuses for good to the dead-letter queue, where it is counted as failed", async () => {
    const digest = await compiledDigest();
    const jobs = jobsFor(digest.id, await seedReaders(100, "refused"));
    const provider = fakeProvider([
      { ok: false, retryable: false, status: 422, message: "invalid from" },
    ]);
    const { acked } = await run(jobs, provider.mailer);
    expect(acked(jobs[0]!)).toBe(true);
    const progress = await waitFor(async () => {
      const records = await digests().progress(digest.id);
      return records.length > 0 && records;
    });
    expect(progress).toEqual([expect.objectContaining({ s: 0, f: 100, c: "0" })]);
  });

  it("skips readers who left after the digest was compiled", async () => {
    const digest = await compiledDigest(new Date(Date.now() - 60_000));
    const emails = await seedReaders(10, "leaving");
    await unsubscribe(
      { store: createSubscriberStore(env.SUBSCRIBERS), now: new Date() },
      emails[3]!,
      "one-click",
    );
    const provider = fakeProvider();
    await run(jobsFor(digest.id, emails), provider.mailer);
    expect(provider.perReader().has(emails[3]!)).toBe(false);
    expect(provider.perReader().size).toBe(9);
    expect(await digests().progress(digest.id)).toEqual([expect.objectContaining({ s: 9, k: 1 })]);
  });

  it("mails nobody twice when the consumer crashes after sending some of its jobs", async () => {
    const digest = await compiledDigest();
    const jobs = jobsFor(digest.id, await seedReaders(300, "crash"));
    const stable = fakeProvider();
    let calls = 0;
    const mailer: Mailer = {
      kind: "resend",
      send: (email, key) => stable.mailer.send(email, key),
      sendBatch: async (emails, key) => {
        if (++calls === 3) throw new Error("worker died");
        return stable.mailer.sendBatch(emails, key);
      },
    };
    await expect(run(jobs, mailer)).rejects.toThrow("worker died");
    expect(stable.perReader().size).toBe(200);
    // The runtime retries the whole batch: nothing was acked.
    await run(jobs, mailer, 2);
    expect(stable.perReader().size).toBe(300);
    expect([...stable.perReader().values()].every((n) => n === 1)).toBe(true);
    expect((await digests().progress(digest.id)).reduce((sum, p) => sum + p.s, 0)).toBe(300);
  });

  it("counts a chunk delivered twice by the queue once, and sends it once", async () => {
    const digest = await compiledDigest();
    const [job] = jobsFor(digest.id, await seedReaders(5, "twice"));
    const provider = fakeProvider();
    await run([job!, { ...job! }], provider.mailer);
    await run([job!], provider.mailer);
    expect(provider.calls).toHaveLength(1);
    expect((await digests().progress(digest.id)).reduce((sum, p) => sum + p.s, 0)).toBe(5);
  });

  it("repeats the same recipients and key after a dropped connection, even if a reader left meanwhile", async () => {
    const digest = await compiledDigest();
    const emails = await seedReaders(4, "dropped");
    const [job] = jobsFor(digest.id, emails);
    const provider = fakeProvider([
      { ok: false, retryable: true, status: null, message: "connection lost" },
    ]);
    await run([job!], provider.mailer);
    await unsubscribe(
      { store: createSubscriberStore(env.SUBSCRIBERS), now: new Date() },
      emails[0]!,
      "page",
    );
    await run([job!], provider.mailer, 2);
    expect(provider.calls.map((call) => call.key)).toEqual([
      provider.calls[0]!.key,
      provider.calls[0]!.key,
    ]);
    expect(provider.calls[1]!.recipients).toHaveLength(4);
  });

  it("filters again after an error answer, since nothing was delivered", async () => {
    const digest = await compiledDigest();
    const emails = await seedReaders(4, "refiltered");
    const [job] = jobsFor(digest.id, emails);
    const provider = fakeProvider([{ ok: false, retryable: true, status: 503, message: "down" }]);
    await run([job!], provider.mailer);
    await unsubscribe(
      { store: createSubscriberStore(env.SUBSCRIBERS), now: new Date() },
      emails[0]!,
      "page",
    );
    await run([job!], provider.mailer, 2);
    expect(provider.calls[1]!.recipients).toEqual(emails.slice(1));
    expect(provider.perReader().has(emails[0]!)).toBe(false);
  });
});
