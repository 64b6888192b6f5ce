// What the importer states with a list: where the readers' consent comes from (or that each must be
// asked to confirm), how the export's tags map to the site's topics, and the defaults for the rest.
import { z } from "zod";
import type { ErrorIssue } from "../errors";
import {
  applyPreferences,
  defaultPreferences,
  PreferencesInput,
  type Preferences,
  type Topic,
} from "../subscribers/preferences";
import { TOOLS } from "./export-formats";

const Text = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} must be at most ${max} characters`)
    .regex(
      /^[^\u0000-\u0008\u000b-\u001f\u007f]+$/,
      `${field} must not contain control characters`,
    );

export const ImportOptionsInput = z
  .strictObject({
    consent: z.strictObject({
      /** The tool or list the readers come from, kept in each reader's consent record. */
      source: Text("consent.source", 100),
      /** Where and when the readers confirmed: required unless each reader is asked to confirm. */
      attestation: Text("consent.attestation", 1000).optional(),
    }),
    /** Consent unknown: each imported reader gets one confirmation email and stays pending. */
    askToConfirm: z.boolean().default(false),
    /** Read the file as this tool's export instead of recognising it by its columns. */
    tool: z.enum(TOOLS).optional(),
    /** An export tag or group name -> the site's topic slugs. */
    topics: z.record(z.string().max(100), z.array(z.string().max(32)).min(1).max(20)).optional(),
    /** More columns that hold tags or groups (Mailchimp's group columns). */
    tagColumns: z.array(z.string().max(100)).max(20).optional(),
    /** Choices for readers whose tags map to no topic (default: every topic, daily at 07:00 UTC). */
    defaults: PreferencesInput.optional(),
  })
  .superRefine((options, context) => {
    if (!options.askToConfirm && !options.consent.attestation)
      context.addIssue({
        code: "custom",
        path: ["consent", "attestation"],
        message:
          "consent.attestation is required: say where and when these readers confirmed, or set askToConfirm",
      });
  });
export type ImportOptionsInput = z.infer<typeof ImportOptionsInput>;

/** The options as the import keeps them, checked against the site's topics. */
export type ImportOptions = {
  source: string;
  attestation: string | null;
  askToConfirm: boolean;
  tool: (typeof TOOLS)[number] | null;
  tagColumns: string[];
  /** Lower-cased tag -> topic slugs. */
  topics: Record<string, string[]>;
  /** The site's topic slugs, in order (choosing all of them is stored as "all"). */
  siteTopics: string[];
  defaults: Preferences;
};

export function resolveImportOptions(
  input: ImportOptionsInput,
  siteTopics: Topic[],
): { ok: true; options: ImportOptions } | { ok: false; issues: ErrorIssue[] } {
  const issues: ErrorIssue[] = [];
  const known = new Set(siteTopics.map((topic) => topic.slug));
  const topics: Record<string, string[]> = {};
  for (const [tag, slugs] of Object.entries(input.topics ?? {})) {
    const unknown = slugs.filter((slug) => !known.has(slug));
    if (unknown.length > 0)
      issues.push({
        path: `topics.${tag}`,
        message: `topics.${tag} names unknown topics (${unknown.join(", ").slice(0, 100)}); choose from ${[...known].join(", ")}`,
      });
    topics[tag.trim().toLowerCase()] = [
      ...new Set([...(topics[tag.trim().toLowerCase()] ?? []), ...slugs]),
    ];
  }
  const defaults = applyPreferences(defaultPreferences("UTC"), input.defaults ?? {}, siteTopics);
  if (!defaults.ok)
    issues.push(...defaults.issues.map((issue) => ({ ...issue, path: `defaults.${issue.path}` })));
  if (issues.length > 0 || !defaults.ok) return { ok: false, issues };
  return {
    ok: true,
    options: {
      source: input.consent.source,
      attestation: input.consent.attestation ?? null,
      askToConfirm: input.askToConfirm,
      tool: input.tool ?? null,
      tagColumns: input.tagColumns ?? [],
      topics,
      siteTopics: siteTopics.map((topic) => topic.slug),
      defaults: defaults.preferences,
    },
  };
}

/** A reader's choices: the topics their tags map to, else the defaults; "all" when every topic. */
export function preferencesForTags(tags: string[], options: ImportOptions): Preferences {
  const chosen = new Set(tags.flatMap((tag) => options.topics[tag.toLowerCase()] ?? []));
  if (chosen.size === 0) return options.defaults;
  const ordered = options.siteTopics.filter((slug) => chosen.has(slug));
  return {
    ...options.defaults,
    topics: ordered.length === options.siteTopics.length ? null : ordered,
  };
}
