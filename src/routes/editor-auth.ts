// Middleware for editor routes: a bearer token from EDITOR_TOKENS, or 401 (503 if none are set).
import { createMiddleware } from "hono/factory";
import { findEditor, parseEditorTokens } from "../auth/editor-tokens";
import { requireSecret, type AppEnv } from "../env";
import { ApiError } from "../errors";

export type EditorVariables = { editor: string };

const unauthorized = (message: string) =>
  new ApiError(401, "unauthorized", message, undefined, {
    "WWW-Authenticate": 'Bearer realm="tidings"',
  });

/** Bearer auth for /api/*. */
export const requireEditor = createMiddleware<{ Bindings: AppEnv; Variables: EditorVariables }>(
  async (c, next) => {
    const tokens = parseEditorTokens(requireSecret(c.env.EDITOR_TOKENS, "EDITOR_TOKENS"));
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw unauthorized("Send an editor token as `Authorization: Bearer <token>`.");
    const editor = await findEditor(tokens, match[1]);
    if (!editor) throw unauthorized("The editor token is not valid.");
    c.set("editor", editor);
    await next();
  },
);

/** HTTP Basic auth for editor HTML pages (the outbox): any user name, the editor token as password. */
export const requireEditorBasic = createMiddleware<{
  Bindings: AppEnv;
  Variables: EditorVariables;
}>(async (c, next) => {
  const tokens = parseEditorTokens(requireSecret(c.env.EDITOR_TOKENS, "EDITOR_TOKENS"));
  const header = c.req.header("Authorization") ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  let password = "";
  if (match?.[1]) {
    try {
      const decoded = atob(match[1]);
      password = decoded.slice(decoded.indexOf(":") + 1);
    } catch {
      password = "";
    }
  }
  const editor = password ? await findEditor(tokens, password) : null;
  if (!editor) {
    throw new ApiError(
      401,
      "unauthorized",
      "Sign in with any user name and an editor token as the password.",
      undefined,
      {
        "WWW-Authenticate": 'Basic realm="tidings outbox", charset="UTF-8"',
      },
    );
  }
  c.set("editor", editor);
  await next();
});
