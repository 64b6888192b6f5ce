// EditionSend: the one owner of one edition's send (id = idFromName(digest id)).
// Skeleton: the interface other parts call; implemented in the one-writer change.
import { DurableObject } from "cloudflare:workers";

export type DigestEventKind = "bounced" | "complained";

export class EditionSend extends DurableObject<Env> {
  /** A provider event for this edition, counted once per event id. */
  async recordEvent(_eventId: string, _type: DigestEventKind, _permanent: boolean): Promise<void> {}

  /** Removes an erased reader from every chunk not yet sent. */
  async forget(_email: string): Promise<void> {}
}

/** The owner of edition `id`'s send. */
export const editionSend = (env: Pick<Env, "EDITION_SENDS">, id: string) =>
  env.EDITION_SENDS.get(env.EDITION_SENDS.idFromName(id));
