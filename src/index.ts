// The Worker's entry: wiring only.
import { app } from "./app";
import { queue, scheduled } from "./digest/digest-handlers";
import type { AppEnv } from "./env";

export default {
  fetch: app.fetch,
  scheduled,
  queue,
} satisfies ExportedHandler<AppEnv>;
