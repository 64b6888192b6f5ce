// Which feed URLs Tidings may fetch: http(s) only, and no loopback or private address in production.

/** True for a host name or IP literal that names this machine or a private network. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host.endsWith(".local") || host.endsWith(".internal") || host.endsWith(".lan")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a = 0, b = 0] = v4.slice(1, 3).map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
      (a === 169 && b === 254) || // link-local, cloud metadata
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224 // multicast and reserved
    );
  }
  if (host.includes(":")) {
    if (host === "::" || host === "::1") return true;
    if (/^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)) return true;
    // IPv4-mapped (::ffff:10.0.0.1, or the hex form the URL parser gives, ::ffff:a00:1).
    if (host.startsWith("::ffff:")) return true;
  }
  return false;
}

export type AddressVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Whether `url` may be fetched. Host names are judged by name: Workers cannot resolve DNS, and
 * Cloudflare's edge does not route a Worker's fetch to private addresses in production anyway.
 */
export function checkFeedAddress(url: string, allowPrivate: boolean): AddressVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "The address is not a URL." };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { ok: false, reason: "Only http and https feeds are fetched." };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, reason: "Feed addresses must not carry a user name or password." };
  }
  if (!allowPrivate && isPrivateHost(parsed.hostname)) {
    return { ok: false, reason: "Loopback and private addresses are not fetched." };
  }
  return { ok: true, url: parsed };
}
