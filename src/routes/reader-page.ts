// What the reader's pages share: the message page every answer is, and reading the token a reader's
// link carries (a bad one answers a 400 page that says what to do). A GET never changes anything.
import type { Context } from "hono";
import { readConfig, type AppEnv } from "../env";
import type { TokenCheck, TokenPurpose } from "../subscribers/reader-token";
import { readerDeps } from "../subscribers/reader-deps";
import type { SubscriptionDeps } from "../subscribers/subscription";
import type { SafeHtml } from "../../templates/html";
import { renderMessagePage } from "../../templates/message-page";

export type ReaderContext = Context<{ Bindings: AppEnv }>;

export const depsOf = (c: ReaderContext): SubscriptionDeps => readerDeps(c.env);

export const page = (
  c: ReaderContext,
  title: string,
  message: string | SafeHtml,
  extra: Partial<Parameters<typeof renderMessagePage>[0]> = {},
  status: 200 | 400 = 200,
) =>
  c.html(
    renderMessagePage({ siteTitle: readConfig(c.env).DIGEST_TITLE, title, message, ...extra }),
    status,
  );

const TOKEN_HELP: Record<Exclude<TokenCheck, { ok: true }>["reason"], string> = {
  malformed:
    "This link is incomplete. Open it again from the email, making sure you have the whole link.",
  forged:
    "This link is not valid. Open it again from the email, or sign up again on the front page.",
  expired:
    "This confirmation link has expired (links work for 7 days). Sign up again to get a fresh one.",
  wrong_purpose: "This link is meant for something else. Use the matching link from the email.",
};

/** Verifies a token or answers the 400 page that says what to do. */
export async function readToken(
  c: ReaderContext,
  deps: SubscriptionDeps,
  token: string | undefined,
  purpose: TokenPurpose,
) {
  const check = await deps.signer.verify(token ?? "", purpose, deps.now);
  if (check.ok) return { email: check.email, token: token ?? "" };
  return { response: page(c, "This link does not work", TOKEN_HELP[check.reason], {}, 400) };
}
