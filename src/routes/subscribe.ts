// The reader's pages: sign up, confirm, unsubscribe. A GET never changes anything (mail scanners open links).
import { Hono, type Context } from "hono";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { hashClientIp, type TokenCheck, type TokenPurpose } from "../subscribers/reader-token";
import { EmailAddress } from "../subscribers/subscriber-schema";
import {
  applyPreferences,
  defaultPreferences,
  describePreferences,
  parseTopics,
  preferencesOf,
  type PreferencesInput,
} from "../subscribers/preferences";
import {
  preferencesFromForm,
  preferencesFromJson,
  visitorTimeZone,
} from "../subscribers/preference-input";
import {
  confirm,
  subscribe,
  unsubscribe,
  type SubscriptionDeps,
} from "../subscribers/subscription";
import { html, type SafeHtml } from "../../templates/html";
import { renderMessagePage } from "../../templates/message-page";
import { renderSignupPage, SIGNUP_FORM_VERSION } from "../../templates/signup-page";
import { readFormBody } from "./form-body";
import { readerDeps } from "../subscribers/reader-deps";
import { invalidRequest, readTextLimited, MAX_JSON_BODY_BYTES } from "./json-body";

type ReaderContext = Context<{ Bindings: AppEnv }>;

const depsOf = (c: ReaderContext): SubscriptionDeps => readerDeps(c.env);

const clientIp = (c: ReaderContext) => c.req.header("CF-Connecting-IP") ?? "unknown";

const page = (
  c: ReaderContext,
  title: string,
  message: string | SafeHtml,
  extra: Partial<Parameters<typeof renderMessagePage>[0]> = {},
  status: 200 | 400 = 200,
) =>
  c.html(
    renderMessagePage({ siteTitle: readConfig(c.env).DIGEST_TITLE, title, message, ...extra }),
    status,
  );

const TOKEN_HELP: Record<Exclude<TokenCheck, { ok: true }>["reason"], string> = {
  malformed:
    "This link is incomplete. Open it again from the email, making sure you have the whole link.",
  forged:
    "This link is not valid. Open it again from the email, or sign up again on the front page.",
  expired:
    "This confirmation link has expired (links work for 7 days). Sign up again to get a fresh one.",
  wrong_purpose: "This link is meant for something else. Use the matching link from the email.",
};

/** Verifies a token or answers the 400 page that says what to do. */
async function readToken(
  c: ReaderContext,
  deps: SubscriptionDeps,
  token: string | undefined,
  purpose: TokenPurpose,
) {
  const check = await deps.signer.verify(token ?? "", purpose, deps.now);
  if (check.ok) return { email: check.email, token: token ?? "" };
  return { response: page(c, "This link does not work", TOKEN_HELP[check.reason], {}, 400) };
}

/** The address as typed, so a typo shows, and a way back to the form to fix it. */
const checkInbox = (c: ReaderContext, email: string) =>
  page(
    c,
    "Check your inbox to confirm",
    html`We sent a confirmation link to <strong>${email}</strong>, unless it is already subscribed.
      Open it to start getting the digest.`,
    {
      extra: html`<p><a href="/">Wrong address? Go back and enter it again.</a></p>
        <p class="fine">Nothing arrived after a few minutes? Look in your spam folder.</p>`,
    },
  );

/** "AI and Security, daily at 07:00 Europe/Berlin" under personal delivery; the send time otherwise. */
async function whatTheyGet(c: ReaderContext, deps: SubscriptionDeps, email: string) {
  const config = readConfig(c.env);
  const record = await deps.readers(email).read();
  if (config.DIGEST_DELIVERY !== "personal" || !record)
    return `the digest at ${deps.site.sendTime}`;
  return describePreferences(preferencesOf(record), parseTopics(config.TOPICS));
}

const EMAIL_HELP = "Enter a valid email address, like ada@example.com.";

