// npm run -s feeds:parse -- FILE...: one JSON line per feed file, printed as soon as it is parsed, by
// the parsing code the feed cron runs (src/sources/read-feed.ts, bundled for Node with esbuild).
// Sidecars stand in for the HTTP response: FILE.url (the feed's final address, the base for relative
// links) and FILE.headers.json (its headers, e.g. content-type). No age filter, no item dropped.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const DEFAULT_BASE = "https://feed.example/feed.xml";
const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = join(root, "node_modules", ".cache", "tidings-feeds");
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `read-feed-${process.pid}.mjs`);
await build({
  entryPoints: [join(root, "src/sources/read-feed.ts")],
  outfile,
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  logLevel: "error",
});
const { readFeed } = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });

function sidecars(file) {
  const url = existsSync(`${file}.url`) ? readFileSync(`${file}.url`, "utf8").trim() : DEFAULT_BASE;
  let headers = {};
  if (existsSync(`${file}.headers.json`)) {
    const parsed = JSON.parse(readFileSync(`${file}.headers.json`, "utf8"));
    headers = Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
  }
  return { url: url || DEFAULT_BASE, contentType: headers["content-type"] ?? null };
}

for (const file of process.argv.slice(2)) {
  let line;
  try {
    const bytes = new Uint8Array(readFileSync(file));
    const feed = readFeed(bytes, sidecars(file));
    line = {
      file,
      ok: true,
      format: feed.format,
      encoding: feed.encoding,
      ...(feed.warnings.length ? { warnings: feed.warnings } : {}),
      items: feed.items.map((item) => ({
        title: item.title,
        url: item.url,
        publishedAt: item.publishedAt,
        summary: item.summary,
      })),
    };
  } catch (error) {
    line = {
      file,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      items: [],
    };
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
