// Wiring for every route that acts on readers: stores, mailer, signer and the site's words.
import { readConfig, requireSecret, type AppEnv } from "../env";
import { createMailer } from "../mail/create-mailer";
import { suppressionOf, type ErasureDeps } from "../subscribers/erasure";
import { createTokenSigner } from "../subscribers/reader-token";
import { createSubscriberStore } from "../subscribers/subscriber-store";
import type { SubscriptionDeps } from "../subscribers/subscription";

export function readerDeps(
  env: AppEnv,
  now = new Date(),
): SubscriptionDeps & { erasure: ErasureDeps } {
  const config = readConfig(env);
  const secret = requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET");
  const store = createSubscriberStore(env.SUBSCRIBERS);
  return {
    store,
    suppressed: (email) => suppressionOf({ kv: env.SUBSCRIBERS, secret }, email),
    mailer: createMailer(config, env),
    signer: createTokenSigner(secret),
    site: {
      siteTitle: config.DIGEST_TITLE,
      siteUrl: config.SITE_URL,
      mailFrom: config.MAIL_FROM,
      postalAddress: config.MAIL_POSTAL_ADDRESS,
      sendTime: config.DIGEST_SEND_TIME,
    },
    now,
    erasure: { kv: env.SUBSCRIBERS, outbox: env.OUTBOX, store, secret, now },
  };
}
