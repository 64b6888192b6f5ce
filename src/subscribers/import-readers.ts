// Importing readers an editor brings (JSON or CSV): each address is signed up as `import` with the
// consent source the editor names, and still gets a confirmation email (double opt-in).
import { ApiError } from "../errors";
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
      error: { code: string; message: string };
    };

export async function importReaders(
  deps: SubscriptionDeps,
  addresses: unknown[],
  consentSource: string,
): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const [index, raw] of addresses.entries()) {
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
