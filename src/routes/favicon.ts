// GET /favicon.ico: pages carry the icon inline, but some clients ask for this path regardless.
import { Hono } from "hono";
import { FAVICON_SVG } from "../../templates/favicon";

// A day: the icon changes with a deploy at most, and a stale one for a day harms no one.
const FAVICON_MAX_AGE_SECONDS = 86_400;

export const faviconRoutes = new Hono().get("/favicon.ico", (c) =>
  c.body(FAVICON_SVG, 200, {
    "Content-Type": "image/svg+xml",
    "Cache-Control": `public, max-age=${FAVICON_MAX_AGE_SECONDS}`,
  }),
);
