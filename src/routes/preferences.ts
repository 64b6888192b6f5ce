// A reader's own data (GDPR): see it, download it, erase it. The link in every email's footer carries
// the reader's unsubscribe token, which also opens these pages: both say "this reader, by their own link".
// Erasure cannot be undone, so it takes two steps: a page saying what goes, then its POST.
import { Hono, type Context } from "hono";
import { readConfig, type AppEnv } from "../env";
import { ERASE_CONFIRM_FIELD, renderErasePage } from "../../templates/erase-page";
import { renderMessagePage } from "../../templates/message-page";
import { renderPreferencesPage } from "../../templates/preferences-page";
import { preferencesFromForm } from "../subscribers/preference-input";
import { applyPreferences, parseTopics, preferencesOf } from "../subscribers/preferences";
import { readFormBody } from "./form-body";
import { readerDeps } from "../subscribers/reader-deps";

type PreferencesContext = Context<{ Bindings: AppEnv }>;

const topicsOf = (c: PreferencesContext) => parseTopics(readConfig(c.env).TOPICS);

const badLink = (c: PreferencesContext) =>
  c.html(
    renderMessagePage({
      siteTitle: readConfig(c.env).DIGEST_TITLE,
      title: "This link does not work",
      message:
        "Open the link from the footer of one of our emails again, making sure you have the whole link.",
    }),
    400,
  );

async function readerOf(c: PreferencesContext) {
  const deps = readerDeps(c.env);
  const token = c.req.query("token") ?? "";
  const check = await deps.signer.verify(token, "unsubscribe", deps.now);
  if (!check.ok) return null;
  return { deps, token, email: check.email };
}

export const preferenceRoutes = new Hono<{ Bindings: AppEnv }>()
  .get("/", async (c) => {
    const reader = await readerOf(c);
    if (!reader) return badLink(c);
    const subscriber = await reader.deps.readers(reader.email).read();
    if (!subscriber) {
      return c.html(
        renderMessagePage({
          siteTitle: reader.deps.site.siteTitle,
          title: "Nothing kept",
          message: "We keep no record for this address.",
        }),
      );
    }
    return c.html(
      renderPreferencesPage({
        siteTitle: reader.deps.site.siteTitle,
        subscriber,
        token: reader.token,
        topics: topicsOf(c),
      }),
    );
  })

  // The form on the page: checked against TOPICS, saved by the reader's ledger, and said so.
  .post("/", async (c) => {
    const reader = await readerOf(c);
    if (!reader) return badLink(c);
    const choices = preferencesFromForm(await readFormBody(c.req.raw));
    const ledger = reader.deps.readers(reader.email);
    const subscriber = await ledger.read();
    if (!subscriber) return badLink(c);
    const topics = topicsOf(c);
    const check = applyPreferences(preferencesOf(subscriber), choices, topics);
    const page = { siteTitle: reader.deps.site.siteTitle, token: reader.token, topics };
    if (!check.ok) {
      const errors = Object.fromEntries(check.issues.map((issue) => [issue.path, issue.message]));
      return c.html(renderPreferencesPage({ ...page, subscriber, choices, errors }), 400);
    }
    const saved = await ledger.setPreferences(check.preferences, reader.deps.now.toISOString());
    return c.html(renderPreferencesPage({ ...page, subscriber: saved ?? subscriber, saved: true }));
  })

  .get("/export", async (c) => {
    const reader = await readerOf(c);
    if (!reader) return badLink(c);
    const subscriber = await reader.deps.readers(reader.email).read();
    c.header("Content-Disposition", 'attachment; filename="tidings-my-data.json"');
    c.header("Cache-Control", "no-store");
    return c.json({ exportedAt: reader.deps.now.toISOString(), subscriber });
  })

  .get("/erase", async (c) => {
    const reader = await readerOf(c);
    if (!reader) return badLink(c);
    return c.html(eraseStep(reader));
  })

  .post("/erase", async (c) => {
    const reader = await readerOf(c);
    if (!reader) return badLink(c);
    const form = await readFormBody(c.req.raw, { allowEmpty: true });
    // The first POST (the preferences page's button) only asks; the confirmation page's POST erases.
    if (form.get(ERASE_CONFIRM_FIELD.name) !== ERASE_CONFIRM_FIELD.value) {
      return c.html(eraseStep(reader));
    }
    await reader.deps.readers(reader.email).erase(reader.deps.now.toISOString());
    return c.html(
      renderMessagePage({
        siteTitle: reader.deps.site.siteTitle,
        title: "Your data is erased",
        message:
          "We deleted your record. We keep only a one-way hash of the address so that it is never mailed by mistake.",
        action: {
          action: "/subscribe",
          button: "Subscribe again",
          fields: { email: reader.email },
        },
      }),
    );
  });

const eraseStep = (reader: {
  deps: { site: { siteTitle: string } };
  email: string;
  token: string;
}) =>
  renderErasePage({
    siteTitle: reader.deps.site.siteTitle,
    email: reader.email,
    token: reader.token,
  });
