// The HTTP surface: each audience's sub-app mounted at its path, and the one error handler.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { articleRoutes } from "./routes/articles";
import { requireEditor } from "./routes/editor-auth";

export const app = new Hono<{ Bindings: AppEnv }>();

app.use("/api/*", requireEditor);
app.route("/api/articles", articleRoutes);

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

app.onError((error, c) => {
  const known = toApiError(error);
  if (known) {
    for (const [name, value] of Object.entries(known.headers ?? {})) c.header(name, value);
    return c.json(errorBody(known), known.status);
  }
  // One JSON line, no request body or headers: they may carry tokens and addresses.
  console.error(
    JSON.stringify({
      level: "error",
      message: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : typeof error,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
    }),
  );
  return c.json(
    errorBody(new ApiError(503, "internal_error", "Something went wrong on our side.")),
    500,
  );
});

app.notFound((c) =>
  c.json(errorBody(new ApiError(404, "not_found", "There is nothing at this address.")), 404),
);
