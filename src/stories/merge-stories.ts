// The second stage of story grouping: stories whose centroids are alike become one. Pure.
//
// The first pass compares one headline with a story, and one headline says little: a review, an
// interview and a launch of one product share few words, so a broad story comes out in parts. Two
// parts' centroids each sum many headlines, and so share the story's vocabulary. This merges them
// greedily, the most alike pair first (centroid linkage), comparing the merged centroids again
// before each merge, until no pair reaches the threshold. Candidate pairs come from each story's
// heaviest terms, so the cost grows with the number of stories, not with its square.
import { addWeights, centroidCosine, nearInTime, type Centroid } from "./story-vectors";

// A story proposes merges through this many of its heaviest terms.
const PROPOSING_TERMS = 10;
// A term among the heaviest of more stories than this is the day's shared vocabulary ("Apple" on a
// tech day): it proposes no pairs (they may still merge through rarer terms), which keeps the pairs
// linear in the number of stories.
const MAX_PROPOSING_STORIES = 50;
// Two stories must share at least this many terms to merge.
const MIN_SHARED_TERMS = 2;
// Each round merges what it can; later rounds see the merged centroids. Few are ever needed.
const MAX_ROUNDS = 6;

/**
 * Merges `centroids` in place and returns, for each story, the story it now belongs to.
 * `proposes` says whether a term is rare enough to propose a pair.
 */
export function mergeStories(
  centroids: Centroid[],
  threshold: number,
  proposes: (term: string) => boolean,
  maxGapMs: number,
): number[] {
  const parent = centroids.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const alike = (a: number, b: number) => {
    const [x, y] = [centroids[a] as Centroid, centroids[b] as Centroid];
    if (!nearInTime(x, y, maxGapMs)) return -1;
    const { cosine, shared } = centroidCosine(x, y);
    return shared >= MIN_SHARED_TERMS ? cosine : -1;
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const byTerm = new Map<string, number[]>();
    centroids.forEach((centroid, story) => {
      if (find(story) !== story) return;
      const heaviest = [...centroid.weights]
        .filter(([term]) => proposes(term))
        .sort((a, b) => b[1] - a[1])
        .slice(0, PROPOSING_TERMS);
      for (const [term] of heaviest) {
        const list = byTerm.get(term);
        if (list) list.push(story);
        else byTerm.set(term, [story]);
      }
    });
    const pairs: { a: number; b: number; cosine: number }[] = [];
    const seen = new Set<number>();
    for (const stories of byTerm.values()) {
      if (stories.length > MAX_PROPOSING_STORIES) continue;
      for (let i = 0; i < stories.length; i++)
        for (let j = i + 1; j < stories.length; j++) {
          const [a, b] = [stories[i] as number, stories[j] as number];
          const key = a * centroids.length + b;
          if (seen.has(key)) continue;
          seen.add(key);
          const cosine = alike(a, b);
          if (cosine >= threshold) pairs.push({ a, b, cosine });
        }
    }
    pairs.sort((x, y) => y.cosine - x.cosine || x.a - y.a || x.b - y.b);
    let merges = 0;
    for (const pair of pairs) {
      const [a, b] = [find(pair.a), find(pair.b)];
      if (a === b || alike(a, b) < threshold) continue;
      // The larger story absorbs the smaller: fewer weights to move.
      const [into, from] = [a, b].sort(
        (x, y) => (centroids[y] as Centroid).size - (centroids[x] as Centroid).size || x - y,
      ) as [number, number];
      const [target, source] = [centroids[into] as Centroid, centroids[from] as Centroid];
      addWeights(target, source.weights);
      target.size += source.size;
      target.firstMs = Math.min(target.firstMs, source.firstMs);
      target.lastMs = Math.max(target.lastMs, source.lastMs);
      parent[from] = into;
      merges++;
    }
    if (merges === 0) break;
  }
  return centroids.map((_, story) => find(story));
}
