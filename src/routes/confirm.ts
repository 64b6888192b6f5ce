// The confirmation link's pages: GET shows a button (mail scanners open links), POST confirms the
// reader (double opt-in) and sends one welcome email, which the page says is on its way.
import { Hono } from "hono";
import { readConfig, type AppEnv } from "../env";
import { describePreferences, parseTopics, preferencesOf } from "../subscribers/preferences";
import { confirm, type SubscriptionDeps } from "../subscribers/subscription";
import { readFormBody } from "./form-body";
import { depsOf, page, readToken, type ReaderContext } from "./reader-page";

/** "AI and Security, daily at 07:00 Europe/Berlin" under personal delivery; the send time otherwise. */
async function whatTheyGet(c: ReaderContext, deps: SubscriptionDeps, email: string) {
  const config = readConfig(c.env);
  const record = await deps.readers(email).read();
  if (config.DIGEST_DELIVERY !== "personal" || !record)
    return `the digest at ${deps.site.sendTime}`;
  return describePreferences(preferencesOf(record), parseTopics(config.TOPICS));
}

export const confirmRoutes = new Hono<{ Bindings: AppEnv }>()
  .get("/confirm", async (c) => {
    const deps = depsOf(c);
    const read = await readToken(c, deps, c.req.query("token"), "confirm");
    if ("response" in read) return read.response;
    return page(
      c,
      "Confirm your subscription",
      `Press the button to start getting ${deps.site.siteTitle} at ${read.email}.`,
      {
        action: {
          action: "/confirm",
          button: "Confirm subscription",
          fields: { token: read.token },
        },
      },
    );
  })

  .post("/confirm", async (c) => {
    const deps = depsOf(c);
    const form = await readFormBody(c.req.raw);
    const read = await readToken(c, deps, form.get("token") ?? c.req.query("token"), "confirm");
    if ("response" in read) return read.response;
    const outcome = await confirm(deps, read.email);
    if (outcome === "gone") {
      return page(
        c,
        "This link no longer works",
        "This address left the list after the link was sent. Sign up again on the front page to come back.",
        {},
        400,
      );
    }
    return page(
      c,
      "You're subscribed",
      `You get ${await whatTheyGet(c, deps, read.email)}. A welcome email is on its way.`,
    );
  });
