// /feed.xml and the digest's page stay well-formed whatever characters an editor or a feed sends:
// what XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates) never reaches the output.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runDeps } from "../../src/digest/digest-handlers";
import { runDigest } from "../../src/digest/run-digest";
import { renderNoteHtml } from "../../templates/digest-note";
import { escapeHtml } from "../../templates/html";
import { BASE } from "../fixtures/api";
import { seedArticle } from "../fixtures/digest";
import { parseHtml, parseXml } from "../fixtures/parse";

// Not a Char of XML 1.0 (https://www.w3.org/TR/xml/#charsets), or a noncharacter HTML calls an error.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("characters XML forbids", () => {
  it("are dropped by the one escaper, a lone surrogate read as U+FFFD, emoji kept", () => {
    expect(escapeHtml("a\uFFFEb\uFFFFc\u0001d\u0085e\uFDD0f\uD800g\uDC00h <&>")).toBe(
      "abcdef\uFFFDg\uFFFDh &lt;&amp;&gt;",
    );
    expect(escapeHtml("Rust 🦀 and 中文, tab\tline\nreturn\r")).toBe(
      "Rust 🦀 and 中文, tab\tline\nreturn\r",
    );
  });

  it("never reach /feed.xml, the digest page or a note from titles, summaries and notes", async () => {
    const id = "2051-03-01";
    const cutoff = new Date(`${id}T07:00:00Z`);
    await seedArticle(
      {
        url: "https://characters.test/1",
        title: "Noncharacters\uFFFE in\uFFFF a \uD800title",
        summary: "A summary\uFFFF with\uFDD0 junk",
        topics: ["web"],
      },
      new Date(cutoff.getTime() - 3_600_000),
    );
    await runDigest(runDeps(env), { id, cutoff });

    const feedSource = await (await SELF.fetch(`${BASE}/feed.xml`)).text();
    expect(feedSource).not.toMatch(NOT_XML);
    const feed = parseXml(feedSource);
    const entry = feed.all("entry").find((e) => feed.text(e).includes("Noncharacters"));
    expect(entry).toBeDefined();
    expect(feed.text(entry!)).toContain("Noncharacters in a \uFFFDtitle");

    const pageSource = await (await SELF.fetch(`${BASE}/digests/${id}`)).text();
    expect(pageSource).not.toMatch(NOT_XML);
    const page = parseHtml(pageSource);
    const body = page.text(page.all("body")[0]!);
    expect(body).toContain("Noncharacters in a \uFFFDtitle");
    expect(body).toContain("A summary with junk");
    // The note shows in the email and on the desk, through the same escaper.
    expect(renderNoteHtml("Note\uFFFE from the editor\uD83D").value).toBe(
      "<p style='margin:0 0 12px;'>Note from the editor\uFFFD</p>",
    );
  });
});
