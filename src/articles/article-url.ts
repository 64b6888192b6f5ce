// ArticleUrl: the one writer for one canonical URL (id = idFromName(canonical URL)).
// Skeleton: implemented in the one-writer change.
import { DurableObject } from "cloudflare:workers";

export class ArticleUrl extends DurableObject<Env> {}
