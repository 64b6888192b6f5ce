// The editor's note: kept under the next digest's id, frozen into that digest when it is compiled,
// and sent above the stories in every reader's email (HTML and text).
import { describe, expect, it } from "vitest";
import { api, postArticle } from "../fixtures/api";
import { waitFor } from "../fixtures/digest";
import { uniqueUrl } from "../fixtures/kv";
import { confirmedReader, mailTo } from "../fixtures/reader";

describe("the editor's note", () => {
  it("is validated in plain words and changes nothing when refused", async () => {
    for (const [body, message] of [
      [{}, "text is required and must be a string"],
      [{ text: 5 }, "text is required and must be a string"],
      [{ text: "x".repeat(2001) }, "text must be at most 2000 characters"],
      [{ text: "bell\u0007" }, "text must not contain control characters"],
      [{ text: "ok", extra: 1 }, "extra is not a known field"],
    ] as const) {
      const response = await api("/api/digests/next/note", { method: "PUT", json: body });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.message).toBe(message);
    }
    expect(((await (await api("/api/digests/next/note")).json()) as any).note).toBeNull();
    expect((await api("/api/digests/next/note", { method: "POST", json: {} })).status).toBe(405);
  });

  it("goes out with the digest it was written for, above the stories, and an empty text removes it", async () => {
    const reader = "note.reader@editor-note.example";
    await confirmedReader(reader);
    await postArticle({ url: uniqueUrl("note-story"), title: "The story below the note" });
    const saved = await api("/api/digests/next/note", {
      method: "PUT",
      json: { text: "  Welcome back.\r\n\r\nRead https://example.com/why first.  " },
    });
    expect(saved.status).toBe(200);
    const { digestId, note } = (await saved.json()) as any;
    expect(note).toMatchObject({
      text: "Welcome back.\n\nRead https://example.com/why first.",
      editor: "alice",
    });

    const run = await api("/api/digests/run", { method: "POST" });
    expect(run.status).toBe(202);
    expect(((await run.json()) as any).digest.id).toBe(digestId);
    const digest = await waitFor(async () =>
      (await mailTo(reader)).find((mail) => mail.tags.some((tag) => tag.name === "digest")),
    );
    const html = digest.html.slice(digest.html.indexOf("From the editor"));
    expect(html).toContain("<p style='margin:0 0 12px;'>Welcome back.</p>");
    expect(html).toContain(
      "<a href='https://example.com/why' class='l' style='color:#0b57d0;word-break:break-all;'>https://example.com/why</a> first.",
    );
    expect(html.indexOf("Welcome back.")).toBeLessThan(html.indexOf("The story below the note"));
    expect(digest.text).toMatch(
      /FROM THE EDITOR\n-+\n\nWelcome back\.\n\nRead https:\/\/example\.com\/why first\.\n\n/,
    );

    // The note stays with its digest; the next one starts without.
    const next = (await (await api("/api/digests/next/note")).json()) as any;
    expect(next.digestId).not.toBe(digestId);
    expect(next.note).toBeNull();
    await api("/api/digests/next/note", { method: "PUT", json: { text: "for tomorrow" } });
    const cleared = await api("/api/digests/next/note", { method: "PUT", json: { text: "" } });
    expect(((await cleared.json()) as any).note).toBeNull();
  });
});
