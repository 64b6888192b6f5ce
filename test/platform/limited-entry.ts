// The Worker as every workerd test runs it (vitest.config.mts `main`): src/index.ts under the
// platform's per-invocation limits, its Durable Objects exported under their wrangler.toml names.
import "./platform-limits";
import worker, * as real from "../../src/index";
import { limitDurableObject, limitWorker } from "./limit-worker";

export default limitWorker(worker);
export const ArticleUrl = limitDurableObject(real.ArticleUrl);
export const DailyFigures = limitDurableObject(real.DailyFigures);
export const DepartureLog = limitDurableObject(real.DepartureLog);
export const DueIndex = limitDurableObject(real.DueIndex);
export const EditionSend = limitDurableObject(real.EditionSend);
export const ListImport = limitDurableObject(real.ListImport);
export const ProviderLimiter = limitDurableObject(real.ProviderLimiter);
export const ReaderLedger = limitDurableObject(real.ReaderLedger);
export const SourceRegistry = limitDurableObject(real.SourceRegistry);
