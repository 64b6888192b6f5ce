// A feed's bytes as text: the encoding from its byte-order mark, else the HTTP charset, else the XML
// declaration (JSON is UTF-8), decoded with the platform's TextDecoder, which knows every encoding of
// the WHATWG Encoding Standard in workerd as in browsers (windows-125x, ISO-8859-x, KOI8, Shift_JIS,
// EUC-JP, ISO-2022-JP, GBK, gb18030, Big5, EUC-KR, UTF-16). UTF-32, which WHATWG leaves out, is
// decoded here. An encoding nobody knows is refused by name.
import { FeedError } from "./feed-error";

export type DecodedFeed = { text: string; encoding: string; warnings: string[] };

type Family = "utf-8" | "utf-16le" | "utf-16be" | "utf-32le" | "utf-32be";

const BOMS: [number[], Family][] = [
  [[0x00, 0x00, 0xfe, 0xff], "utf-32be"],
  [[0xff, 0xfe, 0x00, 0x00], "utf-32le"],
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

function byteOrderMark(bytes: Uint8Array): { family: Family; length: number } | null {
  for (const [mark, family] of BOMS) {
    if (mark.every((byte, i) => bytes[i] === byte)) return { family, length: mark.length };
  }
  return null;
}

/** Without a mark, `<` or `{` in the first bytes shows UTF-16 or UTF-32 by where the zero bytes fall. */
function sniffedFamily(bytes: Uint8Array): Family | null {
  if (bytes.length < 4) return null;
  const zero = [0, 1, 2, 3].map((i) => bytes[i] === 0);
  if (zero[0] && zero[1] && zero[2] && !zero[3]) return "utf-32be";
  if (!zero[0] && zero[1] && zero[2] && zero[3]) return "utf-32le";
  if (zero[0] && !zero[1] && zero[2] && !zero[3]) return "utf-16be";
  if (!zero[0] && zero[1] && !zero[2] && zero[3]) return "utf-16le";
  return null;
}

/** The `charset` parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? "");
  const label = (match?.[1] ?? match?.[2] ?? "").trim();
  return label || null;
}

/** The `encoding` of an XML declaration at the start of ASCII-compatible bytes. */
function declaredInProlog(bytes: Uint8Array): string | null {
  const head = String.fromCharCode(...bytes.subarray(0, 512));
  const match = /^\s*<\?xml\s[^>]*?encoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(head);
  const label = (match?.[1] ?? match?.[2] ?? "").trim();
  return label || null;
}

const UTF_32 = /^(?:utf-?32|ucs-?4|iso-10646-ucs-4)(be|le)?$/i;

function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4) {
    const code = view.getUint32(at, littleEndian);
    chunk.push(code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? 0xfffd : code);
    if (chunk.length === 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCodePoint(...chunk));
  return parts.join("");
}

function decoderFor(label: string, where: string): TextDecoder {
  try {
    return new TextDecoder(label);
  } catch {
    throw new FeedError(
      `The feed's ${where} names the encoding "${label.slice(0, 40)}", which Tidings does not know: ` +
        "ask its publisher to serve UTF-8 or a standard encoding.",
    );
  }
}

/** Decodes a feed body; `contentType` is the HTTP Content-Type header, when there was one. */
export function decodeFeed(bytes: Uint8Array, contentType: string | null): DecodedFeed {
  const warnings: string[] = [];
  const bom = byteOrderMark(bytes);
  const body = bom ? bytes.subarray(bom.length) : bytes;
  const sniffed = bom?.family ?? sniffedFamily(body);
  if (sniffed === "utf-32be" || sniffed === "utf-32le") {
    return { text: decodeUtf32(body, sniffed === "utf-32le"), encoding: sniffed, warnings };
  }
  if (sniffed === "utf-16be" || sniffed === "utf-16le") {
    return { text: new TextDecoder(sniffed).decode(body), encoding: sniffed, warnings };
  }
  // ASCII-compatible bytes (or a UTF-8 mark): the HTTP charset, then the XML declaration. A label
  // for UTF-16 or UTF-32 cannot describe bytes whose first characters read as ASCII: ignored.
  const candidates: [string | null, string][] = bom
    ? []
    : [
        [charsetOf(contentType), "Content-Type header"],
        [declaredInProlog(body), "XML declaration"],
      ];
  for (const [label, where] of candidates) {
    if (!label) continue;
    if (UTF_32.test(label)) continue;
    const decoder = decoderFor(label, where);
    if (decoder.encoding.startsWith("utf-16")) continue;
    if (decoder.encoding !== "utf-8") {
      return { text: decoder.decode(body), encoding: decoder.encoding, warnings };
    }
    break;
  }
  return decodeUtf8(body, warnings);
}

/**
 * UTF-8, the default of XML and JSON. Bytes that are not UTF-8 at all (no valid multi-byte sequence,
 * some invalid ones) were written in windows-1252 by a server that declares nothing or the wrong
 * thing, as feed readers have long assumed; a few bad bytes in real UTF-8 stay U+FFFD.
 */
function decodeUtf8(body: Uint8Array, warnings: string[]): DecodedFeed {
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body),
      encoding: "utf-8",
      warnings,
    };
  } catch {
    const text = new TextDecoder("utf-8").decode(body);
    // Any character from U+0080 up that is not U+FFFD came from a valid multi-byte sequence.
    if (!/[\u0080-\ufffc\ufffe\uffff]/.test(text)) {
      warnings.push("The feed is not valid UTF-8: it was read as windows-1252.");
      return {
        text: new TextDecoder("windows-1252").decode(body),
        encoding: "windows-1252",
        warnings,
      };
    }
    warnings.push("The feed holds bytes that are not valid UTF-8: they read as U+FFFD.");
    return { text, encoding: "utf-8", warnings };
  }
}
