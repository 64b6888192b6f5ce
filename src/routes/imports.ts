// Whole-list imports for editors, at /api/imports behind bearer auth: POST a tool's export (multipart:
// an `options` JSON field, then the `file`), follow its progress, download its refused rows.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ImportOptionsInput } from "../imports/import-options";
import { findImport, receiveImport, recentImports, refusedCsv } from "../imports/receive-import";
import type { EditorVariables } from "./editor-auth";
import { invalidRequest, issuesOf } from "./json-body";

const RECENT_IMPORTS = 20;

/** The `options` field: JSON, checked with the same plain-words messages as every JSON body. */
function optionsField(fields: Map<string, string>) {
  const text = fields.get("options");
  if (text === undefined)
    throw invalidRequest([
      { path: "options", message: "options is required (a JSON field before the file)" },
    ]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidRequest([{ path: "options", message: "options must be JSON" }]);
  }
  const parsed = ImportOptionsInput.safeParse(json);
  if (!parsed.success) throw invalidRequest(issuesOf(parsed.error));
  return parsed.data;
}

export const importRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .post("/", async (c) => {
    const progress = await receiveImport(c.req.raw, c.env, optionsField);
    console.log(
      JSON.stringify({
        level: "info",
        event: "import.received",
        editor: c.var.editor,
        rows: progress.rows,
      }),
    );
    c.header("Location", `/api/imports/${progress.id}`);
    return c.json({ import: progress }, 202);
  })

  .get("/", async (c) => c.json({ imports: await recentImports(c.env, RECENT_IMPORTS) }))

  .get("/:id", async (c) =>
    c.json({ import: (await findImport(c.env, c.req.param("id"))).progress }),
  )

  .get("/:id/refused.csv", async (c) => {
    const { stub, progress } = await findImport(c.env, c.req.param("id"));
    c.header("Content-Disposition", `attachment; filename="refused-${progress.id}.csv"`);
    return c.body(refusedCsv(stub), 200, { "Content-Type": "text/csv; charset=utf-8" });
  });
