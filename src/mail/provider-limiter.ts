// ProviderLimiter: the one rate limiter for every provider call, shared by every isolate.
// Skeleton: implemented in the one-writer change.
import { DurableObject } from "cloudflare:workers";

export class ProviderLimiter extends DurableObject<Env> {}
