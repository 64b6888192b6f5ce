// Standard Webhooks (Svix) signatures, as Resend sends them. Kept alone so it can be reviewed alone.
//
// Signed text: `${svix-id}.${svix-timestamp}.${raw body}`, HMAC-SHA256 with the base64 secret after
// its `whsec_` prefix. `svix-signature` holds one or more space-separated `v1,<base64>` entries, so a
// rotated secret keeps working while both are live.

// A message older or newer than this is refused: it stops replays of captured requests.
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
};
export type VerifyResult = { ok: true } | { ok: false; reason: string };

function decodeBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  rawBody: string,
  now: Date,
): Promise<VerifyResult> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: "missing svix headers" };
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(id) || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "malformed svix headers" };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    return { ok: false, reason: "timestamp outside the tolerance" };
  }
  const keyBytes = decodeBase64(
    secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret,
  );
  if (!keyBytes || keyBytes.length === 0)
    return { ok: false, reason: "the webhook secret is not valid base64" };
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const expected = new Uint8Array(
    await crypto.subtle.sign(
      "HMAC",
      key,
      new TextEncoder().encode(`${id}.${timestamp}.${rawBody}`),
    ),
  );
  let matched = false;
  // Every candidate is compared, in constant time, whatever an earlier one gave.
  for (const entry of signature.split(" ").slice(0, 10)) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    const candidate = decodeBase64(value);
    if (
      candidate &&
      candidate.length === expected.length &&
      crypto.subtle.timingSafeEqual(candidate, expected)
    )
      matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: "no signature matches" };
}
