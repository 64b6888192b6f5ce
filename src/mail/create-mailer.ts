// Picks the mail adapter: Resend, paced by the shared ProviderLimiter, when RESEND_API_KEY is set;
// the local outbox otherwise (it calls no provider, so it needs no limiter).
import type { AppEnv, Config } from "../env";
import { ungated, type ConnectionGate } from "./connection-gate";
import type { Mailer } from "./mailer";
import { createOutboxMailer } from "./outbox-mailer";
import { createPacedMailer } from "./paced-mailer";
import { providerLimiter } from "./provider-limiter";
import { createResendMailer } from "./resend-mailer";

/** `gate`: the invocation's connection gate, when several sends run at once (the send consumer). */
export function createMailer(
  config: Config,
  env: Pick<AppEnv, "OUTBOX" | "PROVIDER_LIMITER">,
  gate: ConnectionGate = ungated,
): Mailer {
  if (config.RESEND_API_KEY) {
    const resend = createResendMailer({
      apiKey: config.RESEND_API_KEY,
      baseUrl: config.RESEND_BASE_URL,
    });
    return createPacedMailer(resend, {
      limiter: providerLimiter(env.PROVIDER_LIMITER),
      ratePerSecond: config.RESEND_RATE_PER_SECOND,
      maxWaitSeconds: config.SEND_RATE_LIMIT_WAIT_SECONDS,
      quotaDaySeconds: config.RESEND_QUOTA_DAY_SECONDS,
      gate,
    });
  }
  const outbox = createOutboxMailer(env.OUTBOX);
  return {
    kind: outbox.kind,
    send: (email, key) => gate(() => outbox.send(email, key)),
    sendBatch: (emails, key) => gate(() => outbox.sendBatch(emails, key)),
  };
}
