// One article per link: the canonical form of a URL decides whether a post is new or a re-post.

const TRACKING_PARAMS = /^(utm_.*|fbclid|gclid)$/i;

/** True for an absolute http(s) URL; `javascript:`, `data:` and relative URLs are refused. */
export function isHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const { protocol, hostname } = url;
  return (protocol === "http:" || protocol === "https:") && hostname.length > 0;
}

/**
 * Scheme and host lower-cased, default port dropped (the URL parser does these), fragment and
 * tracking parameters (`utm_*`, `fbclid`, `gclid`) removed. The remaining query keeps its order.
 */
export function canonicalUrl(value: string): string {
  const url = new URL(value);
  url.hash = "";
  for (const key of [...url.searchParams.keys()]) {
    if (TRACKING_PARAMS.test(key)) url.searchParams.delete(key);
  }
  if ([...url.searchParams.keys()].length === 0) url.search = "";
  return url.toString();
}

/** The default `source`: the URL's host without `www.`. */
export function sourceOf(value: string): string {
  return new URL(value).hostname.replace(/^www\./, "");
}
