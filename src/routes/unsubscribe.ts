// The unsubscribe link's pages: GET shows a button (mail scanners open links, so a GET never
// unsubscribes), POST unsubscribes, from the page or as the RFC 8058 one-click POST a mailbox
// provider sends, and offers to subscribe again.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { unsubscribe } from "../subscribers/subscription";
import { html } from "../../templates/html";
import { readFormBody } from "./form-body";
import { depsOf, page, readToken } from "./reader-page";

export const unsubscribeRoutes = new Hono<{ Bindings: AppEnv }>()
  .get("/unsubscribe", async (c) => {
    const deps = depsOf(c);
    const token = c.req.query("token");
    const read = await readToken(c, deps, token, "unsubscribe");
    if ("response" in read) return read.response;
    const reader = await deps.readers(read.email).read();
    if (!reader || (reader.status !== "confirmed" && reader.status !== "pending")) {
      return page(
        c,
        "You're already unsubscribed",
        `${read.email} gets no ${deps.site.siteTitle} digests. There is nothing more to do.`,
        {
          action: {
            action: "/subscribe",
            button: "Subscribe again",
            fields: { email: read.email },
          },
          extra: html`<p class="fine">Subscribing again sends a new confirmation email first.</p>`,
        },
      );
    }
    return page(
      c,
      "Unsubscribe",
      `Press the button to stop getting ${deps.site.siteTitle} at ${read.email}.`,
      {
        action: { action: `/unsubscribe?token=${read.token}`, button: "Unsubscribe" },
      },
    );
  })

  .post("/unsubscribe", async (c) => {
    const deps = depsOf(c);
    const form = await readFormBody(c.req.raw, { allowEmpty: true });
    const read = await readToken(
      c,
      deps,
      c.req.query("token") ?? form.get("token") ?? undefined,
      "unsubscribe",
    );
    if ("response" in read) return read.response;
    // RFC 8058: mailbox providers POST `List-Unsubscribe=One-Click`, with no cookies and no Origin.
    const oneClick = form.get("List-Unsubscribe") === "One-Click";
    await unsubscribe(deps, read.email, oneClick ? "one-click" : "page");
    return page(c, "You're unsubscribed", `${read.email} will get no more digests.`, {
      action: { action: "/subscribe", button: "Subscribe again", fields: { email: read.email } },
      extra: html`<p class="fine">Subscribing again sends a new confirmation email first.</p>`,
    });
  });
