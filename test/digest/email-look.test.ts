// The digest email as a publication: masthead, "In this issue", the editor's note, the top story,
// plain dates, a text part that reads as well, and never clipped, measured at the field maxima.
import { describe, expect, it } from "vitest";
import { groupSections } from "../../src/digest/compile-digest";
import type { DigestItem } from "../../src/digest/digest-schema";
import { personaliseChunk } from "../../src/digest/personalise-chunk";
import { selectionParts, withKnownItems } from "../../src/digest/render-selection";
import { defaultPreferences } from "../../src/subscribers/preferences";
import { createTokenSigner } from "../../src/subscribers/reader-token";
import { MAX_EMAIL_HTML_BYTES, renderDigestEmailParts } from "../../templates/digest-email";
import { parseHtml } from "../fixtures/parse";

const site = {
  siteTitle: "Tidings",
  siteUrl: "https://tidings.test",
  postalAddress: "1 Example Street, Springfield",
};

const item = (n: number, overrides: Partial<DigestItem> = {}): DigestItem => ({
  id: `a${n}`,
  url: `https://example.com/${n}`,
  title: `Story ${n}`,
  summary: `Summary of story ${n}.`,
  source: "Example News",
  topics: [n % 2 ? "AI" : "Security"],
  publishedAt: "2026-11-26T08:00:00.000Z",
  createdAt: "2026-11-26T08:00:00.000Z",
  updatedAt: "2026-11-26T08:00:00.000Z",
  editor: "a",
  ...overrides,
});

const digest = (items: DigestItem[], note: string | null = null) => ({
  id: "2026-11-26",
  subject: "Tidings: Story 1",
  title: "Tidings for Thursday 26 November 2026",
  sections: groupSections(items),
  note,
  issueNumber: 42,
});

