// A run slot's chunk keeps each reader's choice by their place in its walked list, not by address:
// a claim hands the consumer each recipient's choice in the recipients' order, and a reader who
// leaves or is erased before the claim takes only their own choice with them.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { choicesOf, recordChoices } from "../../src/digest/slot-choices";
import { departureLog } from "../../src/subscribers/departure-log";
import { defaultPreferences, type Preferences } from "../../src/subscribers/preferences";
import { bareSend } from "../fixtures/send";

const choice = (topic: string): Preferences => ({ ...defaultPreferences("UTC"), topics: [topic] });
const [ai, web, cloud] = [choice("ai"), choice("web"), choice("cloud")];

/** A slot owner with one walked chunk: a@ chose ai, b@ web, c@ cloud, d@ ai again. */
async function slotChunk(slot: string) {
  const owner = await bareSend(slot);
  const at = (name: string) => `${name}@${slot.toLowerCase()}.test`;
  const readers = [
    { email: at("a"), preferences: ai },
    { email: at("b"), preferences: web },
    { email: at("c"), preferences: cloud },
    { email: at("d"), preferences: ai },
  ];
  await runInDurableObject(owner, (_i, state) => {
    const sql = state.storage.sql;
    sql.exec(
      `INSERT INTO chunk (chunk, walked, size, state, updated_at) VALUES (0, ?, 4, 'queued', 0)`,
      JSON.stringify(readers.map((reader) => reader.email)),
    );
    recordChoices(sql, 0, readers);
    sql.exec(`UPDATE edition SET phase = 'walked', recipients = 4`);
  });
  return { owner, at };
}

/** The chunk's claim: each recipient with the topic the consumer would render for them. */
async function claimedTopics(owner: Awaited<ReturnType<typeof bareSend>>) {
  const claim = await owner.claim(0);
  if (claim.kind !== "send") throw new Error(`claim: ${claim.kind}`);
  const topics = claim.recipients.map((email, k) => [
    email,
    claim.choices!.p[claim.choices!.i[k]!]?.topics?.[0],
  ]);
  return { topics, distinct: claim.choices!.p.length };
}

describe("a run slot's chunk choices", () => {
  it("are handed to the consumer in the recipients' order, one object per distinct choice", async () => {
    const { owner, at } = await slotChunk("2043-05-01T0700");
    const { topics, distinct } = await claimedTopics(owner);
    expect(distinct).toBe(3);
    expect(topics).toEqual([
      [at("a"), "ai"],
      [at("b"), "web"],
      [at("c"), "cloud"],
      [at("d"), "ai"],
    ]);
  });

  it("stay each reader's own when one who left is dropped from the claim", async () => {
    const { owner, at } = await slotChunk("2043-05-01T0800");
    // After the slot's pool was adopted (its createdAt: the fixture's 2061-01-01T07:00Z).
    await departureLog(env).recordDeparture(at("b"), Date.parse("2061-01-01T07:05:00Z"), false);
    expect((await claimedTopics(owner)).topics).toEqual([
      [at("a"), "ai"],
      [at("c"), "cloud"],
      [at("d"), "ai"],
    ]);
  });

  it("stay each reader's own when one is erased from the walked list before the claim", async () => {
    const { owner, at } = await slotChunk("2043-05-01T0900");
    await owner.forget(at("b"));
    expect((await claimedTopics(owner)).topics).toEqual([
      [at("a"), "ai"],
      [at("c"), "cloud"],
      [at("d"), "ai"],
    ]);
    const byAddress = await runInDurableObject(owner, (_i, state) =>
      choicesOf(state.storage.sql, 0),
    );
    expect(Object.keys(byAddress)).toEqual([at("a"), at("c"), at("d")]);
  });

  it("are still read from rows written by address, before the walked order was used", async () => {
    const { owner, at } = await slotChunk("2043-05-01T1000");
    await runInDurableObject(owner, (_i, state) => {
      state.storage.sql.exec(
        `UPDATE chunk_choice SET choices = ? WHERE chunk = 0`,
        JSON.stringify({
          p: [JSON.stringify(web), JSON.stringify(ai)],
          e: { [at("a")]: 1, [at("b")]: 0, [at("c")]: 0, [at("d")]: 1 },
        }),
      );
    });
    await owner.forget(at("c"));
    expect((await claimedTopics(owner)).topics).toEqual([
      [at("a"), "ai"],
      [at("b"), "web"],
      [at("d"), "ai"],
    ]);
  });
});
