// The Worker's entry: wiring only. The Durable Object classes are exported here for the runtime.
import { app } from "./app";
import { queue, scheduled } from "./digest/digest-handlers";
import type { AppEnv } from "./env";

export { ArticleUrl } from "./articles/article-url";
export { EditionSend } from "./digest/edition-send";
export { ListImport } from "./imports/list-import";
export { ProviderLimiter } from "./mail/provider-limiter";
export { DepartureLog } from "./subscribers/departure-log";
export { DueIndex } from "./subscribers/due-index";
export { ReaderLedger } from "./subscribers/reader-ledger";
export { SourceRegistry } from "./sources/source-registry";
export { DailyFigures } from "./stats/daily-figures";

export default {
  fetch: app.fetch,
  scheduled,
  queue,
} satisfies ExportedHandler<AppEnv>;
