// multipart/form-data read as a stream (RFC 7578), so an uploaded file of 100 MB passes through in
// pieces and is never held whole (128 MB an isolate). Parts come in order; each part's body must be
// read to its end (or cancelled) before the next part is asked for.
import { Buffer } from "node:buffer";

export class MultipartError extends Error {}

export type MultipartPart = {
  name: string;
  filename: string | null;
  body: ReadableStream<Uint8Array>;
};

// A part's headers are a few hundred bytes; more is not a form.
const MAX_HEADER_BYTES = 8 * 1024;

/** The boundary of a `multipart/form-data` Content-Type, or null. */
export function multipartBoundary(contentType: string | null): string | null {
  const match = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(
    contentType ?? "",
  );
  return match ? (match[1] ?? match[2] ?? null) : null;
}

export async function* multipartParts(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): AsyncGenerator<MultipartPart> {
  const reader = body.getReader();
  let buffer = Buffer.alloc(0);
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return false;
    }
    buffer = buffer.length === 0 ? Buffer.from(value) : Buffer.concat([buffer, value]);
    return true;
  };
  const need = async (bytes: number) => {
    while (buffer.length < bytes)
      if (!(await more())) throw new MultipartError("the form data ended early");
  };

  // The first delimiter may follow a preamble; every later one starts with CRLF.
  const first = Buffer.from(`--${boundary}`);
  for (;;) {
    const at = buffer.indexOf(first);
    if (at >= 0) {
      buffer = buffer.subarray(at + first.length);
      break;
    }
    if (buffer.length > MAX_HEADER_BYTES || !(await more()))
      throw new MultipartError("no form data found");
  }
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  for (;;) {
    await need(2);
    if (buffer[0] === 0x2d && buffer[1] === 0x2d) return; // "--": the closing delimiter
    let headerEnd = buffer.indexOf("\r\n\r\n");
    while (headerEnd < 0) {
      if (buffer.length > MAX_HEADER_BYTES || !(await more()))
        throw new MultipartError("a form part's headers are malformed");
      headerEnd = buffer.indexOf("\r\n\r\n");
    }
    const headers = buffer.subarray(0, headerEnd).toString("utf8");
    buffer = buffer.subarray(headerEnd + 4);
    const disposition = /content-disposition:\s*form-data\s*;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new MultipartError("a form part has no name");
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;

    let partDone = false;
    const partBody = new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          const at = buffer.indexOf(delimiter);
          if (at >= 0) {
            if (at > 0) controller.enqueue(new Uint8Array(buffer.subarray(0, at)));
            buffer = buffer.subarray(at + delimiter.length);
            partDone = true;
            return controller.close();
          }
          // Bytes that cannot begin a delimiter go out now; the rest waits for more data.
          const safe = buffer.length - (delimiter.length - 1);
          if (safe > 0) {
            controller.enqueue(new Uint8Array(buffer.subarray(0, safe)));
            buffer = buffer.subarray(safe);
            return;
          }
          if (!(await more()))
            return controller.error(new MultipartError("the form data ended inside a part"));
        }
      },
    });
    yield { name, filename, body: partBody };
    if (!partDone) throw new MultipartError("a form part was not read to its end");
  }
}

/** A small part's text (a form field), at most `maxBytes`. */
export async function partText(part: MultipartPart, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = part.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) throw new MultipartError(`the form field ${part.name} is too long`);
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
