// The one SourceRegistry object, and the cron's nudge into it.
import type { SourceRegistry } from "./source-registry";

export const sourceRegistry = (env: Env): DurableObjectStub<SourceRegistry> =>
  env.SOURCES.get(env.SOURCES.idFromName("all"));

/** The feed cron: one object call; the fetching happens in the registry's alarm steps. */
export async function nudgeFeeds(env: Env, now: Date): Promise<void> {
  try {
    await sourceRegistry(env).nudge(now.getTime());
  } catch (error) {
    // Feeds never stop the digest that may share this cron run.
    console.error(
      JSON.stringify({
        level: "error",
        event: "feeds.nudge_failed",
        message: error instanceof Error ? error.message : String(error),
      }),
    );
  }
}
