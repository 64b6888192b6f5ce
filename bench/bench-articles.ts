// The benchmark's articles: headlines of distinct stories (made-up names, so no two merge into one
// story as "Story 1" and "Story 2" of one template would), and summaries of an editor's length or
// at the field maxima (a 300-character title and a 2,000-character summary, the schema's limits).
const CONSONANTS = "bcdfghjklmnprstvz";
const VOWELS = "aeiou";
const syllable = (n: number) =>
  CONSONANTS[n % CONSONANTS.length]! + VOWELS[Math.floor(n / CONSONANTS.length) % VOWELS.length]!;
const SYLLABLES = CONSONANTS.length * VOWELS.length;
function benchName(n: number): string {
  const word = syllable(n) + syllable(Math.floor(n / SYLLABLES) + 7) + syllable(n * 31 + 3);
  return word[0]!.toUpperCase() + word.slice(1);
}
const VERBS = [
  "ships",
  "opens",
  "patches",
  "launches",
  "benchmarks",
  "acquires",
  "retires",
  "forks",
];

export function benchHeadline(i: number): string {
  const name = (k: number) => benchName(i * 5 + k + 11);
  return `${name(0)} ${VERBS[i % VERBS.length]} ${name(1)} ${name(2)} as ${name(3)} tests ${name(4)} at scale`;
}

const SUMMARY =
  "A summary of about the length editors write, so the email is the size it would be on a real day. ";

/** Article `i`'s title and summary; `maxima`: each at its field's maximum length. */
export function benchText(i: number, maxima = false): { title: string; summary: string } {
  const headline = benchHeadline(i);
  if (!maxima) return { title: headline, summary: SUMMARY.repeat(2) };
  // The story's own names fill the title, so maximal titles still read as distinct stories.
  const title = `${headline}: ${`${headline} `.repeat(20)}`.slice(0, 300).trim();
  const summary = `${headline}. ${SUMMARY.repeat(25)}`.slice(0, 2000).trim();
  return { title, summary };
}
