// The JSON body of Resend's POST /emails/batch, made without serialising again what emails share.
// A digest's 35 KB of html and text is the same for every reader of a selection: each shared piece
// is JSON-escaped and UTF-8 encoded once per isolate (keyed by its object), and per email only its
// own strings (address, links, headers) are escaped. The bytes are those JSON.stringify would give
// for the same emails with the fields in the SDK's order (tested), streamed in slices through a
// FixedLengthStream: the request carries its Content-Length, and a call holds two slices in memory,
// not its whole body (3.5 MB at 100 emails of 35 KB; 17 MB at the field maxima).
import type { OutgoingEmail, SharedText, TextPieces } from "./mailer";

const encoder = new TextEncoder();
// The bytes of a shared piece, escaped for the inside of a JSON string. A piece lives as long as
// the render that owns it (a digest's, a selection's), and its bytes with it.
const sharedBytes = new WeakMap<SharedText, Uint8Array>();

// Slices the body is written in: big enough that writes are few (about two emails of 35 KB a
// write), small enough that every call in flight in an isolate holds little (two slices each).
export const BODY_SLICE_BYTES = 64 * 1024;

const NON_ASCII = /[^\u0000-\u007f]/;
// What JSON.stringify escapes: quotes, backslashes, controls, and (when lone) surrogates.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The inside of a JSON string: what JSON.stringify writes between the quotes (a token: itself). */
const escapeJson = (text: string) =>
  NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;

function bytesOf(piece: SharedText): Uint8Array {
  let bytes = sharedBytes.get(piece);
  if (!bytes) sharedBytes.set(piece, (bytes = encoder.encode(escapeJson(piece.text))));
  return bytes;
}

/**
 * UTF-8 bytes of a JSON-escaped string. JSON.stringify escapes lone surrogates, so every surrogate
 * here is half of a pair: two bytes each, four a pair.
 */
function utf8Length(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    bytes += code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/** The body as it goes out: encoded shared pieces, and own strings already escaped. */
export type BatchBody = { length: number; items: (Uint8Array | string)[] };

/** One email's html or text: from its pieces when it has them, else the whole string as its own. */
const piecesOf = (email: OutgoingEmail, field: "html" | "text"): TextPieces =>
  email.pieces?.[field] ?? [email[field]];

/** JSON.stringify, remembering the last value: a batch's emails share their sender. */
function lastJson() {
  let value: unknown;
  let json = "";
  return (next: unknown) => {
    if (next !== value || json === "") json = JSON.stringify((value = next));
    return json;
  };
}

/**
 * The bytes between an email's html and its text (its subject and tags), encoded again only when
 * they change: a batch's emails of one selection share them. A personal selection's subject is not
 * ASCII (its "·"), which costs a character-by-character count and encoding per email otherwise.
 */
function lastMiddle() {
  let subject: string | undefined;
  let tags: OutgoingEmail["tags"];
  let bytes: Uint8Array | null = null;
  return (email: OutgoingEmail) => {
    if (bytes === null || email.subject !== subject || email.tags !== tags) {
      [subject, tags] = [email.subject, email.tags];
      const tagged = tags ? `"tags":${JSON.stringify(tags)},` : "";
      bytes = encoder.encode(`","subject":${JSON.stringify(subject)},${tagged}"text":"`);
    }
    return bytes;
  };
}

/** The batch's body: an array of emails with the fields the SDK sends, in the SDK's order. */
export function batchBody(emails: OutgoingEmail[]): BatchBody {
  const items: (Uint8Array | string)[] = [];
  let length = 0;
  const from = lastJson();
  const middle = lastMiddle();
  const own = (text: string) => {
    items.push(text);
    length += utf8Length(text);
  };
  const pieces = (list: TextPieces) => {
    for (const piece of list) {
      if (typeof piece === "string") {
        if (piece !== "") own(escapeJson(piece));
      } else {
        const bytes = bytesOf(piece);
        items.push(bytes);
        length += bytes.length;
      }
    }
  };
  emails.forEach((email, i) => {
    const headers = email.headers ? `"headers":${JSON.stringify(email.headers)},` : "";
    own(`${i === 0 ? "[" : ","}{"from":${from(email.from)},${headers}"html":"`);
    pieces(piecesOf(email, "html"));
    const between = middle(email);
    items.push(between);
    length += between.length;
    pieces(piecesOf(email, "text"));
    own(`","to":[${JSON.stringify(email.to)}]}`);
  });
  own(emails.length === 0 ? "[]" : "]");
  return { length, items };
}

/** Calls `write` with slices of at most BODY_SLICE_BYTES (a longer shared piece goes whole). */
export async function writeBody(
  body: BatchBody,
  write: (slice: Uint8Array) => Promise<void>,
): Promise<void> {
  // One slice, written again once its write resolved: the stream has taken its bytes by then.
  const slice = new Uint8Array(BODY_SLICE_BYTES);
  let used = 0;
  const flush = async () => {
    if (used === 0) return;
    await write(slice.subarray(0, used));
    used = 0;
  };
  for (const item of body.items) {
    if (typeof item === "string") {
      let rest = item;
      for (;;) {
        const { read, written } = encoder.encodeInto(rest, slice.subarray(used));
        used += written;
        if (read === rest.length) break;
        rest = rest.slice(read);
        await flush();
      }
    } else if (item.length <= BODY_SLICE_BYTES - used) {
      slice.set(item, used);
      used += item.length;
    } else if (item.length > BODY_SLICE_BYTES) {
      // The shared bytes are only read: written as they are, never copied.
      await flush();
      await write(item);
    } else {
      await flush();
      slice.set(item, 0);
      used = item.length;
    }
  }
  await flush();
}

// workerd's FixedLengthStream: an identity stream that sends its length as the Content-Length.
type FixedLength = new (length: number) => {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
};

/** The body as a request body: its length known, its bytes made as the request reads them. */
function streamBody(body: BatchBody, Fixed: FixedLength): ReadableStream<Uint8Array> {
  const { readable, writable } = new Fixed(body.length);
  const writer = writable.getWriter();
  writeBody(body, (slice) => writer.write(slice))
    .then(() => writer.close())
    // A request that failed stops reading: its stream errors, and so does the write.
    .catch((error: unknown) => writer.abort(error).catch(() => {}));
  return readable;
}

/**
 * The request body: streamed in workerd; whole outside it (Node has no FixedLengthStream, and runs
 * the adapter only in the contract test).
 */
export async function requestBody(
  body: BatchBody,
): Promise<ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>> {
  const Fixed = (globalThis as { FixedLengthStream?: FixedLength }).FixedLengthStream;
  return Fixed ? streamBody(body, Fixed) : bodyBytes(body);
}

/** The whole body in one array (tests and the micro-benchmark). */
export async function bodyBytes(body: BatchBody): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(body.length);
  let at = 0;
  await writeBody(body, async (slice) => {
    out.set(slice, at);
    at += slice.length;
  });
  return out;
}
