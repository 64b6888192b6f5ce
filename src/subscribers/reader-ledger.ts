// ReaderLedger: the one writer for one reader's state (id = idFromName(address)).
// Skeleton: implemented in the one-writer change.
import { DurableObject } from "cloudflare:workers";

export class ReaderLedger extends DurableObject<Env> {
  /** The provider refused this address as invalid. */
  async markInvalid(_at: string): Promise<void> {}
}
