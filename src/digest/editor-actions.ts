// What an editor can do to an edition's send, for the API and the desk alike: release a held
// digest, send the failed readers again, and resume sends paused for the provider's quota. The rules
// are the edition owner's (EditionSend) and the provider limiter's.
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { providerLimiter } from "../mail/provider-limiter";
import { runDeps } from "./digest-handlers";
import type { Digest } from "./digest-schema";
import type { DigestStore } from "./digest-store";
import { editionSend } from "./edition-send";
import { unknownEditionStatus, type SendStatus } from "./edition-status";
import { runDigest } from "./run-digest";

/** Sends a held digest; 404 when there is none, 409 when it is not held. */
export async function releaseDigest(env: AppEnv, id: string, editor: string): Promise<SendStatus> {
  const deps = runDeps(env);
  const owner = editionSend(env, id);
  const digest = (await owner.release()) ?? (await adoptHeld(deps.digests, owner, id));
  // Released by an editor: the archive record is written again, at human pace (KV allows 1/s).
  await deps.digests.put(digest);
  console.log(JSON.stringify({ level: "info", event: "digest.released", id, editor }));
  const result = await runDigest(deps, { id, cutoff: new Date(digest.cutoff) });
  return result.status ?? unknownEditionStatus(result.digest);
}

/** Sends the failed readers of an edition again; 404 without a send, 409 with none failed. */
export async function redriveDigest(
  env: AppEnv,
  id: string,
  editor: string,
): Promise<{ redriven: number; digest: SendStatus | null }> {
  const owner = editionSend(env, id);
  if (!(await owner.status())) throw notFound("There is no send for this date.");
  const { readers } = await owner.redrive();
  if (readers === 0)
    throw new ApiError(
      409,
      "conflict",
      `The send for ${id} has no failed readers to send again (a chunk that may have gone out is sent again only within 22 hours of its failure, while the provider still recognises its idempotency key).`,
    );
  console.log(JSON.stringify({ level: "info", event: "digest.redriven", id, readers, editor }));
  return { redriven: readers, digest: await owner.status() };
}

/**
 * Resume after a spent quota: the limiter's stop ends (the editor raised the plan, or knows the
 * quota reset), and every send that waited for it carries on. Answers their ids. If the quota is in
 * fact still spent, the first call is refused and everything pauses again.
 */
export async function resumeAfterQuota(env: AppEnv, editor: string): Promise<string[]> {
  const waiting = await providerLimiter(env.PROVIDER_LIMITER).endQuotaStop();
  const resumed: string[] = [];
  for (const id of waiting) if (await editionSend(env, id).resume()) resumed.push(id);
  console.log(JSON.stringify({ level: "info", event: "quota.resumed", resumed, editor }));
  return resumed;
}

/** Resumes one send paused for the quota (and every other that waited); 409 when it is not paused. */
export async function resumeSend(
  env: AppEnv,
  id: string,
  editor: string,
): Promise<{ resumed: string[]; digest: SendStatus | null }> {
  const owner = editionSend(env, id);
  const status = await owner.status();
  if (!status) throw notFound("There is no send for this date.");
  if (status.status !== "paused")
    throw new ApiError(
      409,
      "conflict",
      `The send for ${id} is ${status.status}, not paused for the provider's quota: there is nothing to resume.`,
    );
  const others = await resumeAfterQuota(env, editor);
  // Paused but no longer on the limiter's list (it resumed once and met the quota again): wake it too.
  const own = (await owner.resume()) ? [id] : [];
  return { resumed: [...new Set([...own, ...others])], digest: await owner.status() };
}

/**
 * A digest its owner cannot release: held in the archive but never adopted (compiled before owners
 * existed) is adopted and released; otherwise 404 when there is none, 409 when it is not held.
 */
async function adoptHeld(
  digests: DigestStore,
  owner: ReturnType<typeof editionSend>,
  id: string,
): Promise<Digest> {
  const stored = await digests.get(id);
  if (!stored) throw notFound("There is no digest for this date.");
  if (stored.status === "held") {
    await owner.adopt(stored);
    const released = await owner.release();
    if (released) return released;
  }
  throw new ApiError(
    409,
    "conflict",
    `The digest for ${id} is not held; there is nothing to release.`,
  );
}
