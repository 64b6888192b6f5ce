// Importing readers an editor brings (JSON or CSV): each address is signed up as `import` with the
// consent source the editor names, and still gets a confirmation email (double opt-in).
import { ApiError } from "../errors";
import { preferencesFromJson } from "./preference-input";
import { applyPreferences, defaultPreferences, type Topic } from "./preferences";
import { EmailAddress } from "./subscriber-schema";
import { subscribe, type SubscriptionDeps } from "./subscription";

// Each address may send a confirmation email, paced by the provider limiter: 100 a request.
export const MAX_IMPORT_ADDRESSES = 100;

export type ImportResult =
  | { status: 202; email: string; outcome: "confirmation_sent" | "nothing_to_do" }
  | {
      status: number;
      email?: string;
      input?: string | null;
      error: { code: string; message: string; issues?: { path: string; message: string }[] };
    };

/**
 * Each entry is an address, or `{email, topics?, cadence?, weekday?, deliveryHour?, timeZone?}`:
 * choices that are not valid refuse that entry alone, naming the field.
 */
export async function importReaders(
  deps: SubscriptionDeps,
  addresses: unknown[],
  consentSource: string,
  topics: Topic[] = [],
): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const [index, entry] of addresses.entries()) {
    const isObject = typeof entry === "object" && entry !== null && !Array.isArray(entry);
    const raw = isObject ? (entry as Record<string, unknown>).email : entry;
    const check = isObject
      ? applyPreferences(
          defaultPreferences("UTC"),
          preferencesFromJson(entry as Record<string, unknown>),
          topics,
        )
      : ({ ok: true, preferences: undefined } as const);
    if (!check.ok) {
      results.push({
        status: 400,
        input: typeof raw === "string" ? raw.slice(0, 254) : null,
        error: {
          code: "invalid_request",
          message: `addresses.${index} has choices that are not valid.`,
          issues: check.issues.map((issue) => ({
            ...issue,
            path: `addresses.${index}.${issue.path}`,
          })),
        },
      });
      continue;
    }
    const email = EmailAddress.safeParse(raw);
    if (!email.success) {
      results.push({
        status: 400,
        input: typeof raw === "string" ? raw.slice(0, 254) : null,
        error: { code: "invalid_request", message: `addresses.${index} is not an email address.` },
      });
      continue;
    }
    try {
      const outcome = await subscribe(deps, {
        email: email.data,
        source: "import",
        formVersion: consentSource,
        ipHash: null,
        ...(check.preferences ? { preferences: check.preferences } : {}),
      });
      results.push({ status: 202, email: email.data, outcome });
    } catch (error) {
      // The provider refused this one confirmation (rate limit, outage): the rest go on.
      if (!(error instanceof ApiError)) throw error;
      results.push({
        status: error.status,
        email: email.data,
        error: { code: error.code, message: error.message },
      });
    }
  }
  return results;
}
