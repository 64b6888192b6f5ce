// A batch of headlines as TF-IDF vectors, and stories as centroids (the sum of their members'
// vectors). Pure: shared by the two stages of group-stories.ts.
import { termsOf } from "./story-terms";

export type StoryInput = {
  title: string;
  url?: string;
  summary?: string | null;
  /** When the article was published, in ms since 1970; articles without one are never kept apart by time. */
  at?: number;
};

/** A unit vector: terms and their weights, in step. */
export type Vector = { terms: string[]; weights: number[] };

/** A story: the sum of its members' vectors, its squared length, its size and its time span. */
export type Centroid = {
  weights: Map<string, number>;
  norm2: number;
  size: number;
  firstMs: number;
  lastMs: number;
};

// A small batch (a quiet day, a test) is weighed as part of a day of IDF_MIN_DOCS headlines, so a
// word shared by 3 of 7 headlines still counts as rare; from that size up the batch's own counts rule.
const IDF_MIN_DOCS = 1000;

// Terms in more than this share of the batch say too little to propose a candidate story ("stock",
// "market" on a business day); they still count in the cosine. Keeps candidate sets small.
const MAX_CANDIDATE_DF_SHARE = 0.15;

/** Each item's unit TF-IDF vector (IDF over the batch itself), and which terms may propose stories. */
export function vectorsOf(items: StoryInput[]): {
  vectors: Vector[];
  proposes: (term: string) => boolean;
} {
  const raw = items.map(termsOf);
  const df = new Map<string, number>();
  for (const terms of raw) for (const term of terms.keys()) df.set(term, (df.get(term) ?? 0) + 1);
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
  const maxDf = Math.ceil(n * MAX_CANDIDATE_DF_SHARE);
  return { vectors, proposes: (term) => (df.get(term) ?? 0) <= maxDf };
}

export const newCentroid = (): Centroid => ({
  weights: new Map(),
  norm2: 0,
  size: 0,
  firstMs: Infinity,
  lastMs: -Infinity,
});

/** Adds weights to a centroid; `onNewTerm` hears each term the centroid did not hold. */
export function addWeights(
  centroid: Centroid,
  weights: Iterable<[string, number]>,
  onNewTerm?: (term: string) => void,
): void {
  for (const [term, weight] of weights) {
    const before = centroid.weights.get(term) ?? 0;
    const after = before + weight;
    centroid.weights.set(term, after);
    centroid.norm2 += after * after - before * before;
    if (before === 0) onNewTerm?.(term);
  }
}

/** The pairs of a vector, for addWeights. */
export function* entriesOf(vector: Vector): Generator<[string, number]> {
  for (let k = 0; k < vector.terms.length; k++)
    yield [vector.terms[k] as string, vector.weights[k] as number];
}

/** Stretches a story's time span to take in `ms` (when known). */
export function addTime(centroid: Centroid, ms: number | undefined): void {
  if (ms === undefined || !Number.isFinite(ms)) return;
  centroid.firstMs = Math.min(centroid.firstMs, ms);
  centroid.lastMs = Math.max(centroid.lastMs, ms);
}

/**
 * Whether two time spans (a story's, or an article's single moment) come within `gapMs` of each
 * other. A story or article with no time is near everything.
 */
export function nearInTime(
  a: { firstMs: number; lastMs: number },
  b: { firstMs: number; lastMs: number },
  gapMs: number,
): boolean {
  if (a.firstMs > a.lastMs || b.firstMs > b.lastMs) return true;
  return a.firstMs - gapMs <= b.lastMs && b.firstMs - gapMs <= a.lastMs;
}

/** Cosine of two centroids, and how many terms they share. */
export function centroidCosine(a: Centroid, b: Centroid): { cosine: number; shared: number } {
  const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
  let dot = 0;
  let shared = 0;
  for (const [term, weight] of small.weights) {
    const other = large.weights.get(term);
    if (other === undefined) continue;
    dot += weight * other;
    shared++;
  }
  return { cosine: dot / (Math.sqrt(a.norm2 * b.norm2) || 1), shared };
}
