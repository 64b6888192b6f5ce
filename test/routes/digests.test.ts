import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createArticleStore } from "../../src/articles/article-store";
import { runDeps } from "../../src/digest/digest-handlers";
import { runDigest } from "../../src/digest/run-digest";
import { api, BASE } from "../fixtures/api";
import { seedArticle } from "../fixtures/digest";
import { kvSnapshot } from "../fixtures/kv";
import { parseHtml, parseXml } from "../fixtures/parse";

const HOUR = 3_600_000;

/** Digests on consecutive days of 2050, each with one article; every third day skipped (no article). */
async function seedDigests(days: number) {
  for (let day = 1; day <= days; day++) {
    const id = `2050-01-${String(day).padStart(2, "0")}`;
    const cutoff = new Date(`${id}T07:00:00Z`);
    if (day % 3 !== 0) {
      await seedArticle(
        {
          url: `https://archive.test/${id}`,
          title: `Story of ${id} <i>`,
          summary: "A & B",
          topics: ["web"],
        },
        new Date(cutoff.getTime() - HOUR),
      );
    }
    await runDigest(runDeps(env), { id, cutoff });
  }
}

const seeded = seedDigests(31);
// Seeding 31 digests can take longer than one test's 5 s on a busy machine.
beforeAll(() => seeded, 60_000);

