// A test send of the next digest to one address, for the API and the desk: never to an address its
// ReaderLedger says is suppressed, and counted nowhere (see sendTestDigest).
import { readConfig, type AppEnv } from "../env";
import { ApiError } from "../errors";
import { createMailer } from "../mail/create-mailer";
import { readerLedger } from "../subscribers/reader-ledger";
import { runDeps } from "./digest-handlers";
import { compileNext, previewSite, sendTestDigest } from "./next-digest";

// An editor waits on the page: a provider 429 is waited out for seconds, not a consumer's minutes.
const TEST_RATE_LIMIT_WAIT_SECONDS = 10;

export async function testSend(env: AppEnv, to: string): Promise<{ subject: string }> {
  const reason = await readerLedger(env, to).suppressedReason();
  if (reason)
    throw new ApiError(
      409,
      "suppressed",
      `${to} is suppressed (${reason}): it gets no mail, not even a test.`,
    );
  const config = readConfig(env);
  const mailer = createMailer(
    {
      ...config,
      SEND_RATE_LIMIT_WAIT_SECONDS: Math.min(
        config.SEND_RATE_LIMIT_WAIT_SECONDS,
        TEST_RATE_LIMIT_WAIT_SECONDS,
      ),
    },
    env,
  );
  const now = new Date();
  const digest = await compileNext(runDeps(env), now);
  const result = await sendTestDigest(digest, previewSite(config), mailer, to, now);
  if (!result.ok)
    throw new ApiError(503, "mail_unavailable", `The test could not be sent: ${result.message}`);
  return result;
}
