import { describe, expect, it } from "vitest";
import { groupSections } from "../../src/digest/compile-digest";
import { renderDigestEmailParts } from "../../templates/digest-email";
import { parseHtml } from "../fixtures/parse";

const article = (overrides: Record<string, unknown>) => ({
  id: "x",
  url: "https://example.com/a",
  title: "Title",
  summary: null,
  source: "example.com",
  topics: [] as string[],
  publishedAt: "2040-01-01T00:00:00.000Z",
  createdAt: "2040-01-01T00:00:00.000Z",
  updatedAt: "2040-01-01T00:00:00.000Z",
  editor: "a",
  ...overrides,
});

const site = {
  siteTitle: "Tidings",
  siteUrl: "https://tidings.test",
  postalAddress: "1 Example Street, Springfield",
};

function render(articles: ReturnType<typeof article>[]) {
  return renderDigestEmailParts(
    {
      id: "2040-01-01",
      subject: "Subject",
      title: "Tidings · Sunday",
      sections: groupSections(articles),
    },
    site,
  );
}

describe("the digest email", () => {
  const hostile = [
    article({
      title: '<script>alert("t")</script>',
      summary: "<img src=x onerror=alert(1)> & more",
      source: "<b>src</b>",
      url: "javascript:alert(1)",
      topics: ["ai"],
    }),
    article({ title: "Data link", url: "data:text/html,<h1>x</h1>", topics: ["ai"] }),
    article({ title: "Good link", url: "https://example.com/good?a=1&b=2" }),
  ];

  it("escapes every title, summary and source, and emits only http(s) links, in HTML", () => {
    const parts = render(hostile);
    const html = parts.html.join("<p>reader footer</p>");
    const page = parseHtml(html);
    expect(page.all("script")).toEqual([]);
    expect(page.all("img")).toEqual([]);
    expect(page.all("b")).toEqual([]);
    const hrefs = page.all("a").map((a) => page.attr(a, "href") ?? "");
    expect(hrefs.every((href) => href.startsWith("https://"))).toBe(true);
    expect(hrefs).toContain("https://example.com/good?a=1&b=2");
    expect(page.all("h3").map((h) => page.text(h))).toEqual([
      '<script>alert("t")</script>',
      "Data link",
      "Good link",
    ]);
  });

  it("keeps only http(s) links in the text part too", () => {
    const text = render(hostile).text.join("reader footer");
    expect(text).not.toContain("javascript:");
    expect(text).not.toContain("data:");
    expect(text).toContain("https://example.com/good?a=1&b=2");
    expect(text).toContain("reader footer");
    expect(text).toContain("1 Example Street, Springfield");
  });

  it("is built for email clients: 600 px table, inline light styles, a dark-mode style block, hidden preheader, no script", () => {
    const parts = render([
      article({ title: "First" }),
      article({ title: "Second", url: "https://example.com/b" }),
      article({ title: "Third", url: "https://example.com/c" }),
      article({ title: "Fourth", url: "https://example.com/d" }),
    ]);
    const html = parts.html.join("");
    const page = parseHtml(html);
    expect(page.all("table").some((t) => /max-width:600px/.test(page.attr(t, "style") ?? ""))).toBe(
      true,
    );
    // One <style>, for dark mode only: the light look is inline, as email clients want.
    const styles = page.all("style").map((s) => page.text(s));
    expect(styles).toHaveLength(1);
    expect(styles[0]).toContain("@media (prefers-color-scheme:dark)");
    expect(page.all("script")).toEqual([]);
    expect(page.all("meta").some((m) => page.attr(m, "name") === "color-scheme")).toBe(true);
    const preheader = page
      .all("div")
      .find((d) => /display:none/.test(page.attr(d, "style") ?? ""))!;
    expect(page.text(preheader)).toMatch(/^First · Second · Third/);
    expect(page.text(preheader)).not.toContain("Fourth");
    expect(html).toContain("https://tidings.test/digests/2040-01-01");
  });

  it("is rendered once and split around the reader's footer, so readers differ only there", () => {
    const parts = render([article({ title: "Shared" })]);
    expect(parts.html).toHaveLength(2);
    expect(parts.html[0]).toContain("Shared");
    expect(parts.html[1]).toContain("1 Example Street");
    expect(parts.html[0] + parts.html[1]).not.toContain("\u0000");
  });
});
