// The workerd test pool's main module: test/platform's limited entry plus the feed SourceRegistry,
// every Durable Object under its wrangler.toml name and under the platform's per-invocation limits.
import { SourceRegistry as RealSourceRegistry } from "../src/sources/source-registry";
import { limitDurableObject } from "./platform/limit-worker";

export * from "./platform/limited-entry";
export { default } from "./platform/limited-entry";
export const SourceRegistry = limitDurableObject(RealSourceRegistry);
