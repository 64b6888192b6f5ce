// ArticleUrl: the one writer for one canonical URL (id = idFromName(canonical URL)): which article holds
// it and, serialised with that, the KV writes of the article it holds.
//
// Guarantees: at most one article id holds the URL; of simultaneous posts of a new URL exactly one
// creates an article and the rest update it; of simultaneous moves to the URL exactly one wins; the
// record is written at most once a second (KV's limit per key), each call answered once its
// version is stored. Its row is written before the KV record, so a crash between the two never duplicates: the next call
// rewrites the record under the same id. Does not guarantee: that KV readers see a write at once (KV
// shows writes elsewhere up to 60 s late), nor one writer for an article while it moves between two
// URLs (the old URL's object can still be finishing a re-post it started before the move).
// One object per URL: a re-post storm of one link is one object's work, never a hot spot for the rest.
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { articleIdTime, newArticleId } from "./article-id";
import { newArticle, patchArticle, repostArticle } from "./article-merge";
import { createArticleRecords, type ArticleRecords } from "./article-records";
import { createArticleWrites, type ArticleWrites } from "./article-writes";
import { type Article, ArticleInput, ArticlePatch } from "./article-schema";

const Url = z.string().min(1);
const Name = z.string().min(1);
const Instant = z.number().int().nonnegative();

export type MoveResult =
  | { status: "moved"; article: Article; from: string }
  | { status: "conflict"; holderId: string }
  | { status: "missing" };
export type ChangeResult =
  { status: "done"; article: Article } | { status: "moved" } | { status: "missing" };

export class ArticleUrl extends DurableObject<Env> {
  // One row at most. No row: the object was never used, so the legacy KV index is consulted once.
  // article_id NULL: the URL is free.
  static readonly SCHEMA = `CREATE TABLE IF NOT EXISTS holder (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    url TEXT NOT NULL,
    article_id TEXT,
    updated_at TEXT NOT NULL
  )`;

