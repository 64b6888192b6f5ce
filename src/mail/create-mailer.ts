// Picks the mail adapter: Resend when RESEND_API_KEY is set, the local outbox otherwise.
import type { Config } from "../env";
import type { Mailer } from "./mailer";
import { createOutboxMailer } from "./outbox-mailer";
import { createResendMailer } from "./resend-mailer";

export function createMailer(config: Config, outbox: KVNamespace): Mailer {
  if (config.RESEND_API_KEY) {
    return createResendMailer({ apiKey: config.RESEND_API_KEY, baseUrl: config.RESEND_BASE_URL });
  }
  return createOutboxMailer(outbox);
}
