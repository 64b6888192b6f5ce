// The desk's readers and sign-up form pages: counts, search, a reader's record and erasure (behind a
// confirmation page), CSV export and import, and the embeddable form.
import { Hono } from "hono";
import { readConfig, signupOrigins, type AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { recentImports } from "../imports/receive-import";
import { importReaders } from "../subscribers/import-readers";
import { countReaders, exportReaders } from "../subscribers/reader-roster";
import { EmailAddress } from "../subscribers/subscriber-schema";
import { renderEmbedPage } from "../../templates/desk-embed";
import { renderReaderPage, renderReadersPage } from "../../templates/desk-readers";
import { deskNotice } from "./desk-notices";
import type { EditorVariables } from "./editor-auth";
import { readFormBody } from "./form-body";
import { issuesOf } from "./json-body";
import { readerDeps } from "../subscribers/reader-deps";
import { ConsentSource, csvAddresses } from "./subscribers-csv";

// A pasted CSV of 100 addresses is a few KiB.
const MAX_IMPORT_FORM_BYTES = 64 * 1024;
const SEARCH_RESULTS = 50;
const RECENT_IMPORTS = 5;

const emailParam = (raw: string) => {
  const parsed = EmailAddress.safeParse(raw);
  if (!parsed.success) throw notFound("No reader has this address.");
  return parsed.data;
};

export const deskReaderRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/readers", async (c) => {
    const { store } = readerDeps(c.env);
    const query = (c.req.query("q") ?? "").trim().toLowerCase().slice(0, 254);
    return c.html(
      renderReadersPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        counts: await countReaders(store),
        query,
        found: query ? await store.search(query, SEARCH_RESULTS) : null,
        notice: deskNotice(c.req.query("done")),
        imports: await recentImports(c.env, RECENT_IMPORTS),
        importError: c.req.query("importError")?.slice(0, 300),
      }),
    );
  })

  .get("/readers.csv", async (c) => {
    // The desk's download is the first export page (5,000 readers); the API pages through the rest.
    const { csv, cursor } = await exportReaders(readerDeps(c.env).store, null);
    if (cursor)
      c.header("Link", `</api/subscribers.csv?cursor=${encodeURIComponent(cursor)}>; rel="next"`);
    c.header("Content-Disposition", 'attachment; filename="readers.csv"');
    return c.body(csv, 200, { "Content-Type": "text/csv; charset=utf-8" });
  })

  .post("/readers/import", async (c) => {
    const params = await readFormBody(c.req.raw, { maxBytes: MAX_IMPORT_FORM_BYTES });
    const values = {
      csv: params.get("csv") ?? "",
      consentSource: params.get("consentSource") ?? "",
    };
    const errors: { csv?: string; consentSource?: string } = {};
    const source = ConsentSource.safeParse(values.consentSource);
    if (!source.success) errors.consentSource = issuesOf(source.error)[0]?.message;
    let addresses: string[] = [];
    try {
      addresses = csvAddresses(values.csv);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      errors.csv = error.message;
    }
    const deps = readerDeps(c.env);
    const imported =
      source.success && !errors.csv ? await importReaders(deps, addresses, source.data) : undefined;
    return c.html(
      renderReadersPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        counts: await countReaders(deps.store),
        query: "",
        found: null,
        imported,
        errors,
        values: imported ? {} : values,
      }),
      imported ? 200 : 400,
    );
  })

  .get("/readers/:email", async (c) => {
    const email = emailParam(c.req.param("email"));
    const reader = await readerDeps(c.env).readers(email).read();
    if (!reader) throw notFound("No reader has this address.");
    return c.html(
      renderReaderPage({
        siteTitle: readConfig(c.env).DIGEST_TITLE,
        editor: c.var.editor,
        reader,
        confirmErase: c.req.query("erase") === "1",
      }),
    );
  })

  .post("/readers/:email/erase", async (c) => {
    const deps = readerDeps(c.env);
    const email = emailParam(c.req.param("email"));
    if (!(await deps.readers(email).erase(deps.now.toISOString())))
      throw notFound("No reader has this address.");
    console.log(
      JSON.stringify({ level: "info", event: "desk.reader_erased", editor: c.var.editor }),
    );
    return c.redirect("/desk/readers?done=erased", 303);
  })

  .get("/embed", (c) => {
    const config = readConfig(c.env);
    return c.html(
      renderEmbedPage({
        siteTitle: config.DIGEST_TITLE,
        siteUrl: config.SITE_URL,
        editor: c.var.editor,
        origins: signupOrigins(config),
      }),
    );
  });
