// Sign-in for the desk and the outbox: the signed session cookie (src/desk/desk-session.ts), set by
// POST /desk/sign-in with an editor token. The outbox also still takes HTTP Basic (token as password).
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { parseEditorTokens } from "../auth/editor-tokens";
import { DESK_COOKIE, verifySession } from "../desk/desk-session";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { requireEditorBasic, type EditorVariables } from "./editor-auth";

type DeskEnv = { Bindings: AppEnv; Variables: EditorVariables };

/** The editor a request's session cookie names, or null. */
export async function sessionEditor(c: Context<DeskEnv>): Promise<string | null> {
  const config = readConfig(c.env);
  const tokens = parseEditorTokens(requireSecret(config.EDITOR_TOKENS, "EDITOR_TOKENS"));
  const secret = requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET");
  return verifySession(secret, tokens, getCookie(c, DESK_COOKIE), new Date());
}

/**
 * Only a path on this site's desk or outbox may be returned to after signing in, in printable ASCII
 * (a decoded CR or LF would make the redirect's Location header invalid).
 */
export function safeNext(next: string | undefined | null): string {
  return next &&
    /^\/(desk|outbox)([/?][\x21-\x5b\x5d-\x7e]*)?$/.test(next) &&
    !next.startsWith("//")
    ? next
    : "/desk";
}

// The only desk pages open without a session.
const OPEN_DESK_PATHS = new Set(["/desk/sign-in", "/desk/sign-out"]);

/**
 * Every /desk page but sign-in and sign-out needs a session: a page without one goes to the
 * sign-in page (and back after), a form post answers 401.
 */
export const deskGate = createMiddleware<DeskEnv>(async (c, next) => {
  if (OPEN_DESK_PATHS.has(new URL(c.req.url).pathname)) return next();
  return requireDeskSession(c, next);
});

export const requireDeskSession = createMiddleware<DeskEnv>(async (c, next) => {
  const editor = await sessionEditor(c);
  if (!editor) {
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      const url = new URL(c.req.url);
      return c.redirect(`/desk/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    throw new ApiError(401, "unauthorized", "Your desk session has ended. Sign in again.");
  }
  c.set("editor", editor);
  // Desk pages show readers' addresses: never kept by a browser cache or a proxy.
  c.header("Cache-Control", "no-store");
  await next();
});

/** The outbox: the desk session, or HTTP Basic for scripts and older bookmarks. */
export const requireDeskOrBasic = createMiddleware<DeskEnv>(async (c, next) => {
  if (/^Basic\s/i.test(c.req.header("Authorization") ?? "")) return requireEditorBasic(c, next);
  return requireDeskSession(c, next);
});