describe("the digest email's look", () => {
  const parts = renderDigestEmailParts(
    digest(
      [1, 2, 3, 4].map((n) => item(n)),
      "Hello readers.\n\nMore at https://tidings.test/about and <b>nothing</b> else.",
    ),
    site,
  );
  const html = parts.html.join("");
  const page = parseHtml(html);
  const text = parts.text.join("FOOTER");

  it("opens with a masthead: wordmark, issue number, date in words, stories and reading time", () => {
    expect(html).toContain(">Tidings</p>");
    expect(html).toContain("No. 42 &#183; 4 stories &#183; 1 min read");
    expect(page.text(page.all("h1")[0]!)).toBe("Thursday 26 November 2026");
  });

  it("says what is in this issue by section label, and labels sections by topic", () => {
    expect(html).toContain("<strong>In this issue:</strong> AI (2), Security (2)");
    expect(page.all("h2").map((h) => page.text(h))).toEqual(["AI", "Security"]);
  });

  it("puts the editor's note above the stories, in paragraphs, its links made links and its markup escaped", () => {
    const noteAt = html.indexOf("Hello readers.");
    expect(noteAt).toBeGreaterThan(0);
    expect(noteAt).toBeLessThan(html.indexOf("Top story"));
    expect(html).toContain("<a href='https://tidings.test/about' class='l'");
    expect(html).toContain("&lt;b&gt;nothing&lt;/b&gt;");
    expect(text).toMatch(/FROM THE EDITOR\n-+\n\nHello readers\.\n\nMore at/);
  });

  it("sets the top story apart and gives headlines the brand colour without underline, dates in words", () => {
    const top = page.all("div").find((d) => page.attr(d, "class") === "k")!;
    expect(page.text(top)).toMatch(/^Top story\s*Story 1/);
    const headline = page.all("a").find((a) => page.text(a) === "Story 2")!;
    expect(page.attr(headline, "style")).toBe("color:#0b57d0;text-decoration:none;");
    expect(html).toContain("Example News &#183; 26 Nov");
    expect(html).not.toContain("2026-11-26T");
  });

  it("has a text part that reads like the HTML: masthead, contents, top story, sections, links", () => {
    expect(text).toMatch(/^TIDINGS · No\. 42\nThursday 26 November 2026\n4 stories · 1 min read\n/);
    expect(text).toContain("Read on the web: https://tidings.test/digests/2026-11-26");
    expect(text).toContain("In this issue: AI (2), Security (2)");
    expect(text).toContain(
      "TOP STORY\n---------\n\nStory 1\nExample News, 26 Nov\nSummary of story 1.",
    );
    expect(text).toContain("SECURITY\n--------\n\n* Story 2\n  Example News, 26 Nov");
    expect(text).toContain("  https://example.com/4");
    expect(text).toContain("FOOTER\n1 Example Street");
  });

  it("styles dark mode for clients that ask (media query) and for Outlook's apps (data-ogsc/ogsb)", () => {
    const css = page.text(page.all("style")[0]!);
    expect(css).toMatch(/@media \(prefers-color-scheme:dark\)\{.*\.l\{color:#8ab4f8!important;\}/);
    expect(css).toContain("[data-ogsc] .t{");
    expect(css).toContain("[data-ogsb] .c{");
    const names = page.all("meta").map((m) => page.attr(m, "name"));
    expect(names).toEqual(expect.arrayContaining(["color-scheme", "supported-color-schemes"]));
  });
});

describe("a personal selection's email", () => {
  const slotPool = (id: string, articles: DigestItem[]) => ({
    ...digest(articles),
    id,
    status: "compiled" as const,
    heldReason: null,
    windowStart: "2026-11-25T07:00:00.000Z",
    cutoff: "2026-11-26T09:00:00.000Z",
    articleCount: articles.length,
    webHtml: "",
    createdAt: "2026-11-26T07:00:00.000Z",
    archiveId: "2026-11-26",
    issueNumber: 7,
    sections: [{ topic: null, articles }],
  });
  const everything = { topics: [], maxArticles: 30 };

  it("carries the number of the archived issue it links to, from the slot's pool", () => {
    const pool = {
      ...digest([item(1), item(2)]),
      id: "2026-11-26T0700",
      status: "compiled" as const,
      heldReason: null,
      windowStart: "2026-11-25T07:00:00.000Z",
      cutoff: "2026-11-26T09:00:00.000Z",
      articleCount: 2,
      webHtml: "",
      createdAt: "2026-11-26T07:00:00.000Z",
      archiveId: "2026-11-26",
      issueNumber: 7,
      sections: [{ topic: null, articles: [item(1), item(2)] }],
    };
    const parts = selectionParts(
      pool,
      defaultPreferences("UTC"),
      { topics: [], maxArticles: 30 },
      site,
    );
    expect(parts.html[0]).toContain("No. 7 &#183; 2 stories");
    expect(parts.html[0]).toContain("https://tidings.test/digests/2026-11-26");
  });

  it("takes a later slot's unchanged stories as the objects rendered before, and a changed one anew", () => {
    const earlier = withKnownItems(slotPool("2026-11-26T0700", [item(1), item(2)]));
    // The next slot's pool arrives as new objects; story 2 has since been covered by two more outlets.
    const wider = item(2, {
      sources: 3,
      also: [{ source: "Other News", url: "https://other.test/2" }],
    });
    const later = withKnownItems(slotPool("2026-11-26T0800", [item(1), wider]));
    const [first, second] = later.sections[0]!.articles;
    expect(first).toBe(earlier.sections[0]!.articles[0]);
    expect(second).not.toBe(earlier.sections[0]!.articles[1]);
    expect(second).toEqual(wider);
    // The email is the one fresh objects make, the wider coverage in it.
    const parts = selectionParts(later, defaultPreferences("UTC"), everything, site);
    const fresh = selectionParts(
      slotPool("2026-11-26T0900", [item(1), wider]),
      defaultPreferences("UTC"),
      everything,
      site,
    );
    expect(parts).toEqual(fresh);
    expect(parts.html[0]).toContain("3 sources");
    expect(parts.html[0]).toContain("Other News");
  });
});

describe("the digest email at the field maxima", () => {
  const long = (n: number, tail: string) => `https://example.com/${tail}/${"x".repeat(n)}`;
  // 30 stories (DIGEST_MAX_ARTICLES), each with every field at its maximum, and a full note.
  const maxed = Array.from({ length: 30 }, (_, n) =>
    item(n, {
      url: long(2048 - 26, `s${String(n).padStart(2, "0")}`),
      title: `${n} ${"Headline ".repeat(40)}`.slice(0, 300),
      summary: `${"A summary with words. ".repeat(100)}`.slice(0, 2000),
      source: "S".repeat(100),
      also: [0, 1].map((k) => ({ source: "O".repeat(100), url: long(2048 - 26, `o${n}${k}`) })),
      sources: 12,
    }),
  );

  it("stays under 100 KB with a real reader's footer: later stories become headlines and the email says how many", async () => {
    const parts = renderDigestEmailParts(
      digest(maxed, `${"A note with a link https://example.com/n ".repeat(60)}`.slice(0, 2000)),
      site,
    );
    const signer = await createTokenSigner("email-look-test-secret");
    const [email] = await personaliseChunk(
      () => ({
        parts,
        about: "AI, Security and Web, weekly on Monday at 07:00 America/Argentina/Buenos_Aires",
      }),
      { ...site, mailFrom: "Tidings <news@tidings.test>" },
      signer,
      new Date("2026-11-26T08:00:00Z"),
      { digestId: "2026-11-26", chunk: 0 },
      [`${"r".repeat(60)}@${"d".repeat(60)}.example.com`],
    );
    const bytes = new TextEncoder().encode(email!.html).length;
    expect(bytes).toBeLessThan(MAX_EMAIL_HTML_BYTES);
    expect(bytes).toBeGreaterThan(80_000); // the budget is used, not thrown away
    const page = parseHtml(email!.html);
    const notice = page.all("p").find((p) => page.text(p).startsWith("To keep this email whole"))!;
    expect(page.text(notice)).toMatch(
      /^To keep this email whole in every inbox, \d+ stories are shown as headlines only( and \d+ more are on the web page only)?\. Read the full issue on the web\.$/,
    );
    // The footer survives: unsubscribe and postal address are inside the unclipped bytes.
    expect(email!.html).toContain("/unsubscribe?token=");
    expect(email!.html).toContain("1 Example Street");
    // The counts add up to the 30 stories: full, headline-only and on-the-web-only.
    const full = page.all("h3").length;
    const [, shortened = "0", more = "0"] =
      /(\d+) stories are shown as headlines only(?: and (\d+) more)?/.exec(page.text(notice))!;
    expect(full + Number(shortened) + Number(more)).toBe(30);
    expect(full).toBeGreaterThanOrEqual(1); // the top story, always in full
    // The text part is not clipped by Gmail: every story is in it in full.
    expect(email!.text).toContain("29 Headline");
  });

  it("says nothing about shortening when everything fits", () => {
    const parts = renderDigestEmailParts(digest([item(1), item(2)]), site);
    expect(parts.html.join("")).not.toContain("To keep this email whole");
  });
});
