// Reads the Worker's vars and secrets once per request, validated, with defaults in one place.
import { z } from "zod";
import { ApiError } from "./errors";
import { RESEND_QUOTA_DAY_SECONDS } from "./mail/quota-stop";

/** Secrets set with `wrangler secret put`; absent from wrangler.toml, so optional here. */
export type AppEnv = Env & {
  RESEND_API_KEY?: string;
  RESEND_WEBHOOK_SECRET?: string;
};

export const DEFAULT_TOPICS =
  "ai:AI,security:Security,languages:Languages,cloud:Cloud,hardware:Hardware,web:Web,open-source:Open source";

const positiveInt = (fallback: number) =>
  z.preprocess(
    (value) => (value === undefined || value === "" ? fallback : Number(value)),
    z.number().int().positive(),
  );
const positiveNumber = (fallback: number) =>
  z.preprocess(
    (value) => (value === undefined || value === "" ? fallback : Number(value)),
    z.number().positive(),
  );
const optionalText = z.preprocess(
  (value) => (value === "" ? undefined : value),
  z.string().optional(),
);

const Config = z.object({
  SITE_URL: z.url().transform((url) => url.replace(/\/+$/, "")),
  DIGEST_TITLE: z.string().min(1).default("Tidings"),
  DIGEST_TAGLINE: z.string().default("The day's tech news, in one short email every morning."),
  MAIL_FROM: z.string().min(3),
  MAIL_POSTAL_ADDRESS: z.string().min(1),
  DIGEST_CRON: z.string().min(1).default("0 7 * * *"),
  DIGEST_SEND_TIME: z.string().min(1).default("07:00 UTC"),
  /** The site's topics as `slug:Label` pairs; readers choose among them. */
  TOPICS: z
    .string()
    .regex(/^\s*[a-z0-9-]+(:[^,]+)?(\s*,\s*[a-z0-9-]+(:[^,]+)?)*\s*$/, "slug:Label pairs")
    .default(DEFAULT_TOPICS),
  /**
   * `personal`: each reader gets their own selection at their own time (the quarter-hour cron); the daily
   * digest is compiled for the archive only. `edition`: the day's digest goes to every reader at
   * DIGEST_CRON, as before issue 10.
   */
  DIGEST_DELIVERY: z.enum(["personal", "edition"]).default("personal"),
  DIGEST_MAX_ARTICLES: positiveInt(30),
  DIGEST_MIN_ARTICLES: z.preprocess(
    (value) => (value === undefined || value === "" ? 1 : Number(value)),
    z.number().int().nonnegative(),
  ),
  /** Resend's documented default is 5 calls a second per team (api-reference/rate-limit). */
  RESEND_RATE_PER_SECOND: positiveNumber(5),
  /** Resend's quota day: its daily quota resets at 00:00 UTC. Tests shorten it (scaled time). */
  RESEND_QUOTA_DAY_SECONDS: positiveNumber(RESEND_QUOTA_DAY_SECONDS),
  COMPLAINT_BRAKE_RATE: z.preprocess(
    (value) => (value === undefined || value === "" ? 0.003 : Number(value)),
    z.number().positive().max(1),
  ),
  SEND_RETRY_BASE_SECONDS: positiveNumber(2),
  SEND_RETRY_MAX_SECONDS: positiveNumber(300),
  SEND_RATE_LIMIT_WAIT_SECONDS: positiveNumber(300),
  FANOUT_PAGES_PER_STEP: positiveInt(100),
  FEED_CRON: z.string().min(1).default("5-59/15 * * * *"),
  ALLOW_PRIVATE_FEEDS: z.preprocess((value) => value === true || value === "true", z.boolean()),
  STORY_MERGE_THRESHOLD: z.preprocess(
    (value) => (value === undefined || value === "" ? 0.24 : Number(value)),
    z.number().positive().max(1),
  ),
  RESEND_BASE_URL: optionalText,
  RESEND_API_KEY: optionalText,
  RESEND_WEBHOOK_SECRET: optionalText,
  EDITOR_TOKENS: optionalText,
  /** Origins (comma-separated) whose sign-up form posts and JSON sign-ups are accepted. */
  SIGNUP_ORIGINS: optionalText,
  /** Who gets the weekly report: comma-separated addresses (empty: nobody). */
  EDITOR_EMAILS: z.preprocess(
    (value) =>
      typeof value === "string"
        ? value
            .split(",")
            .map((a) => a.trim())
            .filter(Boolean)
        : [],
    z.array(z.email()).max(50),
  ),
  /** The deployed commit, shown by GET /health when set. */
  COMMIT_SHA: optionalText,
  SIGNING_SECRET: optionalText,
});
export type Config = z.infer<typeof Config>;

/** Parses the configuration; a malformed var is an operator error, answered 503, never guessed. */
export function readConfig(env: AppEnv): Config {
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new ApiError(503, "not_configured", `Tidings is misconfigured: check ${names}.`);
  }
  return parsed.data;
}

/** SIGNUP_ORIGINS as origins (`https://blog.example.com`); entries that are not URLs are dropped. */
export function signupOrigins(config: Pick<Config, "SIGNUP_ORIGINS">): string[] {
  return (config.SIGNUP_ORIGINS ?? "").split(",").flatMap((entry) => {
    try {
      const origin = new URL(entry.trim()).origin;
      return origin === "null" ? [] : [origin];
    } catch {
      return [];
    }
  });
}

/** A secret the route cannot work without: fail closed with 503, never fall back to a default. */
export function requireSecret(value: string | undefined, name: string): string {
  if (!value) {
    throw new ApiError(
      503,
      "not_configured",
      `The ${name} secret is not set. Set it with \`wrangler secret put ${name}\`.`,
    );
  }
  return value;
}
