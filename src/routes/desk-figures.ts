// The desk's Figures page: readers over time, a send over time, and bounce and complaint rates
// against the brake, each drawn as SVG with its numbers beside it; and the weekly report's preview.
import { Hono } from "hono";
import { SendUnitId } from "../digest/digest-schema";
import { readConfig, type AppEnv } from "../env";
import { readSendOverTime, readStats } from "../stats/read-stats";
import { composeWeeklyReport } from "../stats/weekly-report";
import { renderFiguresPage } from "../../templates/desk-figures";
import type { EditorVariables } from "./editor-auth";

export const deskFigureRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/figures", async (c) => {
    const config = readConfig(c.env);
    const stats = await readStats(c.env, config, new Date());
    // The chosen send, or the latest; an id that is not a send's shows the latest.
    const asked = c.req.query("send");
    const chosen = asked && SendUnitId.safeParse(asked).success ? asked : stats.sends[0]?.id;
    const send = chosen ? await readSendOverTime(c.env, config, chosen) : null;
    return c.html(
      renderFiguresPage({ siteTitle: config.DIGEST_TITLE, editor: c.var.editor, stats, send }),
    );
  })

  .get("/figures/report", async (c) => {
    const report = await composeWeeklyReport(c.env, new Date());
    return c.html(report.email.html);
  });
