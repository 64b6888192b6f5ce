// Wiring for everything that acts on readers (routes, the list importer): their ledgers, the KV list,
// mailer, signer and the site's words.
import { readConfig, requireSecret, type AppEnv } from "../env";
import { createMailer } from "../mail/create-mailer";
import { describePreferences, parseTopics, type Preferences } from "./preferences";
import { readerLedger } from "./reader-ledger";
import { createTokenSigner } from "./reader-token";
import { createSubscriberStore, type SubscriberStore } from "./subscriber-store";
import type { SubscriptionDeps } from "./subscription";

const REQUEST_RATE_LIMIT_WAIT_SECONDS = 10;

export function readerDeps(
  env: AppEnv,
  now = new Date(),
): SubscriptionDeps & { store: SubscriberStore } {
  const config = readConfig(env);
  const secret = requireSecret(config.SIGNING_SECRET, "SIGNING_SECRET");
  return {
    readers: (email) => readerLedger(env, email),
    /** The KV mirror, for listing readers (nothing decides from it). */
    store: createSubscriberStore(env.SUBSCRIBERS),
    // A reader waits on the page: a request waits out the provider's 429s for seconds, not the
    // minutes a queue consumer may (then the page says to try again).
    mailer: createMailer(
      {
        ...config,
        SEND_RATE_LIMIT_WAIT_SECONDS: Math.min(
          config.SEND_RATE_LIMIT_WAIT_SECONDS,
          REQUEST_RATE_LIMIT_WAIT_SECONDS,
        ),
      },
      env,
    ),
    signer: createTokenSigner(secret),
    site: {
      siteTitle: config.DIGEST_TITLE,
      siteUrl: config.SITE_URL,
      mailFrom: config.MAIL_FROM,
      postalAddress: config.MAIL_POSTAL_ADDRESS,
      sendTime: config.DIGEST_SEND_TIME,
      ...(config.DIGEST_DELIVERY === "personal"
        ? {
            describeChoices: (preferences: Preferences) =>
              describePreferences(preferences, parseTopics(config.TOPICS)),
          }
        : {}),
    },
    now,
  };
}
