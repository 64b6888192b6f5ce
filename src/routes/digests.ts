// The digest on the web (archive, page, Atom feed) and the editors' digest API (status, run, preview).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { digestIdFor, compileWindow, runDigest } from "../digest/run-digest";
import { runDeps } from "../digest/digest-handlers";
import { DigestId, type Digest } from "../digest/digest-schema";
import { createDigestStore } from "../digest/digest-store";
import { editionSend } from "../digest/edition-send";
import { unknownEditionStatus } from "../digest/edition-status";
import { readConfig, type AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { renderArchivePage, renderDigestPage } from "../../templates/digest-page";
import { renderAtomFeed } from "../../templates/atom-feed";
import { renderDigestEmailParts } from "../../templates/digest-email";
import { readerLinks } from "../subscribers/reader-links";
import { renderReaderFooterLinks } from "../../templates/email-layout";
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
  date: DigestId.refine(isRealDate, "date must be a real calendar date.").optional(),
  dryRun: z.boolean().optional(),
});

export const digestApi = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/preview", async (c) => {
    const config = readConfig(c.env);
    const now = new Date();
    const deps = runDeps(c.env);
    // What would be compiled next: today's digest, or tomorrow's once today's exists.
    const today = digestIdFor(now);
    const id = (await deps.digests.get(today))
      ? digestIdFor(new Date(now.getTime() + 86_400_000))
      : today;
    const digest = await compileWindow(deps, id, now);
    const parts = renderDigestEmailParts(digest, {
      siteTitle: config.DIGEST_TITLE,
      siteUrl: config.SITE_URL,
      postalAddress: config.MAIL_POSTAL_ADDRESS,
    });
    // A preview goes to no reader: its footer links carry a token that opens nothing.
    const footer = renderReaderFooterLinks(
      config.DIGEST_TITLE,
      readerLinks(config.SITE_URL, "preview"),
    ).value;
    return c.html(parts.html[0] + footer + parts.html[1]);
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
        throw new ApiError(400, "invalid_request", "The request is not valid.", [
          { path: "date", message: "A digest cannot be run for a future date." },
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
    const deps = runDeps(c.env);
    const owner = editionSend(c.env, id);
    const digest = (await owner.release()) ?? (await adoptHeld(deps.digests, owner, id));
    // Released by an editor: the archive record is written again, at human pace (KV allows 1/s).
    await deps.digests.put(digest);
    console.log(
      JSON.stringify({ level: "info", event: "digest.released", id, editor: c.var.editor }),
    );
    const result = await runDigest(deps, { id, cutoff: new Date(digest.cutoff) });
    return c.json({ digest: result.status ?? unknownEditionStatus(result.digest) }, 202);
  })

  .post("/:id/redrive", async (c) => {
    const id = digestIdParam(c.req.param("id"));
    const status = await editionSend(c.env, id).status();
    if (!status) throw notFound("There is no send for this date.");
    const { readers } = await editionSend(c.env, id).redrive();
    if (readers === 0)
      throw new ApiError(
        409,
        "conflict",
        `The send for ${id} has no failed readers to send again.`,
      );
    console.log(
      JSON.stringify({
        level: "info",
        event: "digest.redriven",
        id,
        readers,
        editor: c.var.editor,
      }),
    );
    return c.json({ redriven: readers, digest: await editionSend(c.env, id).status() }, 202);
  })

  .get("/:id", async (c) => {
    const id = digestIdParam(c.req.param("id"));
    const owner = editionSend(c.env, id);
    const status = await owner.status();
    if (status)
      return c.json({
        digest: { ...status, failedReaders: await owner.failedReaders(MAX_FAILED_SHOWN) },
      });
    const summary = await createDigestStore(c.env.DIGESTS).summary(id);
    if (!summary) throw notFound("There is no digest for this date.");
    return c.json({ digest: { ...unknownEditionStatus(summary), failedReaders: [] } });
  });

function digestIdParam(id: string): string {
  if (!DigestId.safeParse(id).success) {
    throw new ApiError(400, "invalid_request", "The request is not valid.", [
      { path: "id", message: "A digest id is a UTC date, YYYY-MM-DD." },
    ]);
  }
  return id;
}

/**
 * A digest its owner cannot release: held in the archive but never adopted (compiled before owners
 * existed) is adopted and released; otherwise 404 when there is none, 409 when it is not held.
 */
async function adoptHeld(
  digests: ReturnType<typeof createDigestStore>,
  owner: ReturnType<typeof editionSend>,
  id: string,
): Promise<Digest> {
  const stored = await digests.get(id);
  if (!stored) throw notFound("There is no digest for this date.");
  if (stored.status === "held") {
    await owner.adopt(stored);
    const released = await owner.release();
    if (released) return released;
  }
  throw new ApiError(
    409,
    "conflict",
    `The digest for ${id} is not held; there is nothing to release.`,
  );
}
