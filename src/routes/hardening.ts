// Headers every answer carries, and the cross-site check on form POSTs.
import { createMiddleware } from "hono/factory";
import { readConfig, signupOrigins, type AppEnv } from "../env";
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

const ownOrigins = (c: { req: { url: string }; env: AppEnv }) =>
  new Set([new URL(c.req.url).origin, new URL(c.env.SITE_URL).origin]);

/** Origins listed in SIGNUP_ORIGINS; a malformed configuration lists none (fails closed). */
function listedSignupOrigins(env: AppEnv): string[] {
  try {
    return signupOrigins(readConfig(env));
  } catch {
    return [];
  }
}

/**
 * A form POST from another site is refused (403), judged by `Origin` and `Sec-Fetch-Site`, which
 * browsers set; other clients send neither. The desk's forms (and its sign-in) are checked too, on
 * top of their SameSite=Strict cookie. Sign-ups are also accepted from the sites in SIGNUP_ORIGINS
 * (an embedded form). The one-click unsubscribe POST is not checked: mailbox providers send it with
 * no Origin from their own servers, and its token alone authorises it.
 */
export const sameOriginForms = createMiddleware<{ Bindings: AppEnv }>(async (c, next) => {
  if (c.req.method === "POST") {
    const path = new URL(c.req.url).pathname;
    const signUp = path === "/subscribe";
    const checked =
      path === "/confirm" ||
      path === "/preferences" ||
      path === "/preferences/erase" ||
      path.startsWith("/desk/") ||
      path.startsWith("/outbox") ||
      // JSON sign-ups too: a browser on an unlisted site is refused here as well as at its preflight.
      signUp;
    if (checked) {
      const origin = c.req.header("Origin");
      const allowed = ownOrigins(c);
      if (signUp) for (const listed of listedSignupOrigins(c.env)) allowed.add(listed);
      const listedSite = signUp && origin !== undefined && allowed.has(origin);
      if (
        (origin && origin !== "null" && !allowed.has(origin)) ||
        origin === "null" ||
        (c.req.header("Sec-Fetch-Site") === "cross-site" && !listedSite)
      ) {
        throw new ApiError(403, "cross_site", "This form can only be sent from this site.");
      }
    }
  }
  await next();
});

/**
 * CORS for JSON sign-ups from the sites in SIGNUP_ORIGINS: their preflight is answered, and their
 * POST's answer is readable by them. Any other origin gets no CORS header, so browsers keep its
 * scripts out; a preflight from it is refused.
 */
export const signupCors = createMiddleware<{ Bindings: AppEnv }>(async (c, next) => {
  if (new URL(c.req.url).pathname !== "/subscribe") return next();
  const origin = c.req.header("Origin");
  const listed = origin !== undefined && listedSignupOrigins(c.env).includes(origin);
  if (c.req.method === "OPTIONS") {
    if (!listed) throw new ApiError(403, "cross_site", "This site may not sign readers up here.");
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "POST",
      "Access-Control-Allow-Headers": "Content-Type",
      "Access-Control-Max-Age": "600",
      Vary: "Origin",
    });
  }
  await next();
  c.header("Vary", "Origin");
  if (listed) c.header("Access-Control-Allow-Origin", origin);
});
