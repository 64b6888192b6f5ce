// The `html` tag every template uses: interpolations are escaped unless they are already SafeHtml.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

// One pass finds what must be escaped and what must not be written at all: the characters XML 1.0
// forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates) and those HTML calls
// errors (DEL, C1 controls, the noncharacters U+FDD0-U+FDEF). One of them in a title would make
// /feed.xml invalid, and feed readers refuse the whole feed: they are dropped, a lone surrogate
// becomes U+FFFD.
const UNSAFE =
  /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const replacementOf = (char: string) =>
  ESCAPES[char] ?? (char >= "\uD800" && char <= "\uDFFF" ? "\uFFFD" : "");

/** Text made safe for HTML and XML: markup characters escaped, characters XML forbids dropped. */
export function escapeHtml(text: string): string {
  return text.replace(UNSAFE, replacementOf);
}

/** Trusted markup, such as another template's output. Never pass it outside input. */
export const raw = (markup: string) => new SafeHtml(markup);

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Only absolute http(s) links are emitted; anything else (javascript:, data:, relative) is dropped. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.toString() : null;
  } catch {
    return null;
  }
}
