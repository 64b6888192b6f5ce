// Reads a body stream but never more than a cap: a missing or false Content-Length cannot dodge it.
// Shared by request bodies (routes) and fetched feeds (sources); request bodies are decoded first.
import { createBrotliDecompress } from "node:zlib";

/** The body's bytes, or null as soon as it passes `maxBytes` (the stream is then cancelled). */
export async function readCappedBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The codings a body may be sent in (`Content-Encoding`), and what decodes each. */
const DECODERS: Record<string, (maxBytes: number) => TransformStream<Uint8Array, Uint8Array>> = {
  gzip: () => new DecompressionStream("gzip"),
  "x-gzip": () => new DecompressionStream("gzip"),
  // HTTP's "deflate" is the zlib format (RFC 9110 8.4.1.2), which DecompressionStream calls "deflate".
  deflate: () => new DecompressionStream("deflate"),
  br: (maxBytes) => brotliDecoder(maxBytes),
};

/** A body coding this reader does not know (`compress`, `zstd`…): the caller answers 415 naming it. */
export class UnsupportedCodingError extends Error {
  constructor(readonly coding: string) {
    super(
      `Content-Encoding ${coding} is not supported: send the body plain, or as gzip, deflate or br.`,
    );
  }
}

/**
 * The body decoded as its `Content-Encoding` says (codings apply in order, so they are undone last
 * first). A body is never read as plain when it says it is not: an unknown coding throws
 * UnsupportedCodingError. `maxBytes` bounds what a brotli bomb may decode at once (the stream
 * decoders only decode as fast as the capped reader reads).
 */
export function decodeBody(
  body: ReadableStream<Uint8Array> | null,
  contentEncoding: string | null,
  maxBytes: number,
): ReadableStream<Uint8Array> | null {
  const codings = (contentEncoding ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  for (const coding of codings) if (!DECODERS[coding]) throw new UnsupportedCodingError(coding);
  if (!body) return body;
  return codings.reduceRight(
    (stream, coding) => stream.pipeThrough(DECODERS[coding]!(maxBytes)),
    body,
  );
}

// workerd's DecompressionStream has no brotli; node:zlib (nodejs_compat) has. Its output is counted
// as it is made: a small body can decode to gigabytes inside one write.
function brotliDecoder(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  const decoder = createBrotliDecompress();
  let produced = 0;
  return new TransformStream({
    start(controller) {
      decoder.on("data", (chunk: Uint8Array) => {
        produced += chunk.byteLength;
        if (produced > maxBytes + 1) return decoder.destroy(new BodyTooLargeError());
        controller.enqueue(new Uint8Array(chunk));
      });
      decoder.on("error", (error) => controller.error(error));
    },
    transform: (chunk) =>
      new Promise<void>((resolve, reject) =>
        decoder.write(chunk, (error) => (error ? reject(error) : resolve())),
      ),
    flush: () =>
      new Promise<void>((resolve, reject) => {
        decoder.once("end", resolve);
        decoder.once("error", reject);
        decoder.end();
      }),
  });
}

/** `body`, erroring with BodyTooLargeError as soon as more than `maxBytes` have passed. */
export function capStream(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): ReadableStream<Uint8Array> | null {
  if (!body) return body;
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new BodyTooLargeError());
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** A decoded body passed its cap while decoding. */
export class BodyTooLargeError extends Error {}