export const readerRoutes = new Hono<{ Bindings: AppEnv }>()
  .get("/", (c) => {
    const config = readConfig(c.env);
    return c.html(
      renderSignupPage({
        siteTitle: config.DIGEST_TITLE,
        tagline: config.DIGEST_TAGLINE,
        topics: parseTopics(config.TOPICS),
        choices: { timeZone: visitorTimeZone(c.req.raw) ?? "UTC" },
      }),
    );
  })

  .post("/subscribe", async (c) => {
    const deps = depsOf(c);
    const isJson = (c.req.header("Content-Type") ?? "")
      .toLowerCase()
      .startsWith("application/json");
    const { success } = await c.env.SIGNUP_LIMITER.limit({ key: clientIp(c) });
    if (!success)
      throw new ApiError(
        429,
        "rate_limited",
        "Too many sign-ups from your network. Please wait a minute and try again.",
        undefined,
        { "Retry-After": "60" },
      );

    let fields: { email?: unknown; website?: unknown; form?: unknown };
    let choices: PreferencesInput = {};
    if (isJson) {
      const text = await readTextLimited(c.req.raw, MAX_JSON_BODY_BYTES);
      try {
        fields = JSON.parse(text) ?? {};
      } catch {
        throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
      }
      if (typeof fields !== "object" || Array.isArray(fields)) fields = {};
      choices = preferencesFromJson(fields as Record<string, unknown>);
    } else {
      const form = await readFormBody(c.req.raw);
      fields = {
        email: form.get("email") ?? "",
        website: form.get("website") ?? "",
        form: form.get("form") ?? "",
      };
      choices = preferencesFromForm(form);
    }

    const answer = (email: string) =>
      isJson ? c.json({ status: "pending" }, 202) : checkInbox(c, email);
    // A filled honeypot is a bot: answer like a success, store and send nothing.
    if (typeof fields.website === "string" && fields.website.trim() !== "") {
      const typed = EmailAddress.safeParse(fields.email);
      return answer(typed.success ? typed.data : "that address");
    }

    const config = readConfig(c.env);
    const topics = parseTopics(config.TOPICS);
    const email = EmailAddress.safeParse(fields.email);
    const emailIssues = email.success
      ? []
      : [{ path: "email", message: "email must be an email address, like ada@example.com" }];
    const check = applyPreferences(defaultPreferences(visitorTimeZone(c.req.raw)), choices, topics);
    const issues = [...emailIssues, ...(check.ok ? [] : check.issues)];
    if (!email.success || !check.ok) {
      if (isJson) throw invalidRequest(issues);
      // Shown again in the field (escaped), without control characters.
      const typed =
        typeof fields.email === "string"
          ? fields.email.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 254)
          : "";
      return c.html(
        renderSignupPage({
          siteTitle: config.DIGEST_TITLE,
          tagline: config.DIGEST_TAGLINE,
          email: typed,
          topics,
          choices,
          errors: {
            ...Object.fromEntries(issues.map((issue) => [issue.path, issue.message])),
            ...(email.success ? {} : { email: EMAIL_HELP }),
          },
        }),
        400,
      );
    }
    const formVersion =
      typeof fields.form === "string" && /^[a-z0-9-]{1,40}$/.test(fields.form)
        ? fields.form
        : SIGNUP_FORM_VERSION;
    await subscribe(deps, {
      email: email.data,
      source: isJson ? "api" : "form",
      formVersion: isJson ? "json-api" : formVersion,
      ipHash: await hashClientIp(
        requireSecret(c.env.SIGNING_SECRET, "SIGNING_SECRET"),
        clientIp(c),
      ),
      // Only what the visitor chose replaces a returning reader's choices; with none, the defaults
      // (in the visitor's zone) apply to a new reader alone.
      ...(Object.keys(choices).length > 0
        ? { preferences: check.preferences }
        : { defaultPreferences: check.preferences }),
    });
    return answer(email.data);
  })

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
  })

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
