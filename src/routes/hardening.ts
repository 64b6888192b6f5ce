// Headers every answer carries, and the cross-site check on form POSTs.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

// No script at all: the pages work without it. Inline styles are allowed (the email-style markup
// of the digest pages uses them); frames only for the outbox's sandboxed email previews.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' https: data:",
  "form-action 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export const securityHeaders = createMiddleware(async (c, next) => {
  await next();
  c.header("X-Content-Type-Options", "nosniff");
  // Reader links carry tokens: never pass them on to other sites. `same-origin`, not `no-referrer`:
  // with no-referrer, browsers send `Origin: null` on our own forms and the origin check refuses them.
  c.header("Referrer-Policy", "same-origin");
  if ((c.res.headers.get("Content-Type") ?? "").startsWith("text/html")) {
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Frame-Options", "DENY");
  }
});

/**
 * A form POST from another site is refused (403), judged by `Origin` and `Sec-Fetch-Site`, which
 * browsers set; other clients send neither. The one-click unsubscribe POST is not checked: mailbox
 * providers send it with no Origin from their own servers, and its token alone authorises it.
 */
export const sameOriginForms = createMiddleware<{ Bindings: AppEnv }>(async (c, next) => {
  if (c.req.method === "POST") {
    const path = new URL(c.req.url).pathname;
    const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(
      c.req.header("Content-Type") ?? "",
    );
    const checked =
      path === "/confirm" ||
      path === "/preferences" ||
      path === "/preferences/erase" ||
      (path === "/subscribe" && isForm);
    if (checked) {
      const origin = c.req.header("Origin");
      const allowed = new Set([new URL(c.req.url).origin, new URL(c.env.SITE_URL).origin]);
      if (
        (origin && origin !== "null" && !allowed.has(origin)) ||
        origin === "null" ||
        c.req.header("Sec-Fetch-Site") === "cross-site"
      ) {
        throw new ApiError(403, "cross_site", "This form can only be sent from this site.");
      }
    }
  }
  await next();
});
