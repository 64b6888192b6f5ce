// Which articles report the same story. Pure: the same code runs at compile, in /api/stories and in
// `npm run eval:stories`.
//
// Method, in two stages, as news aggregators and Topic Detection and Tracking systems do:
// 1. Single pass (story-vectors.ts gives each headline a TF-IDF vector over its words; named words,
//    product model names and versions count more, the URL slug and the summary's opening less; IDF is
//    taken over the batch itself, so the day's common words weigh little). Taking articles oldest
//    first, each joins the story whose centroid (the sum of its members' vectors, drifting as the
//    story grows) is closest by cosine, if that reaches the threshold; otherwise it starts a story.
//    Comparing with a centroid rather than with single members keeps a chain of near pairs from
//    joining two unrelated stories (single-link's failure). An article must share at least two terms
//    with the story: one rare word in common ("Apple") is a coincidence, not a story.
// 2. Stories whose centroids are alike merge (merge-stories.ts): a broad story (a launch, its
//    reviews and an interview) that the strict first pass split in parts becomes one again.
// Articles more than STORY_MAX_GAP_HOURS apart, with no article of the story between them, are never
// one story.
import { mergeStories } from "./merge-stories";
import {
  addTime,
  addWeights,
  entriesOf,
  nearInTime,
  newCentroid,
  vectorsOf,
  type Centroid,
  type StoryInput,
} from "./story-vectors";

export type { StoryInput } from "./story-vectors";

/** STORY_MERGE_THRESHOLD's default (BENCHMARKS.md, "Story grouping"). */
export const DEFAULT_STORY_MERGE_THRESHOLD = 0.24;

/** The least cosine between two stories' centroids for them to merge (stage 2). */
export const DEFAULT_STORY_CENTROID_THRESHOLD = 0.3;

/** A story goes quiet after this long: a later article on its words starts a new one. */
export const STORY_MAX_GAP_HOURS = 48;
const STORY_MAX_GAP_MS = STORY_MAX_GAP_HOURS * 3_600_000;

const MIN_SHARED_TERMS = 2;

/**
 * Groups `items` (oldest first) into stories: each item's story number (0, 1, ...), numbered in
 * order of each story's first item. `threshold` is the least cosine between an item and a story's
 * centroid for the item to join it (STORY_MERGE_THRESHOLD); `centroidThreshold` the least cosine
 * between two stories for them to merge (0: no second stage).
 */
export function groupStories(
  items: StoryInput[],
  threshold: number,
  centroidThreshold = DEFAULT_STORY_CENTROID_THRESHOLD,
): number[] {
  const { vectors, proposes } = vectorsOf(items);
  const centroids: Centroid[] = [];
  // term -> the stories whose centroid holds it (terms that may propose stories only).
  const postings = new Map<string, number[]>();
  const firstPass = vectors.map((vector, i) => {
    const ms = items[i]?.at;
    const moment = ms === undefined ? { firstMs: 1, lastMs: 0 } : { firstMs: ms, lastMs: ms };
    const candidates = new Set<number>();
    for (const term of vector.terms) {
      if (!proposes(term)) continue;
      for (const story of postings.get(term) ?? []) candidates.add(story);
    }
    let best = -1;
    let bestScore = threshold;
    for (const story of candidates) {
      const centroid = centroids[story];
      if (!centroid || !nearInTime(centroid, moment, STORY_MAX_GAP_MS)) continue;
      let dot = 0;
      let shared = 0;
      vector.terms.forEach((term, k) => {
        const weight = centroid.weights.get(term) ?? 0;
        if (weight > 0) shared++;
        dot += weight * (vector.weights[k] ?? 0);
      });
      // One word in common is a coincidence ("Apple", "Fed"), however rare the word.
      if (shared < MIN_SHARED_TERMS) continue;
      const score = dot / Math.sqrt(centroid.norm2);
      if (score >= bestScore) [bestScore, best] = [score, story];
    }
    if (best < 0) {
      best = centroids.length;
      centroids.push(newCentroid());
    }
    const story = best;
    const centroid = centroids[story] as Centroid;
    centroid.size++;
    addTime(centroid, ms);
    addWeights(centroid, entriesOf(vector), (term) => {
      if (!proposes(term)) return;
      const list = postings.get(term);
      if (list) list.push(story);
      else postings.set(term, [story]);
    });
    return story;
  });
  if (centroidThreshold <= 0) return firstPass;
  const merged = mergeStories(centroids, centroidThreshold, proposes, STORY_MAX_GAP_MS);
  // Renumbered in order of each story's first item.
  const numbers = new Map<number, number>();
  return firstPass.map((story) => {
    const root = merged[story] ?? story;
    let number = numbers.get(root);
    if (number === undefined) numbers.set(root, (number = numbers.size));
    return number;
  });
}
