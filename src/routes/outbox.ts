// The local outbox: JSON at /api/outbox (bearer), and the mail viewer at /outbox (the desk's
// sign-in, or HTTP Basic with the token as password). Both answer 404 when the Resend adapter is in
// use, since then there is no outbox.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { readConfig, type AppEnv } from "../env";
import { notFound } from "../errors";
import { listOutbox, listOutboxEntries, readOutboxMessage } from "../mail/outbox-mailer";
import { renderOutboxList } from "../../templates/outbox-list";
import { renderOutboxMessage, type OutboxView } from "../../templates/outbox-message";
import { requireDeskOrBasic } from "./desk-auth";
import type { EditorVariables } from "./editor-auth";
import { onInvalid } from "./json-body";

const OutboxQuery = z.strictObject({
  to: z.string().trim().toLowerCase().pipe(z.email("to must be an email address")).optional(),
  limit: z.coerce
    .number({ error: "limit must be a whole number" })
    .int("limit must be a whole number")
    .min(1, "limit must be between 1 and 100")
    .max(100, "limit must be between 1 and 100")
    .default(20),
});
const PageQuery = OutboxQuery.extend({
  // An empty filter box means no filter.
  to: z.preprocess((value) => (value === "" ? undefined : value), OutboxQuery.shape.to),
  limit: OutboxQuery.shape.limit.default(50),
});
const MessageQuery = z.strictObject({
  view: z
    .enum(["html", "text", "headers", "raw"], "view must be html, text, headers or raw")
    .default("html"),
});

type OutboxEnv = { Bindings: AppEnv; Variables: EditorVariables };

function requireOutbox(env: AppEnv) {
  const config = readConfig(env);
  if (config.RESEND_API_KEY) throw notFound("There is no outbox: mail goes to Resend.");
  return config;
}

export const outboxApi = new Hono<OutboxEnv>().get(
  "/",
  zValidator("query", OutboxQuery, onInvalid),
  async (c) => {
    requireOutbox(c.env);
    const { to, limit } = c.req.valid("query");
    return c.json({ messages: await listOutbox(c.env.OUTBOX, { to, limit }) });
  },
);

export const outboxPage = new Hono<OutboxEnv>()
  .use("*", requireDeskOrBasic)
  .get("/", zValidator("query", PageQuery, onInvalid), async (c) => {
    const config = requireOutbox(c.env);
    const { to, limit } = c.req.valid("query");
    const entries = await listOutboxEntries(c.env.OUTBOX, { to, limit });
    return c.html(
      renderOutboxList({
        siteTitle: config.DIGEST_TITLE,
        editor: c.var.editor,
        entries,
        to,
        now: new Date(),
      }),
    );
  })
  .get("/:ref", zValidator("query", MessageQuery, onInvalid), async (c) => {
    const config = requireOutbox(c.env);
    const ref = c.req.param("ref");
    const message = await readOutboxMessage(c.env.OUTBOX, ref);
    if (!message) throw notFound("There is no such message in the outbox.");
    const view: OutboxView = c.req.valid("query").view;
    return c.html(
      renderOutboxMessage({
        siteTitle: config.DIGEST_TITLE,
        editor: c.var.editor,
        ref,
        message,
        view,
        now: new Date(),
      }),
    );
  });
