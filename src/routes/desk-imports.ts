// The desk's whole-list import: the upload (a multipart form, no JavaScript), one import's progress
// and its refused rows. The rules are the API's (src/imports/).
import { Hono } from "hono";
import { readConfig, type AppEnv } from "../env";
import { ApiError } from "../errors";
import type { ImportOptionsInput } from "../imports/import-options";
import { findImport, receiveImport, refusedCsv } from "../imports/receive-import";
import { renderImportPage } from "../../templates/desk-imports";
import type { EditorVariables } from "./editor-auth";
import { invalidRequest, issuesOf } from "./json-body";
import { ImportOptionsInput as Options } from "../imports/import-options";

/** "Tag name: ai, security" lines -> the options' topic mapping. */
function topicLines(text: string): Record<string, string[]> {
  const topics: Record<string, string[]> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.lastIndexOf(":");
    if (!line.trim()) continue;
    if (colon < 1)
      throw invalidRequest([
        { path: "topics", message: `"${line.slice(0, 60)}" needs a tag, a colon and topics` },
      ]);
    topics[line.slice(0, colon).trim()] = line
      .slice(colon + 1)
      .split(",")
      .map((slug) => slug.trim())
      .filter(Boolean);
  }
  return topics;
}

function formOptions(fields: Map<string, string>): ImportOptionsInput {
  const attestation = (fields.get("attestation") ?? "").trim();
  const parsed = Options.safeParse({
    consent: { source: fields.get("source") ?? "", ...(attestation ? { attestation } : {}) },
    askToConfirm: fields.get("askToConfirm") === "1",
    topics: topicLines(fields.get("topics") ?? ""),
  });
  if (!parsed.success) throw invalidRequest(issuesOf(parsed.error));
  return parsed.data;
}

export const deskImportRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .post("/readers/imports", async (c) => {
    try {
      const progress = await receiveImport(c.req.raw, c.env, formOptions);
      return c.redirect(`/desk/readers/imports/${progress.id}`, 303);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      // Back to the Readers page with what went wrong next to the form.
      return c.redirect(
        `/desk/readers?importError=${encodeURIComponent(error.message.slice(0, 300))}#list-import-heading`,
        303,
      );
    }
  })

  .get("/readers/imports/:id", async (c) => {
    const { progress } = await findImport(c.env, c.req.param("id"));
    return c.html(
      renderImportPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        progress,
      }),
    );
  })

  .get("/readers/imports/:id/refused.csv", async (c) => {
    const { stub, progress } = await findImport(c.env, c.req.param("id"));
    c.header("Content-Disposition", `attachment; filename="refused-${progress.id}.csv"`);
    return c.body(refusedCsv(stub), 200, { "Content-Type": "text/csv; charset=utf-8" });
  });
