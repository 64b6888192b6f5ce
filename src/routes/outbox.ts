// The local outbox for people: JSON at /api/outbox (bearer), a page at /outbox (Basic, token as password).
// Both answer 404 when the Resend adapter is in use, since then there is no outbox.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { readConfig, type AppEnv } from "../env";
import { notFound } from "../errors";
import { listOutbox } from "../mail/outbox-mailer";
import { renderOutboxPage } from "../../templates/outbox-page";
import { requireEditorBasic, type EditorVariables } from "./editor-auth";
import { onInvalid } from "./json-body";

const OutboxQuery = z.strictObject({
  to: z.string().trim().toLowerCase().pipe(z.email("to must be an email address.")).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

type OutboxEnv = { Bindings: AppEnv; Variables: EditorVariables };

export const outboxApi = new Hono<OutboxEnv>().get(
  "/",
  zValidator("query", OutboxQuery, onInvalid),
  async (c) => {
    if (readConfig(c.env).RESEND_API_KEY)
      throw notFound("There is no outbox: mail goes to Resend.");
    const { to, limit } = c.req.valid("query");
    return c.json({ messages: await listOutbox(c.env.OUTBOX, { to, limit }) });
  },
);

export const outboxPage = new Hono<OutboxEnv>().get(
  "/",
  requireEditorBasic,
  zValidator("query", OutboxQuery, onInvalid),
  async (c) => {
    const config = readConfig(c.env);
    if (config.RESEND_API_KEY) throw notFound("There is no outbox: mail goes to Resend.");
    const { to, limit } = c.req.valid("query");
    const messages = await listOutbox(c.env.OUTBOX, { to, limit });
    return c.html(renderOutboxPage({ siteTitle: config.DIGEST_TITLE, messages, to }));
  },
);
