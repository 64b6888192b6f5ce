// The desk's preview and sends pages: the next digest's email, every digest's send with its
// progress, and the Release, Re-drive and Resume buttons (the same digest actions as the API).
import { Hono } from "hono";
import { runDeps } from "../digest/digest-handlers";
import {
  releaseDigest,
  redriveDigest,
  resumeAfterQuota,
  resumeSend,
} from "../digest/editor-actions";
import { editionSend } from "../digest/edition-send";
import { unknownEditionStatus } from "../digest/edition-status";
import { compileNext, previewSite, renderPreviewEmail } from "../digest/next-digest";
import { readConfig, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { providerLimiter } from "../mail/provider-limiter";
import { asDark, renderPreviewPage } from "../../templates/desk-preview";
import { renderSendsPage, type SendRow } from "../../templates/desk-sends";
import { deskNotice } from "./desk-notices";
import { digestIdParam, sendIdParam } from "./digests";
import type { EditorVariables } from "./editor-auth";

// One status call per edition's owner, one at a time: 30 calls stay far under the per-invocation
// limits (1,000 subrequests, 6 connections).
const SENDS_SHOWN = 30;

async function sendRows(env: AppEnv): Promise<SendRow[]> {
  const entries = await runDeps(env).digests.index(SENDS_SHOWN);
  const rows: SendRow[] = [];
  // Run slots are in no index: those paused for the quota are the ones an editor must see.
  const { waiting } = await providerLimiter(env.PROVIDER_LIMITER).quotaState();
  for (const id of waiting
    .filter((id) => !entries.some((e) => e.id === id))
    .slice(0, SENDS_SHOWN)) {
    const status = await editionSend(env, id).status();
    if (status) rows.push({ ...status, subject: `Personal delivery, run slot ${id}` });
  }
  for (const entry of entries) {
    const status = (await editionSend(env, entry.id).status()) ?? unknownEditionStatus(entry);
    rows.push({ ...status, subject: entry.subject });
  }
  return rows;
}

export const deskSendRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/preview", async (c) => {
    const config = readConfig(c.env);
    const digest = await compileNext(runDeps(c.env), new Date());
    const email = renderPreviewEmail(digest, previewSite(config));
    return c.html(
      renderPreviewPage({
        siteTitle: config.DIGEST_TITLE,
        editor: c.var.editor,
        digestId: digest.id,
        ...email,
        mode: { text: c.req.query("format") === "text", dark: c.req.query("scheme") === "dark" },
      }),
    );
  })

  .get("/preview/email", async (c) => {
    const digest = await compileNext(runDeps(c.env), new Date());
    const { html } = renderPreviewEmail(digest, previewSite(readConfig(c.env)));
    const dark = c.req.query("scheme") === "dark";
    return c.html(dark ? asDark(html) : html);
  })

  .get("/sends", async (c) =>
    c.html(
      renderSendsPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        sends: await sendRows(c.env),
        notice: deskNotice(c.req.query("done")),
      }),
    ),
  )

  .post("/quota/resume", async (c) => {
    await resumeAfterQuota(c.env, c.var.editor);
    return c.redirect("/desk/sends?done=resumed", 303);
  })

  .post("/sends/:id/:action{release|redrive|resume}", async (c) => {
    const action = c.req.param("action");
    const id =
      action === "release" ? digestIdParam(c.req.param("id")) : sendIdParam(c.req.param("id"));
    try {
      if (action === "release") await releaseDigest(c.env, id, c.var.editor);
      else if (action === "resume") await resumeSend(c.env, id, c.var.editor);
      else await redriveDigest(c.env, id, c.var.editor);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      const page = renderSendsPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        sends: await sendRows(c.env),
        error: error.message,
      });
      return c.html(page, error.status);
    }
    const done = { release: "released", redrive: "redriven", resume: "resumed" }[action];
    return c.redirect(`/desk/sends?done=${done ?? "redriven"}`, 303);
  });
