// EditionSend: the one owner of one edition's send (id = idFromName(digest id)).
// Skeleton: implemented in the one-writer change.
import { DurableObject } from "cloudflare:workers";

export class EditionSend extends DurableObject<Env> {}
