// One capped, conditional GET of a feed: 10 s, 2 MB, 3 redirects, http(s) only, no private hosts.
import { readCappedBody } from "../read-capped-body";
import { checkFeedAddress } from "./feed-address";

export const FEED_TIMEOUT_MS = 10_000;
export const FEED_MAX_BYTES = 2 * 1024 * 1024;
export const FEED_MAX_REDIRECTS = 3;

export type FetchOptions = {
  etag: string | null;
  lastModified: string | null;
  allowPrivate: boolean;
  userAgent: string;
};

export type FetchOutcome =
  | { kind: "not_modified"; status: 304 }
  | {
      kind: "ok";
      status: number;
      /** The body's bytes, decoded later by the feed's own declared encoding. */
      bytes: Uint8Array;
      contentType: string | null;
      /** The address the body came from, after redirects: the base of its relative links. */
      url: string;
      etag: string | null;
      lastModified: string | null;
    }
  | { kind: "error"; status: number | null; error: string };

/** Reads at most FEED_MAX_BYTES of the (already decompressed) body, or says it was too large. */
async function readCapped(response: Response): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get("Content-Length") ?? "0");
  const encoded = response.headers.get("Content-Encoding");
  // A declared length is of the encoded body; only trust it when the body is not compressed.
  if (!encoded && declared > FEED_MAX_BYTES) {
    await response.body?.cancel();
    return null;
  }
  return readCappedBody(response.body, FEED_MAX_BYTES);
}

export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(FEED_TIMEOUT_MS);
  let target = url;
  try {
    for (let hop = 0; hop <= FEED_MAX_REDIRECTS; hop++) {
      const verdict = checkFeedAddress(target, options.allowPrivate);
      if (!verdict.ok) return { kind: "error", status: null, error: verdict.reason };
      const headers = new Headers({
        "User-Agent": options.userAgent,
        Accept:
          "application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
      });
      // Validators belong to the feed's own address; a redirect target gets a plain GET.
      if (hop === 0 && options.etag) headers.set("If-None-Match", options.etag);
      if (hop === 0 && options.lastModified) headers.set("If-Modified-Since", options.lastModified);
      const response = await fetch(verdict.url.href, { headers, redirect: "manual", signal });
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        await response.body?.cancel();
        const location = response.headers.get("Location");
        if (!location)
          return {
            kind: "error",
            status: response.status,
            error: "A redirect without a Location.",
          };
        target = new URL(location, verdict.url).href;
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel();
        return { kind: "not_modified", status: 304 };
      }
      if (!response.ok) {
        await response.body?.cancel();
        return {
          kind: "error",
          status: response.status,
          error: `The feed answered HTTP ${response.status}.`,
        };
      }
      const bytes = await readCapped(response);
      if (bytes === null) {
        return {
          kind: "error",
          status: response.status,
          error: `The feed is larger than ${FEED_MAX_BYTES} bytes.`,
        };
      }
      return {
        kind: "ok",
        status: response.status,
        bytes,
        contentType: response.headers.get("Content-Type"),
        url: verdict.url.href,
        etag: response.headers.get("ETag"),
        lastModified: response.headers.get("Last-Modified"),
      };
    }
    return { kind: "error", status: null, error: `More than ${FEED_MAX_REDIRECTS} redirects.` };
  } catch (error) {
    if (signal.aborted) {
      return {
        kind: "error",
        status: null,
        error: `No answer within ${FEED_TIMEOUT_MS / 1000} s.`,
      };
    }
    return {
      kind: "error",
      status: null,
      error: `The fetch failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
