// DepartureLog: who stopped being mailable recently, so sends in flight skip them.
// Skeleton: implemented in the one-writer change.
import { DurableObject } from "cloudflare:workers";

export class DepartureLog extends DurableObject<Env> {}
