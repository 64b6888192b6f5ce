// Standard Webhooks (Svix) signatures, as Resend sends them, checked by the resend SDK itself
// (`resend.webhooks.verify`, on the `standardwebhooks` library): `svix-signature` holds one or more
// space-separated `v1,<base64>` entries over `${svix-id}.${svix-timestamp}.${raw body}` (HMAC-SHA256
// with the base64 secret after `whsec_`), compared in constant time, a rotated secret working while
// both are live, and timestamps more than 5 minutes off refused. Kept alone so it can be reviewed alone.
//
// Two checks stay ours, before the SDK's, because it does not make them and our tests do: the id
// must be a plain token (the SDK signs and accepts "msg 1"), and the timestamp all digits (the SDK
// reads "12abc" as 12 with parseInt).
import { Resend } from "resend";

export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
};
export type VerifyResult = { ok: true } | { ok: false; reason: string };

// Verification needs no API key, but the SDK's client wants one: this one is never sent anywhere.
let webhooks: Resend["webhooks"] | undefined;
const sdkWebhooks = () => (webhooks ??= new Resend("re_webhook_verification_only").webhooks);

/** `now` is the SDK's own clock (Date.now); the tolerance is the SDK's 5 minutes. */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  rawBody: string,
): VerifyResult {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: "missing svix headers" };
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(id) || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "malformed svix headers" };
  try {
    sdkWebhooks().verify({
      payload: rawBody,
      headers: { id, timestamp, signature: signature.split(" ").slice(0, 10).join(" ") },
      webhookSecret: secret,
    });
    return { ok: true };
  } catch (error) {
    // The SDK parses the body once the signature matches: a signed body that is not JSON is for
    // the route to refuse (400), not a forgery.
    if (error instanceof SyntaxError) return { ok: true };
    // A bad secret (not base64, empty) throws too: the route cannot tell that apart from a forgery.
    return { ok: false, reason: error instanceof Error ? error.message : "no signature matches" };
  }
}
