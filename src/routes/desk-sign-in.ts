// Signing in to the desk with an editor token, and signing out. The cookie itself (what it holds,
// how it is signed and checked) is src/desk/desk-session.ts.
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { findEditor, parseEditorTokens } from "../auth/editor-tokens";
import { createSession, DESK_COOKIE, sessionCookieOptions } from "../desk/desk-session";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { renderSignInPage } from "../../templates/desk-sign-in";
import { safeNext } from "./desk-auth";
import type { EditorVariables } from "./editor-auth";
import { readFormBody } from "./form-body";

export const deskAuthRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/sign-in", (c) =>
    c.html(
      renderSignInPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        next: safeNext(c.req.query("next")),
      }),
    ),
  )
  .post("/sign-in", async (c) => {
    const config = readConfig(c.env);
    const tokens = parseEditorTokens(requireSecret(config.EDITOR_TOKENS, "EDITOR_TOKENS"));
    const secret = requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET");
    const params = await readFormBody(c.req.raw);
    const next = safeNext(params.get("next"));
    const presented = (params.get("token") ?? "").trim();
    const name = presented ? await findEditor(tokens, presented) : null;
    const entry = tokens.find((candidate) => candidate.name === name);
    if (!entry) {
      const error = presented ? "That editor token is not valid." : "token is required";
      return c.html(renderSignInPage({ siteTitle: config.DIGEST_TITLE, next, error }), 401);
    }
    const value = await createSession(secret, entry, new Date());
    setCookie(c, DESK_COOKIE, value, sessionCookieOptions(c.req.url));
    console.log(JSON.stringify({ level: "info", event: "desk.signed_in", editor: entry.name }));
    return c.redirect(next, 303);
  })
  .post("/sign-out", (c) => {
    deleteCookie(c, DESK_COOKIE, sessionCookieOptions(c.req.url));
    return c.redirect("/desk/sign-in", 303);
  });
