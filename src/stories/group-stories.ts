// Which articles report the same story. Pure: the same code runs at compile, in /api/stories and in
// `npm run eval:stories`.
//
// Method (single-pass clustering, as in Topic Detection and Tracking): each headline becomes a
// TF-IDF vector over its words (named words, i.e. capitalised ones, count more; the URL slug and the
// summary's opening count less; IDF is taken over the batch itself, so the day's common words weigh
// little). Taking articles oldest first, each joins the story whose centroid (the sum of its members'
// vectors) is closest by cosine, if that cosine reaches the threshold; otherwise it starts a story.
// Comparing with a centroid rather than with single members keeps a chain of near pairs from joining
// two unrelated stories (single-link's failure), and costs one sparse dot product per candidate story.
// An article must also share at least two terms with the story: one rare word in common ("Apple")
// is a coincidence, not a story.
import { termsOf } from "./story-terms";

/** STORY_MERGE_THRESHOLD's default: precision 0.92, recall 0.56 on the labelled headlines (BENCHMARKS.md). */
export const DEFAULT_STORY_MERGE_THRESHOLD = 0.16;

export type StoryInput = { title: string; url?: string; summary?: string | null };

type Vector = { terms: string[]; weights: number[] };

const IDF_MIN_DOCS = 1000;

// Terms in more than this share of the batch say too little to propose a candidate story ("stock",
// "market" on a business day); they still count in the cosine. Keeps candidate sets small.
const MAX_CANDIDATE_DF_SHARE = 0.15;

function vectorsOf(items: StoryInput[]): { vectors: Vector[]; df: Map<string, number> } {
  const raw = items.map(termsOf);
  const df = new Map<string, number>();
  for (const terms of raw) for (const term of terms.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  // A small batch (a quiet day, a test) is weighed as part of a day of IDF_MIN_DOCS headlines, so a
  // word shared by 3 of 7 headlines still counts as rare; from that size up the batch's own counts rule.
  const n = Math.max(items.length, IDF_MIN_DOCS);
  const vectors = raw.map((terms) => {
    const vector: Vector = { terms: [], weights: [] };
    let norm = 0;
    for (const [term, fieldWeight] of terms) {
      const weight = fieldWeight * Math.log((n + 1) / (df.get(term) ?? 1));
      if (weight <= 0) continue;
      vector.terms.push(term);
      vector.weights.push(weight);
      norm += weight * weight;
    }
    const length = Math.sqrt(norm) || 1;
    vector.weights = vector.weights.map((weight) => weight / length);
    return vector;
  });
  return { vectors, df };
}

const MIN_SHARED_TERMS = 2;

type Centroid = { weights: Map<string, number>; norm2: number };

/**
 * Groups `items` (oldest first) into stories: each item's story number (0, 1, ...), numbered in
 * order of each story's first item. `threshold` is the least cosine between an item and a story's
 * centroid for the item to join it (STORY_MERGE_THRESHOLD).
 */
export function groupStories(items: StoryInput[], threshold: number): number[] {
  const { vectors, df } = vectorsOf(items);
  const maxCandidateDf = Math.ceil(Math.max(items.length, IDF_MIN_DOCS) * MAX_CANDIDATE_DF_SHARE);
  const centroids: Centroid[] = [];
  // term -> the stories whose centroid holds it (rare terms only).
  const postings = new Map<string, number[]>();
  return vectors.map((vector) => {
    const candidates = new Set<number>();
    for (const term of vector.terms) {
      if ((df.get(term) ?? 0) > maxCandidateDf) continue;
      for (const story of postings.get(term) ?? []) candidates.add(story);
    }
    let best = -1;
    let bestScore = threshold;
    for (const story of candidates) {
      const centroid = centroids[story];
      if (!centroid) continue;
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
      centroids.push({ weights: new Map(), norm2: 0 });
    }
    const centroid = centroids[best] ?? { weights: new Map(), norm2: 0 };
    vector.terms.forEach((term, k) => {
      const before = centroid.weights.get(term) ?? 0;
      const after = before + (vector.weights[k] ?? 0);
      centroid.weights.set(term, after);
      centroid.norm2 += after * after - before * before;
      if (before === 0) {
        const list = postings.get(term);
        if (list) list.push(best);
        else postings.set(term, [best]);
      }
    });
    return best;
  });
}