  private readonly records: ArticleRecords;
  // KV takes one write a second per key: the record writes, spaced and merged (article-writes.ts).
  private readonly writes: ArticleWrites;
  // KV is not this object's storage, so the input gate lets other calls in while a KV call is awaited;
  // this queue is what keeps a read-merge-write of the held article from interleaving with another.
  // A step hands its record write on and the next one starts: it reads the version not yet stored.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(ArticleUrl.SCHEMA);
    this.records = createArticleRecords(env.ARTICLES);
    this.writes = createArticleWrites(this.records);
  }

  /** A post of this URL: updates the article that holds it, or creates one (`created`). */
  upsert(
    url: string,
    input: ArticleInput,
    editor: string,
    nowMs: number,
  ): Promise<{ article: Article; created: boolean }> {
    const [u, fields, by, now] = [
      Url.parse(url),
      ArticleInput.parse(input),
      Name.parse(editor),
      new Date(Instant.parse(nowMs)),
    ];
    return this.inTurn<{ article: Article; created: boolean }>(async () => {
      const held = await this.holderOf(u);
      if (held?.article) {
        const article = repostArticle(held.article, fields, by, now);
        // A re-post that changes nothing (a feed reading its items again) writes nothing.
        if (sameArticle(article, held.article))
          return { result: { article: held.article, created: false } };
        const stored = this.writes.write(article, held.article);
        return { result: { article, created: false }, stored };
      }
      // A row whose record is missing is a create that stopped half-way: finish it under the same id.
      const id = held?.id ?? newArticleId(now.getTime());
      // The output gate holds the KV call below until this row is durable: row first, then record.
      if (!held) this.setHolder(u, id);
      const createdAt = new Date(articleIdTime(id) ?? now.getTime());
      const article = newArticle(id, u, fields, by, createdAt, now);
      return { result: { article, created: true }, stored: this.writes.write(article, null) };
    });
  }

  /** A patch that keeps the article at this URL. */
  edit(url: string, id: string, patch: ArticlePatch, nowMs: number): Promise<ChangeResult> {
    const [u, articleId, fields, now] = [
      Url.parse(url),
      Name.parse(id),
      ArticlePatch.parse(patch),
      new Date(Instant.parse(nowMs)),
    ];
    return this.inTurn<ChangeResult>(async () => {
      const current = await this.current(articleId);
      if (!current) return { result: { status: "missing" } };
      if (current.url !== u) return { result: { status: "moved" } };
      const article = patchArticle(current, u, fields, now);
      return { result: { status: "done", article }, stored: this.writes.write(article, current) };
    });
  }

  /**
   * A patch that moves article `id` here: claims the URL (unless another article holds it), then
   * writes the record. The caller then releases `from`.
   */
  moveIn(url: string, id: string, patch: ArticlePatch, nowMs: number): Promise<MoveResult> {
    const [u, articleId, fields, now] = [
      Url.parse(url),
      Name.parse(id),
      ArticlePatch.parse(patch),
      new Date(Instant.parse(nowMs)),
    ];
    return this.inTurn<MoveResult>(async () => {
      const held = await this.holderOf(u);
      if (held && held.id !== articleId)
        return { result: { status: "conflict", holderId: held.id } };
      const current = await this.current(articleId);
      if (!current) return { result: { status: "missing" } };
      if (!held) this.setHolder(u, articleId);
      const article = patchArticle(current, u, fields, now);
      const stored = this.writes.write(article, current);
      return { result: { status: "moved", article, from: current.url }, stored };
    });
  }

  /** Frees this URL, but only if article `id` still holds it. */
  release(url: string, id: string): Promise<boolean> {
    const [u, articleId] = [Url.parse(url), Name.parse(id)];
    return this.serially(async () => this.freeIfHeldBy(u, articleId));
  }

  /** Deletes article `id`, which sits at this URL, and frees the URL. */
  remove(url: string, id: string): Promise<ChangeResult> {
    const [u, articleId] = [Url.parse(url), Name.parse(id)];
    return this.serially(async (): Promise<ChangeResult> => {
      const current = await this.current(articleId);
      if (!current) return { status: "missing" };
      if (current.url !== u) return { status: "moved" };
      // Record first, row second: a crash between leaves a row whose record is gone, which the next
      // post of this URL fills again, never a record no row holds (which a post would duplicate).
      await this.writes.write(current, current, true);
      this.freeIfHeldBy(u, articleId);
      return { status: "done", article: current };
    });
  }

  /** `work` in turn; answers once the record write it handed on (if any) is stored. */
  private async inTurn<T>(work: () => Promise<{ result: T; stored?: Promise<void> }>): Promise<T> {
    const { result, stored } = await this.serially(work);
    await stored;
    return result;
  }

  /** The article's latest version: one this object has not yet stored, or the record in KV. */
  private async current(id: string): Promise<Article | null> {
    const unstored = this.writes.unstored(id);
    return unstored !== undefined ? unstored : this.records.get(id);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The article holding this URL, with its record (null if the record is missing). */
  private async holderOf(url: string): Promise<{ id: string; article: Article | null } | null> {
    const row = this.ctx.storage.sql
      .exec<{ url: string; article_id: string | null }>("SELECT url, article_id FROM holder")
      .toArray()[0];
    if (row && row.url !== url) throw new Error(`ArticleUrl for ${row.url} was asked about ${url}`);
    if (!row) {
      const legacyId = await this.records.legacyHolderId(url);
      const legacy = legacyId ? await this.records.get(legacyId) : null;
      // Adopt what the old index named only if that article is still at this URL.
      const adopted = legacy?.url === url ? legacy : null;
      this.setHolder(url, adopted?.id ?? null);
      return adopted ? { id: adopted.id, article: adopted } : null;
    }
    if (row.article_id === null) return null;
    const article = await this.current(row.article_id);
    // The article moved to another URL and this release never landed: the row is stale.
    if (article && article.url !== url) {
      this.setHolder(url, null);
      return null;
    }
    return { id: row.article_id, article };
  }

  private setHolder(url: string, id: string | null): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO holder (only, url, article_id, updated_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (only) DO UPDATE SET article_id = excluded.article_id, updated_at = excluded.updated_at`,
      url,
      id,
      new Date().toISOString(),
    );
  }

  private freeIfHeldBy(url: string, id: string): boolean {
    const freed = this.ctx.storage.sql.exec(
      "UPDATE holder SET article_id = NULL, updated_at = ? WHERE url = ? AND article_id = ?",
      new Date().toISOString(),
      url,
      id,
    );
    return freed.rowsWritten > 0;
  }
}

/** Equal but for when it was saved: nothing a reader or a listing would see differs. */
function sameArticle(a: Article, b: Article): boolean {
  return JSON.stringify({ ...a, updatedAt: "" }) === JSON.stringify({ ...b, updatedAt: "" });
}
