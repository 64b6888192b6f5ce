// vitest globalSetup (runs in Node): a local feed server with the shapes real feeds come in, good
// and bad. Tests reach it through `inject("feedServer")`. Dates are relative to the request time.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { feedCorpusDir } from "../../scripts/feed-corpus-dir.mjs";

const HOUR = 3_600_000;
const iso = (offsetMs) => new Date(Date.now() + offsetMs).toISOString();
const rfc822 = (offsetMs) => new Date(Date.now() + offsetMs).toUTCString();
const ETAG = '"rss-v1"';
const LAST_MODIFIED = "Wed, 25 Nov 2026 10:00:00 GMT";

const rss = (base) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Good RSS</title><link>${base}/</link><description>d</description>
<item><title>Rust 2.0 ships with a new borrow checker</title><link>${base}/posts/rust-2?utm_source=rss</link>
<description>&lt;p&gt;The Rust team &amp;amp; friends released &lt;b&gt;Rust 2.0&lt;/b&gt;.&lt;/p&gt;</description>
<pubDate>${rfc822(-2 * HOUR)}</pubDate><guid>rust-2</guid></item>
<item><title>SQLite adds a vector index</title><link>${base}/posts/sqlite-vector</link>
<description>SQLite gains vector search.</description><pubDate>${rfc822(-3 * HOUR)}</pubDate></item>
</channel></rss>`;

const rdf = (base) => `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="${base}/rdf.xml"><title>Good RDF</title><link>${base}/</link><description>d</description></channel>
<item rdf:about="${base}/rdf/1"><title>RDF item about Postgres 19</title><link>${base}/rdf/1</link>
<description>Postgres 19 is out.</description><dc:date>${iso(-1 * HOUR)}</dc:date></item>
</rdf:RDF>`;

const atom = (base) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Good Atom</title><id>urn:x</id><updated>${iso(0)}</updated>
<entry><title type="html">Atom entry on &lt;em&gt;WebAssembly&lt;/em&gt; GC</title><id>urn:1</id>
<link rel="alternate" href="${base}/atom/1"/><updated>${iso(-1 * HOUR)}</updated><published>${iso(-1 * HOUR)}</published>
<summary type="html">&lt;p&gt;Garbage collection lands.&lt;/p&gt;</summary></entry>
</feed>`;

const json = (base) =>
  JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: "Good JSON",
    items: [
      {
        id: "1",
        url: `${base}/json/1`,
        title: "JSON Feed item: Deno 3 released",
        content_html: "<p>Deno <i>3</i> is here &amp; fast.</p>",
        date_published: iso(-1 * HOUR),
      },
    ],
  });

