// A run slot's emails: each distinct selection (cadence, topics, local date) rendered once per
// isolate, then shared by every reader who has it; the footer says what each reader chose.
import { describePreferences, type Preferences, type Topic } from "../subscribers/preferences";
import { renderDigestEmailParts, type DigestEmailParts } from "../../templates/digest-email";
import type { Digest } from "./digest-schema";
import type { PartsFor } from "./personalise-chunk";
import { selectFromPool, selectionKey } from "./slot-pool";

export type ChoiceRules = { topics: Topic[]; maxArticles: number };
type Site = { siteTitle: string; siteUrl: string; postalAddress: string };

// Per isolate. A day has 96 slots and a slot a few dozen selections; the oldest entries go first.
const rendered = new Map<string, DigestEmailParts>();
const MAX_REMEMBERED = 500;

export function selectionParts(
  pool: Digest,
  preferences: Preferences,
  rules: ChoiceRules,
  site: Site,
): DigestEmailParts {
  const key = `${pool.id}|${selectionKey(preferences, Date.parse(pool.cutoff))}`;
  const known = rendered.get(key);
  if (known) return known;
  const selection = selectFromPool(
    pool,
    preferences,
    rules.topics,
    rules.maxArticles,
    site.siteTitle,
  );
  // Every email links to the public archive's day (the full digest compiled at DIGEST_CRON).
  const archiveId = pool.archiveId ?? pool.cutoff.slice(0, 10);
  const parts = renderDigestEmailParts(
    { ...selection, id: archiveId, issueNumber: pool.issueNumber },
    site,
  );
  if (rendered.size >= MAX_REMEMBERED) rendered.delete(rendered.keys().next().value!);
  rendered.set(key, parts);
  return parts;
}

/** Each recipient's selection and footer; a recipient with no recorded choice gets the defaults. */
export function slotPartsFor(
  pool: Digest,
  choices: Record<string, Preferences>,
  fallback: Preferences,
  rules: ChoiceRules,
  site: Site,
): PartsFor {
  // Recipients with the same choices share one object (the owner's answer): one lookup each.
  const known = new Map<Preferences, { parts: DigestEmailParts; about: string }>();
  return (email) => {
    const preferences = choices[email] ?? fallback;
    let entry = known.get(preferences);
    if (!entry) {
      entry = {
        parts: selectionParts(pool, preferences, rules, site),
        about: describePreferences(preferences, rules.topics),
      };
      known.set(preferences, entry);
    }
    return entry;
  };
}
