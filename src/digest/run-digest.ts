// A day's digest: compile it once (the window runs from the previous digest's cutoff to this run's
// scheduled time), store it, then fan the send out. Running it again resumes; it never starts over.
import type { ArticleStore } from "../articles/article-store";
import { compileDigest } from "./compile-digest";
import { complaintBrake } from "./complaint-brake";
import type { createDigestEvents } from "./digest-events";
import type { Digest, FanOutCheckpoint } from "./digest-schema";
import type { DigestStore } from "./digest-store";
import { fanOut, type FanOutDeps } from "./fan-out";

const DAY_MS = 86_400_000;

export type RunDeps = {
  articles: ArticleStore;
  digests: DigestStore;
  fanOut: FanOutDeps;
  siteTitle: string;
  maxArticles: number;
  minArticles: number;
  events: ReturnType<typeof createDigestEvents>;
  complaintBrakeRate: number;
  now: () => Date;
};

export type RunResult = {
  digest: Digest;
  compiledNow: boolean;
  checkpoint: FanOutCheckpoint | null;
};

export const digestIdFor = (instant: Date) => instant.toISOString().slice(0, 10);

/**
 * Compiles the window that ends at `cutoff`. It starts at the previous digest's cutoff; after a
 * skipped day it starts where the skipped day started, so its articles are not lost. The first
 * digest covers the last 24 hours.
 */
export async function compileWindow(deps: RunDeps, id: string, cutoff: Date): Promise<Digest> {
  const [previous] = await deps.digests.index(1, { before: id });
  const windowStart = previous
    ? new Date(previous.status === "skipped" ? previous.windowStart : previous.cutoff)
    : new Date(cutoff.getTime() - DAY_MS);
  const { articles } = await deps.articles.list({
    fromMs: windowStart.getTime() + 1,
    toMs: cutoff.getTime(),
    limit: deps.maxArticles,
  });
  const digest = compileDigest({
    id,
    articles,
    minArticles: deps.minArticles,
    windowStart,
    cutoff,
    siteTitle: deps.siteTitle,
    now: deps.now(),
  });
  if (digest.status !== "compiled") return digest;
  // The brake looks at the last digest that went out: complaints or hard bounces past the limit
  // hold this one (compiled and archived, not sent) until an editor releases it.
  // A held digest never went out: the brake keeps looking at the one that did, so an unreleased
  // hold is not waved through the next day.
  const lastSent = (await deps.digests.index(30, { before: id, published: true })).find(
    (d) => d.status !== "held",
  );
  const reason = lastSent ? await complaintBrake(deps, lastSent.id) : null;
  return reason ? { ...digest, status: "held", heldReason: reason } : digest;
}

export async function runDigest(
  deps: RunDeps,
  options: { id: string; cutoff: Date; dryRun?: boolean },
): Promise<RunResult> {
  const existing = await deps.digests.get(options.id);
  if (options.dryRun) {
    return {
      digest: existing ?? (await compileWindow(deps, options.id, options.cutoff)),
      compiledNow: false,
      checkpoint: null,
    };
  }
  let digest = existing;
  if (!digest) {
    digest = await compileWindow(deps, options.id, options.cutoff);
    await deps.digests.put(digest);
    console.log(
      JSON.stringify({
        level: "info",
        event: "digest.compiled",
        id: digest.id,
        status: digest.status,
        articles: digest.articleCount,
      }),
    );
  }
  if (digest.status !== "compiled") return { digest, compiledNow: !existing, checkpoint: null };
  const checkpoint = await fanOut(deps.fanOut, digest.id);
  console.log(
    JSON.stringify({
      level: "info",
      event: "digest.enqueued",
      id: digest.id,
      chunks: checkpoint.nextChunk,
      recipients: checkpoint.recipients,
    }),
  );
  return { digest, compiledNow: !existing, checkpoint };
}
