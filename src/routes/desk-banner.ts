// Every signed-in desk page shows the quota banner while the provider's email quota is spent. The
// layout leaves a slot after the navigation; this fills it from the ProviderLimiter (one object call
// per page view, at an editor's pace), so no page's route needs to know about the quota.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { providerLimiter } from "../mail/provider-limiter";
import { DESK_BANNER_SLOT, renderQuotaBanner } from "../../templates/desk-banner";

export const deskBanner = createMiddleware<{ Bindings: AppEnv }>(async (c, next) => {
  await next();
  if (!(c.res.headers.get("Content-Type") ?? "").startsWith("text/html")) return;
  const page = await c.res.clone().text();
  if (!page.includes(DESK_BANNER_SLOT)) return;
  const { stop, waiting } = await providerLimiter(c.env.PROVIDER_LIMITER).quotaState();
  const headers = new Headers(c.res.headers);
  headers.delete("Content-Length");
  c.res = new Response(
    page.replace(DESK_BANNER_SLOT, stop ? renderQuotaBanner(stop, waiting) : ""),
    {
      status: c.res.status,
      headers,
    },
  );
});