const hostile = (base) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Hostile</title><link>${base}/</link><description>d</description>
<item><title><![CDATA[<script>alert("t")</script>Breaking: <img src=x onerror=alert(1)>Chips &amp; dips]]></title>
<link>${base}/hostile/1</link>
<description><![CDATA[<style>p{}</style><p onclick="x()">Hello &lt;world&gt; &#8212; <a href="javascript:alert(1)">click</a></p><script>evil()</script>${"word ".repeat(600)}]]></description>
<pubDate>${rfc822(-HOUR)}</pubDate></item>
</channel></rss>`;

const dated = (base) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Dated</title><link>${base}/</link><description>d</description>
<item><title>Eight days old</title><link>${base}/dated/old</link><pubDate>${rfc822(-8 * 24 * HOUR)}</pubDate></item>
<item><title>Two days ahead</title><link>${base}/dated/future</link><pubDate>${rfc822(48 * HOUR)}</pubDate></item>
<item><title>Fresh today</title><link>${base}/dated/fresh</link><pubDate>${rfc822(-HOUR)}</pubDate></item>
</channel></rss>`;

/**
 * Just under the 2 MB cap: descriptions made of nothing but unclosed `<script>`, `<style>`,
 * `<![CDATA[` and `<!--` openers (escaped in one item, in CDATA in another), which made the old
 * regex plain-text pass quadratic, then two ordinary items that must still be read.
 */
export function hostileFeed(base, date = rfc822(-HOUR)) {
  const openers = "&lt;script&gt;&lt;style&gt;&lt;![CDATA[&lt;!--&lt;a ";
  const raw = "<script><style><!--<a <![CDATA[x ";
  const item = (n, title, description) =>
    `<item><title>${title}</title><link>${base}/hostile-2mb/${n}</link><description>${description}</description><pubDate>${date}</pubDate></item>\n`;
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile 2 MB</title><link>${base}/</link><description>d</description>
${item(1, "Escaped openers", openers.repeat(19_500))}${item(2, "<![CDATA[Raw openers]]>", `<![CDATA[${raw.repeat(30_500)}]]>`)}${item(3, "Still read: Vec&lt;T&gt; after the storm", "Fine.")}${item(4, "Still read too", "Fine.")}</channel></rss>`;
}

const cut = (base) =>
  rss(base)
    .replace(/<\/item>\s*<\/channel>\s*<\/rss>\s*$/, "")
    .slice(0, -20);

// Items without dates, per feed name, set by the test through /set-undated (a feed that changes).
const undatedFeeds = new Map();
const undated = (base, name) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Undated</title><link>${base}/</link><description>d</description>
${(undatedFeeds.get(name) ?? []).map((n) => `<item><title>Undated ${n}</title><link>${base}/undated/${name}/${n}</link></item>`).join("\n")}
</channel></rss>`;

// Posts a month old, and one undated item: the undated one is old news too.
const stale = (base) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Stale</title><link>${base}/</link><description>d</description>
<item><title>Old one</title><link>${base}/stale/1</link><pubDate>${rfc822(-30 * 24 * HOUR)}</pubDate></item>
<item><title>Old two</title><link>${base}/stale/2</link><pubDate>${rfc822(-31 * 24 * HOUR)}</pubDate></item>
<item><title>No date</title><link>${base}/stale/3</link></item>
</channel></rss>`;

// Relative links, served only after a redirect: they resolve against the address it ended at.
const relative = () => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Relative</title><link>./</link><description>d</description>
<item><title>Relative after a redirect</title><link>posts/1</link><pubDate>${rfc822(-HOUR)}</pubDate></item>
</channel></rss>`;

// A feed in windows-1252 whose encoding only the HTTP charset says.
const latinText = (base) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Latin</title><item><title>Caf\u00e9 \u201cquoted\u201d</title><link>${base}/latin/1</link><pubDate>${rfc822(-HOUR)}</pubDate></item></channel></rss>`;
const WINDOWS_1252 = { "\u201c": 0x93, "\u201d": 0x94 };
const windows1252 = (text) =>
  Buffer.from(Array.from(text, (char) => WINDOWS_1252[char] ?? char.charCodeAt(0)));

// The real-feed corpus (../shared/data/feeds/dev), served as files for the corpus test.
const CORPUS = feedCorpusDir(fileURLToPath(new URL("../..", import.meta.url)));

function serveCorpus(path, send) {
  const relative = normalize(decodeURIComponent(path.slice("/corpus/".length)));
  if (relative.startsWith("..") || !existsSync(join(CORPUS, relative))) {
    return send(404, "no such file", "text/plain");
  }
  const file = join(CORPUS, relative);
  const headers = existsSync(`${file}.headers.json`)
    ? JSON.parse(readFileSync(`${file}.headers.json`, "utf8"))
    : {};
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1];
  return send(200, readFileSync(file), type ?? "application/xml");
}

export default async function setup({ provide }) {
  const server = createServer((request, response) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    const url = new URL(request.url ?? "/", base);
    const path = url.pathname;
    const send = (status, body, type = "application/rss+xml", headers = {}) => {
      response.writeHead(status, { "Content-Type": type, ...headers });
      response.end(body);
    };
    switch (path) {
      case "/rss.xml":
        if (
          request.headers["if-none-match"] === ETAG ||
          request.headers["if-modified-since"] === LAST_MODIFIED
        ) {
          response.writeHead(304, { ETag: ETAG });
          return response.end();
        }
        return send(200, rss(base), "application/rss+xml", {
          ETag: ETAG,
          "Last-Modified": LAST_MODIFIED,
        });
      case "/rdf.xml":
        return send(200, rdf(base), "application/rdf+xml");
      case "/atom.xml":
        return send(200, atom(base), "application/atom+xml");
      case "/feed.json":
        return send(200, json(base), "application/feed+json");
      case "/hostile.xml":
        return send(200, hostile(base));
      case "/hostile-2mb.xml":
        return send(200, hostileFeed(base));
      case "/cut.xml":
        return send(200, cut(base));
      case "/undated.xml":
        return send(200, undated(base, url.searchParams.get("feed")));
      case "/set-undated":
        undatedFeeds.set(url.searchParams.get("feed"), url.searchParams.get("items").split(","));
        return send(204, "", "text/plain");
      case "/stale.xml":
        return send(200, stale(base));
      case "/moved-relative":
        return send(301, "", "text/plain", { Location: "/sub/dir/relative.xml" });
      case "/sub/dir/relative.xml":
        return send(200, relative());
      case "/latin.xml":
        return send(200, windows1252(latinText(base)), "application/rss+xml; charset=windows-1252");
      case "/klingon.xml":
        return send(200, '<?xml version="1.0" encoding="x-klingon"?><rss></rss>');
      case "/html-page":
        return send(
          200,
          `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>Blog</body></html>`,
          "text/html",
        );
      case "/dated.xml":
        return send(200, dated(base));
      case "/invalid.xml":
        return send(200, "<?xml version='1.0'?><rss><channel><item><title>broken");
      case "/page.html":
        return send(
          200,
          "<!doctype html><html><head><title>Blog</title></head><body><p>Not a feed</p></body></html>",
          "text/html",
        );
      case "/gone":
        return send(404, "not found", "text/plain");
      case "/broken":
        return send(500, "oops", "text/plain");
      case "/slow":
        setTimeout(() => send(200, rss(base)), 12_000).unref();
        return;
      case "/huge.xml": {
        response.writeHead(200, { "Content-Type": "application/rss+xml" });
        const chunk = `<item><title>${"x".repeat(1000)}</title></item>`.repeat(100);
        let sent = 0;
        const pump = () => {
          while (sent < 10 * 1024 * 1024) {
            sent += chunk.length;
            if (!response.write(chunk)) return response.once("drain", pump);
          }
          response.end();
        };
        response.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>');
        return pump();
      }
      case "/gzip.xml":
        return send(200, gzipSync(Buffer.from(atom(base))), "application/atom+xml", {
          "Content-Encoding": "gzip",
        });
      case "/loop":
        return send(302, "", "text/plain", { Location: "/loop" });
      case "/moved":
        return send(301, "", "text/plain", { Location: "/atom.xml" });
      default:
        if (path.startsWith("/corpus/")) return serveCorpus(path, send);
        return send(404, "no such feed", "text/plain");
    }
  });
  server.on("error", (error) => console.error(error));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  provide("feedServer", `http://127.0.0.1:${server.address().port}`);
  provide("feedCorpus", existsSync(join(CORPUS, "expected.jsonl")));
  provide("ci", Boolean(process.env.CI));
  return () => new Promise((resolve) => server.close(resolve));
}
