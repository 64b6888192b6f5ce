// The editors' view of readers, mounted at /api/subscribers behind bearer auth: list with counts by
// status, one reader's record and consent ledger, erasure, and import (pending, with double opt-in).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { readConfig, type AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { importReaders } from "../subscribers/import-readers";
import { countReaders } from "../subscribers/reader-roster";
import {
  applyPreferences,
  chosenTopics,
  parseTopics,
  preferencesOf,
  PreferencesInput,
} from "../subscribers/preferences";
import { EmailAddress, SubscriberStatus, type Subscriber } from "../subscribers/subscriber-schema";
import type { EditorVariables } from "./editor-auth";
import { invalidRequest, jsonBody, onInvalid } from "./json-body";
import { readerDeps } from "../subscribers/reader-deps";
import { ConsentSource } from "./subscribers-csv";

// A rare status among many readers: past this many list calls the answer stops early with a cursor
// (the counts take at most 200 more), well inside 1,000 KV operations a request.
const MAX_FILTER_LIST_CALLS = 200;

const ListQuery = z.strictObject({
  status: SubscriberStatus.optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce
    .number({ error: "limit must be a whole number" })
    .int("limit must be a whole number")
    .min(1, "limit must be between 1 and 1000")
    .max(1000, "limit must be between 1 and 1000")
    .default(100),
});

const Import = z.strictObject({
  addresses: z
    .array(z.unknown())
    .min(1, "addresses must hold 1 to 100 addresses")
    .max(100, "addresses must hold 1 to 100 addresses"),
  /** Where the consent came from, kept in each reader's consent record ("2026 conference list"). */
  consentSource: ConsentSource,
});

const Patch = z.strictObject({ preferences: PreferencesInput });

/** A reader's choices as editors see them: every topic listed when the reader takes them all. */
function shownPreferences(env: AppEnv, subscriber: Subscriber) {
  const preferences = preferencesOf(subscriber);
  return {
    ...preferences,
    topics: chosenTopics(preferences, parseTopics(readConfig(env).TOPICS)),
  };
}

const emailParam = (raw: string) => {
  // Hono has already percent-decoded the path parameter.
  const parsed = EmailAddress.safeParse(raw);
  if (!parsed.success)
    throw invalidRequest([{ path: "email", message: "email must be an email address" }]);
  return parsed.data;
};

export const subscriberApi = new Hono<{ Bindings: AppEnv; Variables: EditorVariables }>()
  .get("/", zValidator("query", ListQuery, onInvalid), async (c) => {
    const { status, cursor, limit } = c.req.valid("query");
    const { store } = readerDeps(c.env);
    const subscribers: { email: string; status: string }[] = [];
    let next: string | null = cursor ?? null;
    let calls = 0;
    // Pages of 1,000 keys filtered by status; the answer's cursor resumes after the last page read.
    do {
      const page = await store.listPage(next).catch(() => {
        throw invalidRequest([{ path: "cursor", message: "cursor is not one this API gave out" }]);
      });
      subscribers.push(...page.readers.filter((reader) => !status || reader.status === status));
      next = page.cursor;
    } while (next && subscribers.length < limit && ++calls < MAX_FILTER_LIST_CALLS);

    const { counts, complete } = await countReaders(store);
    return c.json({ subscribers, cursor: next, counts: complete ? counts : null });
  })

  .post("/import", jsonBody(), zValidator("json", Import, onInvalid), async (c) => {
    const { addresses, consentSource } = c.req.valid("json");
    const results = await importReaders(
      readerDeps(c.env),
      addresses,
      consentSource,
      parseTopics(readConfig(c.env).TOPICS),
    );
    return c.json({ results }, 207);
  })

  .get("/:email", async (c) => {
    const email = emailParam(c.req.param("email"));
    const subscriber = await readerDeps(c.env).readers(email).read();
    if (!subscriber) throw notFound("No reader has this address.");
    return c.json({ subscriber, preferences: shownPreferences(c.env, subscriber) });
  })

  // Changes a reader's choices through their ledger; a bad field is a 400 and nothing is stored.
  .patch("/:email", jsonBody(), zValidator("json", Patch, onInvalid), async (c) => {
    const email = emailParam(c.req.param("email"));
    const deps = readerDeps(c.env);
    const ledger = deps.readers(email);
    const current = await ledger.read();
    if (!current) throw notFound("No reader has this address.");
    const { preferences: input } = c.req.valid("json");
    const topics = parseTopics(readConfig(c.env).TOPICS);
    const check = applyPreferences(preferencesOf(current), input, topics);
    if (!check.ok)
      throw new ApiError(
        400,
        "invalid_request",
        "The request is not valid.",
        check.issues.map((issue) => ({ ...issue, path: `preferences.${issue.path}` })),
      );
    const subscriber = await ledger.setPreferences(check.preferences, deps.now.toISOString());
    if (!subscriber) throw notFound("No reader has this address.");
    return c.json({ subscriber, preferences: shownPreferences(c.env, subscriber) });
  })

  .delete("/:email", async (c) => {
    const deps = readerDeps(c.env);
    const email = emailParam(c.req.param("email"));
    if (!(await deps.readers(email).erase(deps.now.toISOString())))
      throw notFound("No reader has this address.");
    return c.body(null, 204);
  });
