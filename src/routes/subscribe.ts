// The sign-up: the form page (GET /) and POST /subscribe, from the form or as JSON. The answer is
// the same whether the address is new, pending, confirmed or gone; the reader's ledger decides
// whether a confirmation email goes (subscription.ts).
import { Hono } from "hono";
import { readConfig, requireSecret, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { hashClientIp } from "../subscribers/reader-token";
import { EmailAddress } from "../subscribers/subscriber-schema";
import {
  applyPreferences,
  defaultPreferences,
  parseTopics,
  type PreferencesInput,
} from "../subscribers/preferences";
import {
  preferencesFromForm,
  preferencesFromJson,
  visitorTimeZone,
} from "../subscribers/preference-input";
import { subscribe } from "../subscribers/subscription";
import { html } from "../../templates/html";
import { renderSignupPage, SIGNUP_FORM_VERSION } from "../../templates/signup-page";
import { readFormBody } from "./form-body";
import { invalidRequest, readTextLimited, MAX_JSON_BODY_BYTES } from "./json-body";
import { depsOf, page, type ReaderContext } from "./reader-page";

const clientIp = (c: ReaderContext) => c.req.header("CF-Connecting-IP") ?? "unknown";

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

const EMAIL_HELP = "Enter a valid email address, like ada@example.com.";

export const signupRoutes = new Hono<{ Bindings: AppEnv }>()
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
  });
