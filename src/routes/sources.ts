// The editors' feed sources API, mounted at /api/sources behind bearer auth. Rules live in
// src/sources/; every change goes through the one SourceRegistry object.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { MAX_OPML_SOURCES, sourcesFromOpml } from "../sources/opml-sources";
import { sourceRegistry } from "../sources/source-registry-client";
import { SourceId, SourceInput, SourcePatch } from "../sources/source-schema";
import type { EditorVariables } from "./editor-auth";
import { jsonBody, onInvalid, readTextLimited } from "./json-body";

const MAX_OPML_BYTES = 1024 * 1024;

const idOf = (raw: string) => {
  const parsed = SourceId.safeParse(raw);
  if (!parsed.success) throw notFound("No source has this id.");
  return parsed.data;
};

export const sourceRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .post("/", jsonBody(), zValidator("json", SourceInput, onInvalid), async (c) => {
    const { source, created } = await sourceRegistry(c.env).add(c.req.valid("json"), Date.now());
    if (created) c.header("Location", `/api/sources/${source.id}`);
    return c.json({ source }, created ? 201 : 200);
  })

  .get("/", async (c) => c.json({ sources: await sourceRegistry(c.env).list() }))

  .post("/opml", async (c) => {
    const mediaType =
      (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (
      !["text/xml", "application/xml", "text/x-opml", "application/octet-stream"].includes(
        mediaType,
      )
    ) {
      throw new ApiError(
        415,
        "unsupported_media_type",
        "Send the OPML file as `Content-Type: text/xml`.",
      );
    }
    const parsed = sourcesFromOpml(await readTextLimited(c.req.raw, MAX_OPML_BYTES));
    if (!parsed) throw new ApiError(400, "invalid_opml", "The body is not an OPML document.");
    if (parsed.inputs.length > MAX_OPML_SOURCES) {
      throw new ApiError(
        413,
        "payload_too_large",
        `Import at most ${MAX_OPML_SOURCES} feeds at a time.`,
      );
    }
    const result = await sourceRegistry(c.env).importMany(parsed.inputs, Date.now());
    return c.json({ ...result, invalid: parsed.invalid }, result.created.length > 0 ? 201 : 200);
  })

  .get("/:id", async (c) => {
    const source = await sourceRegistry(c.env).get(idOf(c.req.param("id")));
    if (!source) throw notFound("No source has this id.");
    return c.json({ source });
  })

  .patch("/:id", jsonBody(), zValidator("json", SourcePatch, onInvalid), async (c) => {
    const source = await sourceRegistry(c.env).patch(idOf(c.req.param("id")), c.req.valid("json"));
    if (!source) throw notFound("No source has this id.");
    return c.json({ source });
  })

  .delete("/:id", async (c) => {
    if (!(await sourceRegistry(c.env).remove(idOf(c.req.param("id"))))) {
      throw notFound("No source has this id.");
    }
    return c.body(null, 204);
  })

  .post("/:id/fetch", async (c) => {
    const report = await sourceRegistry(c.env).fetchNow(idOf(c.req.param("id")), Date.now());
    if (!report) throw notFound("No source has this id.");
    if (report.status === "busy")
      throw new ApiError(409, "busy", report.error ?? "This source is being fetched.");
    const source = await sourceRegistry(c.env).get(idOf(c.req.param("id")));
    return c.json({ fetch: report, source });
  });
