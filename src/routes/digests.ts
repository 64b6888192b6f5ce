// The digest on the web (archive, page, Atom feed) and the editors' digest API (status, run, preview,
// the next digest's note and test send, release, redrive, resume after a spent quota).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { digestIdFor, runDigest } from "../digest/run-digest";
import { runDeps } from "../digest/digest-handlers";
import { createNoteStore, NoteText } from "../digest/digest-note";
import { DigestId, isSlotId, SendUnitId } from "../digest/digest-schema";
import { releaseDigest, redriveDigest, resumeSend } from "../digest/editor-actions";
import { compileNext, nextDigestId, previewSite, renderPreviewEmail } from "../digest/next-digest";
import { testSend } from "../digest/test-send";
import { createDigestStore } from "../digest/digest-store";
import { editionSend } from "../digest/edition-send";
import { unknownEditionStatus } from "../digest/edition-status";
import { readConfig, type AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { renderArchivePage, renderDigestPage } from "../../templates/digest-page";
import { renderAtomFeed } from "../../templates/atom-feed";
import { EmailAddress } from "../subscribers/subscriber-schema";
import type { EditorVariables } from "./editor-auth";
import { archiveIssues } from "./archive-issues";
import { jsonBody, onInvalid } from "./json-body";

const FEED_ENTRIES = 20;
// The status lists at most this many addresses still failed (the count is always exact).
const MAX_FAILED_SHOWN = 1000;
const ARCHIVE_ENTRIES = 365;

const isRealDate = (id: string) =>
  !Number.isNaN(Date.parse(`${id}T00:00:00Z`)) &&
  new Date(`${id}T00:00:00Z`).toISOString().startsWith(id);

export const digestPages = new Hono<{ Bindings: AppEnv }>()
  .get("/digests", async (c) => {
    const config = readConfig(c.env);
    const issues = await archiveIssues(createDigestStore(c.env.DIGESTS), config.DIGEST_TITLE);
    return c.html(
      renderArchivePage({
        siteTitle: config.DIGEST_TITLE,
        tagline: config.DIGEST_TAGLINE,
        siteUrl: config.SITE_URL,
        digests: issues.slice(0, ARCHIVE_ENTRIES),
        issueCount: issues.length,
      }),
    );
  })

  // Rendered from the stored digest's frozen sections, not its stored webHtml: the masthead's
  // issue number is only known from the archive, and older records carry the email's colours.
  .get("/digests/:id", async (c) => {
    const id = c.req.param("id");
    const store = createDigestStore(c.env.DIGESTS);
    const digest = DigestId.safeParse(id).success ? await store.get(id) : null;
    if (!digest || digest.status === "skipped") throw notFound("There is no digest for this date.");
    const config = readConfig(c.env);
    const issues = await archiveIssues(store, config.DIGEST_TITLE);
    return c.html(
      renderDigestPage({
        siteTitle: config.DIGEST_TITLE,
        title: digest.title,
        id: digest.id,
        sections: digest.sections,
        issueNumber: issues.find((issue) => issue.id === digest.id)?.issueNumber,
        siteUrl: config.SITE_URL,
      }),
    );
  })

  .get("/feed.xml", async (c) => {
    const config = readConfig(c.env);
    const store = createDigestStore(c.env.DIGESTS);
    const latest = await store.index(FEED_ENTRIES, { published: true });
    const digests = await store.getMany(latest.map((entry) => entry.id));
    const xml = renderAtomFeed({
      siteTitle: config.DIGEST_TITLE,
      siteUrl: config.SITE_URL,
      tagline: config.DIGEST_TAGLINE,
      digests,
    });
    return c.body(xml, 200, { "Content-Type": "application/atom+xml; charset=utf-8" });
  });

const RunRequest = z.strictObject({
  date: DigestId.refine(isRealDate, "date must be a real calendar date").optional(),
  dryRun: z.boolean().optional(),
});

const TestRequest = z.strictObject({ to: EmailAddress });
const NoteRequest = z.strictObject({ text: NoteText });

export const digestApi = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/preview", async (c) => {
    const digest = await compileNext(runDeps(c.env), new Date());
    return c.html(renderPreviewEmail(digest, previewSite(readConfig(c.env))).html);
  })

  .get("/next/note", async (c) => {
    const id = await nextDigestId(runDeps(c.env), new Date());
    return c.json({ digestId: id, note: await createNoteStore(c.env.DIGESTS).get(id) });
  })

  .put("/next/note", jsonBody(), zValidator("json", NoteRequest, onInvalid), async (c) => {
    const now = new Date();
    const id = await nextDigestId(runDeps(c.env), now);
    const { text } = c.req.valid("json");
    const note = await createNoteStore(c.env.DIGESTS).put(id, text, c.var.editor, now);
    return c.json({ digestId: id, note });
  })

  .post("/next/test", jsonBody(), zValidator("json", TestRequest, onInvalid), async (c) => {
    const { to } = c.req.valid("json");
    const result = await testSend(c.env, to);
    return c.json({ sent: true, to, subject: result.subject }, 202);
  })

  .post(
    "/run",
    jsonBody(undefined, { optional: true }),
    zValidator("json", RunRequest, onInvalid),
    async (c) => {
      const { date, dryRun } = c.req.valid("json");
      const now = new Date();
      const today = digestIdFor(now);
      if (date && date > today) {
        throw new ApiError(400, "invalid_request", "date cannot be in the future", [
          { path: "date", message: "date cannot be in the future" },
        ]);
      }
      const id = date ?? today;
      // Today's digest closes now; a past day's closes at the end of that day.
      const cutoff = id === today ? now : new Date(Date.parse(`${id}T00:00:00Z`) + 86_400_000 - 1);
      const deps = runDeps(c.env, () => now);
      const result = await runDigest(deps, { id, cutoff, dryRun });
      if (dryRun) {
        const { digest } = result;
        return c.json({
          dryRun: true,
          digest: {
            id: digest.id,
            status: digest.status,
            subject: digest.subject,
            articleCount: digest.articleCount,
            windowStart: digest.windowStart,
            cutoff: digest.cutoff,
            articles: digest.sections.flatMap((section) =>
              section.articles.map((article) => ({ id: article.id, title: article.title })),
            ),
          },
        });
      }
      return c.json({ digest: result.status ?? unknownEditionStatus(result.digest) }, 202);
    },
  )

  .post("/:id/release", async (c) => {
    const id = digestIdParam(c.req.param("id"));
    return c.json({ digest: await releaseDigest(c.env, id, c.var.editor) }, 202);
  })

  // A day's edition or a run slot of the personal send (YYYY-MM-DDTHHMM): either can fail chunks.
  .post("/:id/redrive", async (c) => {
    const id = sendIdParam(c.req.param("id"));
    return c.json(await redriveDigest(c.env, id, c.var.editor), 202);
  })

  // A send paused because the provider's quota is spent carries on now (and every other one).
  .post("/:id/resume", async (c) => {
    const id = sendIdParam(c.req.param("id"));
    return c.json(await resumeSend(c.env, id, c.var.editor), 202);
  })

  .get("/:id", async (c) => {
    const id = sendIdParam(c.req.param("id"));
    const owner = editionSend(c.env, id);
    const status = await owner.status();
    if (status)
      return c.json({
        digest: { ...status, failedReaders: await owner.failedReaders(MAX_FAILED_SHOWN) },
      });
    if (isSlotId(id)) throw notFound("There is no send for this run slot.");
    const summary = await createDigestStore(c.env.DIGESTS).summary(id);
    if (!summary) throw notFound("There is no digest for this date.");
    return c.json({ digest: { ...unknownEditionStatus(summary), failedReaders: [] } });
  });

/** The id in the path, or 400 saying which forms it may take. */
function idParam(id: string, schema: z.ZodType<string>, message: string): string {
  if (!schema.safeParse(id).success)
    throw new ApiError(400, "invalid_request", message, [{ path: "id", message }]);
  return id;
}

/** A day's digest: YYYY-MM-DD. */
export const digestIdParam = (id: string) =>
  idParam(id, DigestId, "id must be a UTC date, YYYY-MM-DD");

/** A send's owner: a day's edition (YYYY-MM-DD) or a personal run slot (YYYY-MM-DDTHHMM). */
export const sendIdParam = (id: string) =>
  idParam(id, SendUnitId, "id must be a UTC date, YYYY-MM-DD, or a run slot, YYYY-MM-DDTHHMM");