describe("the archive", () => {
  it("lists published digests newest first, leaving out skipped days", async () => {
    await seeded;
    const response = await SELF.fetch(`${BASE}/digests`);
    expect(response.status).toBe(200);
    const page = parseHtml(await response.text());
    const links = page
      .all("a")
      .map((a) => page.attr(a, "href"))
      .filter((href) => href?.startsWith("/digests/2050"));
    const expected = Array.from({ length: 31 }, (_, i) => i + 1)
      .filter((day) => day % 3 !== 0)
      .reverse()
      .map((day) => `/digests/2050-01-${String(day).padStart(2, "0")}`);
    expect(links).toEqual(expected);
    expect(page.all("html")[0] && page.attr(page.all("html")[0]!, "lang")).toBe("en");
  });

  it("shows one digest as a page with the email's content and no reader's links, escaped", async () => {
    await seeded;
    const response = await SELF.fetch(`${BASE}/digests/2050-01-02`);
    expect(response.status).toBe(200);
    const source = await response.text();
    const page = parseHtml(source);
    expect(page.all("h3").map((h) => page.text(h))).toEqual(["Story of 2050-01-02 <i>"]);
    expect(source).not.toContain("<i>");
    expect(
      page.all("a").some((a) => page.attr(a, "href") === "https://archive.test/2050-01-02"),
    ).toBe(true);
    expect(source).not.toContain("unsubscribe?token=");
  });

  it("keeps showing what was sent after the article is edited or deleted", async () => {
    await seeded;
    const { articles } = await createArticleStore(env.ARTICLES).list({
      fromMs: Date.parse("2050-01-01"),
      toMs: Date.parse("2050-02-01"),
      limit: 100,
    });
    const article = articles.find((a) => a.url === "https://archive.test/2050-01-04")!;
    await createArticleStore(env.ARTICLES, env.ARTICLE_URLS).remove(article.id);
    const page = await (await SELF.fetch(`${BASE}/digests/2050-01-04`)).text();
    expect(page).toContain("Story of 2050-01-04");
  });

  it("answers a 404 page for an unknown, skipped or malformed date", async () => {
    await seeded;
    for (const path of [
      "/digests/2050-02-30",
      "/digests/2050-01-03",
      "/digests/yesterday",
      "/digests/2050-01-01x",
    ]) {
      const response = await SELF.fetch(`${BASE}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toMatch(/text\/html/);
    }
  });
});

describe("the archive as a publication", () => {
  // 31 days seeded, every third skipped: 21 published issues, 2050-01-01 is No. 1.
  it("tops a digest page with a masthead: wordmark, issue number, date in words, stories, reading time", async () => {
    await seeded;
    const source = await (await SELF.fetch(`${BASE}/digests/2050-01-05`)).text();
    const page = parseHtml(source);
    const [masthead] = page.all("header");
    const line = page.text(masthead!).replace(/\s+/g, " ");
    expect(line).toContain("Tidings");
    // 01, 02, 04, 05: the fourth published issue.
    expect(line).toContain("No. 4");
    expect(line).toContain("Wednesday, 5 January 2050");
    expect(line).toContain("1 story");
    expect(line).toContain("1 min read");
  });

  it("puts a subscribe form before the stories on digest pages and on /digests", async () => {
    await seeded;
    for (const path of ["/digests/2050-01-05", "/digests"]) {
      const source = await (await SELF.fetch(`${BASE}${path}`)).text();
      const form = source.indexOf('action="/subscribe"');
      expect(form).toBeGreaterThan(0);
      expect(form).toBeLessThan(source.indexOf("<h1"));
      const page = parseHtml(source);
      const email = page.all("input").find((input) => page.attr(input, "name") === "email");
      expect(email && page.attr(email, "type")).toBe("email");
    }
  });

  it("lists each issue's number, date in words, lead story and count", async () => {
    await seeded;
    const page = parseHtml(await (await SELF.fetch(`${BASE}/digests`)).text());
    const items = page.all("li").map((li) => page.text(li).replace(/\s+/g, " "));
    expect(items[0]).toBe("No. 21 · 31 Jan 2050 · 1 story Story of 2050-01-31 <i>");
    expect(items.at(-1)).toBe("No. 1 · 1 Jan 2050 · 1 story Story of 2050-01-01 <i>");
  });

  it("describes each page for search and link previews", async () => {
    await seeded;
    const page = parseHtml(await (await SELF.fetch(`${BASE}/digests/2050-01-02`)).text());
    const meta = (key: string) => {
      const el = page
        .all("meta")
        .find((m) => page.attr(m, "name") === key || page.attr(m, "property") === key);
      return el && page.attr(el, "content");
    };
    expect(meta("description")).toBe("No. 2 of Tidings, 2 Jan 2050: Story of 2050-01-02 <i>.");
    expect(meta("og:title")).toBe("Tidings for Sunday, 2 January 2050");
    expect(meta("og:url")).toBe(`${BASE}/digests/2050-01-02`);
    expect(meta("og:site_name")).toBe("Tidings");
    const archive = parseHtml(await (await SELF.fetch(`${BASE}/digests`)).text());
    expect(archive.all("meta").some((m) => archive.attr(m, "property") === "og:description")).toBe(
      true,
    );
  });

  it("carries no inline colours, so the page's dark mode styles every headline", async () => {
    await seeded;
    const source = await (await SELF.fetch(`${BASE}/digests/2050-01-02`)).text();
    expect(source).not.toMatch(/style=/);
    expect(source).toContain("prefers-color-scheme: dark");
  });

  it("has a favicon inline, and answers /favicon.ico", async () => {
    await seeded;
    const page = parseHtml(await (await SELF.fetch(`${BASE}/digests`)).text());
    const icon = page.all("link").find((link) => page.attr(link, "rel") === "icon");
    expect(icon && page.attr(icon, "href")).toMatch(/^data:image\/svg\+xml,/);
    const response = await SELF.fetch(`${BASE}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await response.text()).toContain("<svg");
  });
});

describe("the Atom feed", () => {
  it("is a valid Atom feed of the latest 20 published digests (of 21)", async () => {
    await seeded;
    const response = await SELF.fetch(`${BASE}/feed.xml`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/atom+xml; charset=utf-8");
    const feed = parseXml(await response.text());
    const [root] = feed.all("feed");
    expect(feed.attr(root!, "xmlns")).toBe("http://www.w3.org/2005/Atom");
    for (const required of ["id", "title", "updated"])
      expect(feed.all(required).length).toBeGreaterThan(0);
    const entries = feed.all("entry");
    expect(entries).toHaveLength(20);
    const first = entries[0]!;
    const child = (name: string) =>
      first.children.find((node) => "name" in node && node.name === name) as any;
    expect(feed.text(child("id"))).toBe("tag:tidings.test,2050:digest:2050-01-31");
    expect(feed.text(child("title"))).toBe("Tidings: Story of 2050-01-31 <i>");
    expect(feed.attr(child("link"), "href")).toBe(`${BASE}/digests/2050-01-31`);
    expect(new Date(feed.text(child("updated"))).toISOString()).toBe("2050-01-31T07:00:00.000Z");
    expect(feed.attr(child("content"), "type")).toBe("html");
    // The content is escaped HTML: parsing it again gives the digest's markup.
    const inner = parseHtml(feed.text(child("content")));
    expect(inner.all("h3").map((h) => inner.text(h))).toEqual(["Story of 2050-01-31 <i>"]);
    expect(inner.all("i")).toEqual([]);
  });
});

describe("the editors' digest API", () => {
  it("answers a digest's status", async () => {
    await seeded;
    const response = await api("/api/digests/2050-01-02");
    expect(response.status).toBe(200);
    const { digest } = (await response.json()) as any;
    expect(Object.keys(digest)).toEqual(
      expect.arrayContaining([
        "id",
        "status",
        "articleCount",
        "recipients",
        "sent",
        "failed",
        "queued",
        "startedAt",
        "finishedAt",
      ]),
    );
    expect(digest).toMatchObject({ id: "2050-01-02", articleCount: 1 });
    expect(["sending", "sent"]).toContain(digest.status);
    expect((await (await api("/api/digests/2050-01-03")).json<any>()).digest.status).toBe(
      "skipped",
    );
  });

  it("answers 404 for an unknown date and 400 for a malformed one, and needs a token", async () => {
    expect((await api("/api/digests/2051-01-01")).status).toBe(404);
    const bad = await api("/api/digests/not-a-date");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe("invalid_request");
    expect((await api("/api/digests/2050-01-02", { token: null })).status).toBe(401);
  });

  it("dry-runs today's digest without storing or sending anything", async () => {
    await seeded;
    await seedArticle(
      { url: "https://dry.test/now", title: "Fresh news" },
      new Date(Date.now() - 1000),
    );
    const before = [await kvSnapshot(env.DIGESTS), await kvSnapshot(env.OUTBOX)];
    const response = await api("/api/digests/run", { method: "POST", json: { dryRun: true } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.dryRun).toBe(true);
    expect(body.digest.articles.map((a: any) => a.title)).toContain("Fresh news");
    expect([await kvSnapshot(env.DIGESTS), await kvSnapshot(env.OUTBOX)]).toEqual(before);
  });

  it("previews the HTML of the digest that would be compiled now", async () => {
    await seeded;
    await seedArticle(
      { url: "https://preview.test/now", title: "Preview <story>" },
      new Date(Date.now() - 1000),
    );
    const response = await api("/api/digests/preview");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain("Preview &lt;story&gt;");
    expect(html).toMatch(/<table\s+role=['"]presentation['"]/);
  });

  it.each([
    [{ date: "2050-13-01" }, "date"],
    [{ date: "2999-01-01" }, "date"],
    [{ date: "2050-02-30" }, "date"],
    [{ dryRun: "yes" }, "dryRun"],
    [{ extra: true }, "(body)"],
  ])("refuses %j with 400, changing nothing", async (json, path) => {
    const before = await kvSnapshot(env.DIGESTS);
    const response = await api("/api/digests/run", { method: "POST", json });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.issues.map((i: any) => i.path)).toContain(path);
    expect(await kvSnapshot(env.DIGESTS)).toBe(before);
  });
});
