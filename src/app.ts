// The HTTP surface: each audience's sub-app mounted at its path, and the one error handler.
import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { renderMessagePage } from "../templates/message-page";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { articleRoutes } from "./routes/articles";
import { digestApi, digestPages } from "./routes/digests";
import { requireEditor } from "./routes/editor-auth";
import { faviconRoutes } from "./routes/favicon";
import { deskRoutes } from "./routes/desk";
import { deskGate } from "./routes/desk-auth";
import { deskBanner } from "./routes/desk-banner";
import { deskFigureRoutes } from "./routes/desk-figures";
import { deskImportRoutes } from "./routes/desk-imports";
import { deskReaderRoutes } from "./routes/desk-readers";
import { deskSendRoutes } from "./routes/desk-sends";
import { deskAuthRoutes } from "./routes/desk-sign-in";
import { sameOriginForms, securityHeaders, signupCors } from "./routes/hardening";
import { healthRoutes } from "./routes/health";
import { importRoutes } from "./routes/imports";
import { allowedMethods } from "./routes/method-not-allowed";
import { outboxApi, outboxPage } from "./routes/outbox";
import { preferenceRoutes } from "./routes/preferences";
import { signupRoutes } from "./routes/subscribe";
import { confirmRoutes } from "./routes/confirm";
import { unsubscribeRoutes } from "./routes/unsubscribe";
import { sourceRoutes } from "./routes/sources";
import { statsRoutes } from "./routes/stats";
import { storyRoutes } from "./routes/stories";
import { subscriberApi } from "./routes/subscribers";
import { subscriberCsvApi } from "./routes/subscribers-csv";
import { webhookRoutes } from "./routes/webhooks";

export const app = new Hono<{ Bindings: AppEnv }>();

app.use("*", securityHeaders);
app.use("*", signupCors);
app.use("*", sameOriginForms);
app.route("/health", healthRoutes);
app.use("/api/*", requireEditor);
app.route("/api", subscriberCsvApi);
app.route("/api/articles", articleRoutes);
app.route("/api/outbox", outboxApi);
app.route("/api/digests", digestApi);
app.route("/api/subscribers", subscriberApi);
app.route("/api/imports", importRoutes);
app.route("/api/sources", sourceRoutes);
app.route("/api/stories", storyRoutes);
app.route("/api/stats", statsRoutes);
app.route("/outbox", outboxPage);
// "/desk/*" also matches "/desk" itself.
app.use("/desk/*", deskGate);
app.use("/desk/*", deskBanner);
app.route("/desk", deskAuthRoutes);
app.route("/desk", deskRoutes);
app.route("/desk", deskSendRoutes);
app.route("/desk", deskImportRoutes);
app.route("/desk", deskReaderRoutes);
app.route("/desk", deskFigureRoutes);
app.route("/webhooks", webhookRoutes);
app.route("/preferences", preferenceRoutes);
app.route("/", faviconRoutes);
app.route("/", signupRoutes);
app.route("/", confirmRoutes);
app.route("/", unsubscribeRoutes);
app.route("/", digestPages);

function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status === 413 ? 413 : 400;
    return new ApiError(
      status,
      status === 413 ? "payload_too_large" : "bad_request",
      error.message,
    );
  }
  return null;
}

/** JSON for the API and for JSON requests; a page a person can act on everywhere else. */
function wantsJson(c: Context): boolean {
  const path = new URL(c.req.url).pathname;
  const contentType = (c.req.header("Content-Type") ?? "").toLowerCase();
  return (
    path.startsWith("/api/") ||
    path.startsWith("/webhooks/") ||
    contentType.startsWith("application/json") ||
    (c.req.header("Accept") ?? "").startsWith("application/json")
  );
}

const PAGE_TITLES: Record<number, string> = {
  400: "That did not work",
  401: "Sign in needed",
  403: "Not allowed from here",
  404: "Page not found",
  405: "That does not work here",
  413: "That was too much",
  415: "That did not work",
  429: "Slow down a little",
  503: "Not available right now",
};

function errorPage(c: Context, error: ApiError) {
  const siteTitle = (c.env as AppEnv).DIGEST_TITLE || "Tidings";
  return c.html(
    renderMessagePage({
      siteTitle,
      title: PAGE_TITLES[error.status] ?? "Something went wrong",
      message: error.message,
    }),
    error.status,
  );
}

app.onError((error, c) => {
  const known = toApiError(error);
  if (known) {
    for (const [name, value] of Object.entries(known.headers ?? {})) c.header(name, value);
    return wantsJson(c) ? c.json(errorBody(known), known.status) : errorPage(c, known);
  }
  // One JSON line, no request body, headers or query: they may carry tokens and addresses.
  console.error(
    JSON.stringify({
      level: "error",
      message: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : typeof error,
      method: c.req.method,
      path: new URL(c.req.url).pathname.replace(/[^/]*@[^/]*/g, "<address>"),
    }),
  );
  const internal = new ApiError(
    503,
    "internal_error",
    "Something went wrong on our side. Please try again later.",
  );
  if (wantsJson(c)) return c.json(errorBody(internal), 500);
  return c.html(
    renderMessagePage({
      siteTitle: "Tidings",
      title: "Something went wrong",
      message: internal.message,
    }),
    500,
  );
});

app.notFound((c) => {
  const allow = allowedMethods(app.routes, new URL(c.req.url).pathname);
  if (allow.length > 0) {
    const wrong = new ApiError(
      405,
      "method_not_allowed",
      `${c.req.method} is not allowed here; use ${allow.join(", ")}.`,
      undefined,
      { Allow: allow.join(", ") },
    );
    c.header("Allow", allow.join(", "));
    return wantsJson(c) ? c.json(errorBody(wrong), 405) : errorPage(c, wrong);
  }
  const error = new ApiError(404, "not_found", "There is nothing at this address.");
  return wantsJson(c) ? c.json(errorBody(error), 404) : errorPage(c, error);
});
