// A run slot's emails: each distinct selection (cadence, topics, local date) rendered once per
// isolate, then shared by every reader who has it; the footer says what each reader chose.
import { describePreferences, type Preferences, type Topic } from "../subscribers/preferences";
import { renderDigestEmailParts, type DigestEmailParts } from "../../templates/digest-email";
import type { Digest, DigestItem } from "./digest-schema";
import type { PartsFor } from "./personalise-chunk";
import type { AlignedChoices } from "./slot-choices";
import { selectFromPool, selectionKey } from "./slot-pool";

export type ChoiceRules = { topics: Topic[]; maxArticles: number };
type Site = { siteTitle: string; siteUrl: string; postalAddress: string };

// Per isolate, per pool: a slot's selections are wanted only while its chunks are sent, so only the
// pools of the last MAX_POOLS slots seen keep theirs (an older slot's are garbage, with the encoded
// bytes the Resend adapter keeps beside each; keeping 500 of them held some 30 MB of a 128 MB
// isolate). A slot has a few dozen selections; past MAX_PER_POOL the oldest go first.
const rendered = new Map<string, Map<string, DigestEmailParts>>();
const MAX_POOLS = 2;
const MAX_PER_POOL = 500;

function poolRenders(poolId: string): Map<string, DigestEmailParts> {
  let renders = rendered.get(poolId);
  if (renders) {
    // The most recently used pool last: the least recent goes first.
    rendered.delete(poolId);
  } else {
    renders = new Map();
    if (rendered.size >= MAX_POOLS) rendered.delete(rendered.keys().next().value!);
  }
  rendered.set(poolId, renders);
  return renders;
}

// Per isolate: the last items seen, by their content. Each slot's pool arrives as new objects, but
// an article stays in the 24-hour window of 96 quarter-hour slots: a pool whose items are these same
// objects finds each story's markup made (digest-content.ts and the email's finishing keep it per
// item object), so a story is rendered once per isolate, not once per slot. An item's markup is a
// function of its content alone, and the key is all of it: a story whose coverage changed is new.
const itemsByContent = new Map<string, DigestItem>();
const MAX_ITEMS = 1_000;

function sameItem(item: DigestItem): DigestItem {
  const key = JSON.stringify(item);
  const known = itemsByContent.get(key);
  // The most recently seen last: the least recent goes first.
  if (known) itemsByContent.delete(key);
  else if (itemsByContent.size >= MAX_ITEMS)
    itemsByContent.delete(itemsByContent.keys().next().value!);
  itemsByContent.set(key, known ?? item);
  return known ?? item;
}

/** A slot's pool with each item replaced by the object last seen with the same content. */
export const withKnownItems = (pool: Digest): Digest => ({
  ...pool,
  sections: pool.sections.map((section) => ({
    ...section,
    articles: section.articles.map(sameItem),
  })),
});

export function selectionParts(
  pool: Digest,
  preferences: Preferences,
  rules: ChoiceRules,
  site: Site,
): DigestEmailParts {
  const renders = poolRenders(pool.id);
  const key = selectionKey(preferences, Date.parse(pool.cutoff));
  const known = renders.get(key);
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
  if (renders.size >= MAX_PER_POOL) renders.delete(renders.keys().next().value!);
  renders.set(key, parts);
  return parts;
}

/** Each recipient's selection and footer; a recipient with no recorded choice gets the defaults. */
export function slotPartsFor(
  pool: Digest,
  choices: AlignedChoices | undefined,
  fallback: Preferences,
  rules: ChoiceRules,
  site: Site,
): PartsFor {
  // Recipients share a few choices: each choice's parts are found once a chunk.
  const known = new Map<Preferences, { parts: DigestEmailParts; about: string }>();
  return (_email, position) => {
    const at = choices?.i[position] ?? -1;
    const preferences = (at >= 0 && choices?.p[at]) || fallback;
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
