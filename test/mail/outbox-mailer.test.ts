import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createOutboxMailer, listOutbox } from "../../src/mail/outbox-mailer";

const email = (to: string) => ({
  to,
  from: "T <t@example.com>",
  subject: `For ${to}`,
  html: "<p>x</p>",
  text: "x",
});

describe("outbox adapter", () => {
  it("stores each message once per idempotency key", async () => {
    const mailer = createOutboxMailer(env.OUTBOX);
    const first = await mailer.sendBatch(
      [email("a@outbox.test"), email("b@outbox.test")],
      "same-key",
    );
    const again = await mailer.sendBatch(
      [email("a@outbox.test"), email("b@outbox.test")],
      "same-key",
    );
    expect(first.ok && again.ok && again.ids).toEqual(first.ok && first.ids);
    expect(await listOutbox(env.OUTBOX, { to: "a@outbox.test", limit: 100 })).toHaveLength(1);
    await mailer.send(email("a@outbox.test"), "another-key");
    expect(await listOutbox(env.OUTBOX, { to: "a@outbox.test", limit: 100 })).toHaveLength(2);
  });

  it("lists newest first and honours the limit", async () => {
    let clock = Date.parse("2026-11-26T07:00:00Z");
    const mailer = createOutboxMailer(env.OUTBOX, () => new Date((clock += 1000)));
    for (let i = 0; i < 5; i++)
      await mailer.send({ ...email("order@outbox.test"), subject: `n${i}` }, `order-${i}`);
    const listed = await listOutbox(env.OUTBOX, { to: "ORDER@outbox.test", limit: 3 });
    expect(listed.map((m) => m.subject)).toEqual(["n4", "n3", "n2"]);
  });
});
