// GET /health: a liveness answer for load balancers and uptime checks. No auth, no storage, no
// configuration beyond the optional commit: it says the Worker runs and which build it is.
import { Hono } from "hono";
import packageJson from "../../package.json";
import type { AppEnv } from "../env";

export const healthRoutes = new Hono<{ Bindings: AppEnv }>().get("/", (c) => {
  // Read raw, not through readConfig: a misconfigured var must not make the Worker look dead.
  const commit =
    typeof c.env.COMMIT_SHA === "string" && c.env.COMMIT_SHA !== "" ? c.env.COMMIT_SHA : undefined;
  c.header("Cache-Control", "no-store");
  return c.json({ ok: true, version: packageJson.version, ...(commit ? { commit } : {}) });
});
