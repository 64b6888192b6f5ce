// Request bodies say what they are: gzip, deflate and br bodies are decoded (imports and the article
// API); any other Content-Encoding is refused with 415 naming it, never read as if plain.
import { brotliCompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { api } from "../fixtures/api";
import { ATTESTATION, importForm, importProgress, runImport } from "./import-fixture";
import { EXPORTS } from "./tool-exports";

async function compress(bytes: Uint8Array, format: "gzip" | "deflate"): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const article = (n: string) =>
  new TextEncoder().encode(
    JSON.stringify({ url: `https://example.com/coded-${n}`, title: `Coded ${n}` }),
  );

const postArticle = (body: Uint8Array, encoding: string) =>
  api("/api/articles", {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "Content-Encoding": encoding },
  });

describe("request bodies with a Content-Encoding", { timeout: 60_000 }, () => {
  it("decodes gzip, deflate and br article bodies", async () => {
    expect((await postArticle(await compress(article("gzip"), "gzip"), "gzip")).status).toBe(201);
    expect(
      (await postArticle(await compress(article("deflate"), "deflate"), "deflate")).status,
    ).toBe(201);
    expect(
      (await postArticle(new Uint8Array(brotliCompressSync(article("br"))), "br")).status,
    ).toBe(201);
  });

  it("refuses a coding it does not know with 415 naming it, and a body that is not what it says", async () => {
    const unknown = await postArticle(article("zstd"), "zstd");
    expect(unknown.status).toBe(415);
    expect(await unknown.json()).toMatchObject({
      error: { code: "unsupported_content_encoding", message: expect.stringContaining("zstd") },
    });
    const lying = await postArticle(article("plain"), "gzip");
    expect(lying.status).toBe(400);
    expect(await lying.json()).toMatchObject({ error: { code: "invalid_encoding" } });
    const list = await api("/api/articles?limit=100");
    expect(JSON.stringify(await list.json())).not.toContain("coded-plain");
  });

  it("refuses a small gzip that decodes past the body limit (64 KiB for an article)", async () => {
    const bomb = new TextEncoder().encode(
      `{"url":"https://example.com/bomb","title":"${"a".repeat(2_000_000)}"}`,
    );
    const response = await postArticle(await compress(bomb, "gzip"), "gzip");
    expect(response.status).toBe(413);
  });

  it("imports a whole gzip-encoded upload, and a .csv.gz file inside a plain one", async () => {
    const request = new Request("https://x/", {
      method: "POST",
      body: importForm(EXPORTS.ghost, { consent: { source: "Ghost", attestation: ATTESTATION } }),
    });
    const encoded = await compress(new Uint8Array(await request.arrayBuffer()), "gzip");
    const response = await api("/api/imports", {
      method: "POST",
      body: encoded,
      headers: { "Content-Type": request.headers.get("Content-Type")!, "Content-Encoding": "gzip" },
    });
    expect(response.status).toBe(202);
    const { import: started } = (await response.json()) as any;
    await runImport(started.id);
    expect(await importProgress(started.id)).toMatchObject({
      tool: "ghost",
      added: 1,
      suppressed: 1,
    });

    const gz = await compress(new TextEncoder().encode(EXPORTS.listmonk), "gzip");
    const zipped = await api("/api/imports", {
      method: "POST",
      body: importForm(gz, { consent: { source: "listmonk", attestation: ATTESTATION } }),
    });
    expect(zipped.status).toBe(202);
    const { import: second } = (await zipped.json()) as any;
    await runImport(second.id);
    expect(await importProgress(second.id)).toMatchObject({
      tool: "listmonk",
      added: 1,
      suppressed: 1,
    });

    const refused = await api("/api/imports", {
      method: "POST",
      body: encoded,
      headers: {
        "Content-Type": request.headers.get("Content-Type")!,
        "Content-Encoding": "compress",
      },
    });
    expect(refused.status).toBe(415);
    expect(((await refused.json()) as any).error.message).toContain("compress");
  });
});
