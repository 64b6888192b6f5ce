// A day's digest: compile it (the window runs from the previous digest's cutoff to this run's
// scheduled time), hand it to the edition's owner, which keeps the first one offered, archive that
// one, and start its send. Running it again only nudges the owner; it never starts over.
import type { ArticleStore } from "../articles/article-store";
import { DEFAULT_STORY_MERGE_THRESHOLD } from "../stories/group-stories";
import { storyItems } from "../stories/rank-stories";
import { windowStories } from "../stories/window-stories";
import { topicLabel, type Topic } from "../subscribers/preferences";
import { compileDigest } from "./compile-digest";
import {
  complaintBrake,
  sentSince,
  slotPeriod,
  type BrakeFigures,
  type SlotFigures,
} from "./complaint-brake";
import type { Digest, DigestIndexMetadata } from "./digest-schema";
import type { NoteStore } from "./digest-note";
import type { DigestStore } from "./digest-store";
import type { SendStatus } from "./edition-status";

const DAY_MS = 86_400_000;
// The adopting compile archives the digest in KV. If it died before that, a later run repairs it,
// but not within this long of the adoption: KV allows one write per second to a key.
const ARCHIVE_REPAIR_AFTER_MS = 30_000;
// Every published index entry, to number the issue: ten years of daily issues is 4 KV list calls.
export const ALL_ISSUES = 100_000;

/** What a run needs of an edition's owner (EditionSend's RPC methods). */
export type EditionStarter = {
  adopt(digest: Digest): Promise<{ digest: Digest; first: boolean; adoptedAt: number }>;
  digest(): Promise<Digest | null>;
  start(): Promise<SendStatus | null>;
  status(): Promise<SendStatus | null>;
  brakeFigures(): Promise<BrakeFigures | null>;
};

export type RunDeps = {
  articles: ArticleStore;
  digests: DigestStore;
  edition: (id: string) => EditionStarter;
  siteTitle: string;
  maxArticles: number;
  minArticles: number;
  complaintBrakeRate: number;
  /** The run slots of a period summed, as their owners reported them (DailyFigures.slotFigures). */
  slotFigures: (fromId: string, toId: string) => Promise<SlotFigures>;
  /** The editor's notes (absent: digests carry none). */
  notes?: Pick<NoteStore, "get">;
  /** STORY_MERGE_THRESHOLD: how alike two headlines must be to be one story. */
  storyThreshold?: number;
  /** The site's topics, for section headings by label. */
  topics?: Topic[];
  now: () => Date;
};

export type RunResult = { digest: Digest; status: SendStatus | null };

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
  // Every article of the window is grouped into stories; the most covered stories make the digest.
  const { stories } = await windowStories(
    deps.articles,
    windowStart.getTime() + 1,
    cutoff.getTime(),
    deps.storyThreshold ?? DEFAULT_STORY_MERGE_THRESHOLD,
  );
  const items = storyItems(stories.slice(0, deps.maxArticles));
  const digest = compileDigest({
    id,
    articles: items,
    minArticles: deps.minArticles,
    windowStart,
    cutoff,
    siteTitle: deps.siteTitle,
    now: deps.now(),
    topicLabel: (slug) => topicLabel(deps.topics ?? [], slug),
  });
  if (digest.status !== "compiled") return digest;
  // The editor's note written while this digest was next is kept with it.
  if (deps.notes) digest.note = (await deps.notes.get(id))?.text ?? null;
  // The brake looks at what went out since the last digest that went out: complaints or hard
  // bounces past the limit hold this one (compiled and archived, not sent) until an editor releases
  // it. A held digest never went out: the brake keeps looking at the one that did, so an unreleased
  // hold is not waved through the next day.
  // One list of the archive index (1,000 keys a KV operation) gives both the issue number
  // ("No. 42": the published digests before this one, plus one) and the last digest sent.
  const published = await deps.digests.index(ALL_ISSUES, { before: id, published: true });
  digest.issueNumber = published.length + 1;
  const reason = await brakeReason(
    deps,
    published.find((d) => d.status !== "held") ?? null,
    cutoff,
  );
  return reason ? { ...digest, status: "held", heldReason: reason } : digest;
}

/**
 * The brake's verdict on what went out since `lastSent`: its own send (edition delivery) and the run
 * slots whose emails linked to it (personal delivery), one call to each owner of the figures.
 */
async function brakeReason(
  deps: RunDeps,
  lastSent: DigestIndexMetadata | null,
  cutoff: Date,
): Promise<string | null> {
  const period = slotPeriod(lastSent?.cutoff ?? null, cutoff);
  const edition = lastSent
    ? { id: lastSent.id, figures: await deps.edition(lastSent.id).brakeFigures() }
    : null;
  const went = sentSince(edition, await deps.slotFigures(period.from, period.to), period);
  return went ? complaintBrake(went.figures, went.what, deps.complaintBrakeRate) : null;
}

export async function runDigest(
  deps: RunDeps,
  options: { id: string; cutoff: Date; dryRun?: boolean },
): Promise<RunResult> {
  const existing = await deps.digests.get(options.id);
  if (options.dryRun) {
    const digest = existing ?? (await compileWindow(deps, options.id, options.cutoff));
    return { digest, status: null };
  }
  const owner = deps.edition(options.id);
  const offered = existing ?? (await compileWindow(deps, options.id, options.cutoff));
  const { digest, first, adoptedAt } = await owner.adopt(offered);
  const repair = !existing && deps.now().getTime() - adoptedAt > ARCHIVE_REPAIR_AFTER_MS;
  if (first || repair) {
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
  if (digest.status !== "compiled") return { digest, status: await owner.status() };
  return { digest, status: await owner.start() };
}
