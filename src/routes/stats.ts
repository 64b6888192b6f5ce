// GET /api/stats (the newsletter's figures by day: the desk's charts in numbers) and
// GET /api/stats/sends/:id (one send's emails per minute).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { SendUnitId } from "../digest/digest-schema";
import { readConfig, type AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { readSendOverTime, readStats } from "../stats/read-stats";
import type { EditorVariables } from "./editor-auth";
import { onInvalid } from "./json-body";

const DAY_MS = 86_400_000;

const StatsQuery = z.strictObject({
  /** The last day shown (UTC); today by default. */
  to: z.iso.date({ message: "to must be a UTC date, YYYY-MM-DD" }).optional(),
});

/** The end of day `to`, or now. */
const endOf = (to: string | undefined) => new Date(to ? Date.parse(to) + DAY_MS - 1 : Date.now());

export const statsRoutes = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/", zValidator("query", StatsQuery, onInvalid), async (c) => {
    const stats = await readStats(c.env, readConfig(c.env), endOf(c.req.valid("query").to));
    return c.json(stats);
  })

  .get("/sends/:id", async (c) => {
    const id = c.req.param("id");
    if (!SendUnitId.safeParse(id).success) {
      const message = "id must be a UTC date, YYYY-MM-DD, or a run slot, YYYY-MM-DDTHHMM";
      throw new ApiError(400, "invalid_request", message, [{ path: "id", message }]);
    }
    const send = await readSendOverTime(c.env, readConfig(c.env), id);
    if (!send) throw notFound("There is no send with this id.");
    return c.json(send);
  });
