// How EditionSend answers a chunk's claim: the recipients and idempotency key for its provider
// call, fixed on the first claim (readers who left since the walk are dropped then) and repeated
// on every later one, so a retry names the same set under the same key. A set still claimed when
// it is claimed again was never settled: its call went unanswered and the set stays for good
// (chunk-ledger.ts, UNCERTAIN_TABLE). While the send is paused for the quota, a claim is held.
// Only EditionSend calls this, inside its own invocations.
import { departureLog } from "../subscribers/departure-log";
import { markUncertain, type Settlement } from "./chunk-ledger";
import { isSlotId } from "./digest-schema";
import { holdChunk, pauseOf } from "./edition-pause";
import { chunkRow, editionRow } from "./edition-rows";
import { idempotencyKey } from "./personalise-chunk";
import { alignedChoices, type AlignedChoices } from "./slot-choices";
import { STALE_LIST_MS } from "./walk-readers";

export type Claim =
  | {
      kind: "send";
      recipients: string[];
      key: string;
      /** A run slot's chunk: what each recipient chose, in the order of `recipients`. */
      choices?: AlignedChoices;
    }
  | { kind: "settled" }
  /** The send is paused for the provider's quota: the chunk waits, and the job is done. */
  | { kind: "held" }
  | { kind: "unknown" };

/** A chunk whose every reader left before it was claimed: sent, with nothing to send. */
export const EMPTY_CHUNK: Settlement = { kind: "sent", invalid: [] };

/** The owner's storage and env, and how it settles a chunk left empty. */
export type ClaimOwner = {
  sql: SqlStorage;
  env: Env;
  settleEmpty: (chunk: number) => Promise<void>;
};

export async function claimChunk(
  { sql, env, settleEmpty }: ClaimOwner,
  chunk: number,
): Promise<Claim> {
  const row = chunkRow(sql, chunk);
  if (!row) return { kind: "unknown" };
  if (row.state === "sent" || row.state === "failed") return { kind: "settled" };
  if (pauseOf(sql)) {
    // Held while still claimed: its earlier call went unanswered. Holding forgets "claimed", so the
    // chunk is marked now, or an answered error after the pause would free a set perhaps delivered.
    if (row.state === "claimed" && row.fixed !== null) markUncertain(sql, chunk);
    holdChunk(sql, chunk, Date.now());
    return { kind: "held" };
  }
  const { id, created_ms: since } = editionRow(sql)!;
  if (row.fixed !== null) {
    // A set fixed earlier is under way again: an erasure must not rewrite it, or the key would
    // change. Still claimed, the earlier call was never answered: its set stays for good.
    if (row.state === "claimed") markUncertain(sql, chunk);
    else sql.exec(`UPDATE chunk SET state = 'claimed' WHERE chunk = ?`, chunk);
    return sendClaim(sql, id, chunk, JSON.parse(row.fixed));
  }
  const walked: string[] = JSON.parse(row.walked ?? "[]");
  // An edition walks KV's list, which can show a reader who left shortly before the compile; a
  // run slot walks the DueIndex, which is current.
  const from = isSlotId(id) ? since : since - STALE_LIST_MS;
  const departed = new Set(await departureLog(env).departedAmong(walked, from));
  // Another claim of this chunk may have fixed the set while we waited: keep the first.
  const fresh = chunkRow(sql, chunk)!;
  if (fresh.state === "sent" || fresh.state === "failed") return { kind: "settled" };
  if (fresh.fixed !== null) return sendClaim(sql, id, chunk, JSON.parse(fresh.fixed));
  const recipients = walked.filter((email) => !departed.has(email));
  sql.exec(
    `UPDATE chunk SET fixed = ?, skipped = ?, state = 'claimed', updated_at = ? WHERE chunk = ?`,
    JSON.stringify(recipients),
    walked.length - recipients.length,
    Date.now(),
    chunk,
  );
  if (recipients.length > 0) return sendClaim(sql, id, chunk, recipients);
  await settleEmpty(chunk);
  return { kind: "settled" };
}

async function sendClaim(
  sql: SqlStorage,
  id: string,
  chunk: number,
  recipients: string[],
): Promise<Claim> {
  const key = await idempotencyKey(id, chunk, recipients);
  if (!isSlotId(id)) return { kind: "send", recipients, key };
  return { kind: "send", recipients, key, choices: alignedChoices(sql, chunk, recipients) };
}
