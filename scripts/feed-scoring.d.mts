// Types of feed-scoring.mjs, for the corpus test (TypeScript) that imports it.
export type ScoredItem = {
  title?: string | null;
  url?: string | null;
  publishedAt?: string | null;
};
export type ExpectedFile = {
  file: string;
  ok: boolean;
  items: ScoredItem[];
  declaredEncoding?: string | null;
};
export type Answer = { file: string; ok: boolean; error?: string; items: ScoredItem[] };
/** Expected items, and how many agree on title, link, date, both title and link; U+FFFD titles. */
type Counts = {
  items: number;
  titles: number;
  links: number;
  dates: number;
  read: number;
  replacementTitles: number;
};
export type FileScore = Counts & { misses: Record<string, unknown>[] };
/** The same as shares of all expected items (`items` stays a count). */
export type TotalScore = Counts & { files: number };
export const DEFAULT_BASE: string;
export const TARGETS: {
  titles: number;
  links: number;
  dates: number;
  replacementTitles: number;
  maxFileMs: number;
};
export function normalTitle(title: string | null | undefined): string;
export function normalLink(link: string | null | undefined, base: string): string | null;
export function whatwgSupported(label: string | null | undefined): boolean;
export function scoreFile(expected: ExpectedFile, answer: Answer | null, base: string): FileScore;
export function totalScore(results: FileScore[]): TotalScore;
export function missedTargets(total: TotalScore, maxFileMs?: number | null): string[];
