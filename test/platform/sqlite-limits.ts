// SQLite in a Durable Object takes a string, blob or row of at most 2 MB in production; workerd's
// local SQLite refuses only past about 2.2 MB, and a refusal the code catches goes unseen. Every
// statement's bound values are checked against the limit, and a refusal from SQLite is recorded.
import { currentLimits, violation } from "./platform-limits";

const PATCHED = Symbol.for("tidings.platform-limits.sqlite");
const encoder = new TextEncoder();

/** Bytes SQLite stores for a bound value (UTF-8 for text). */
function sizeOf(value: unknown): number {
  if (typeof value === "string")
    return value.length < 256 ? value.length : encoder.encode(value).length;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  return 8;
}

/**
 * A bound value over the limit, or values bound to one statement that together are (they make one
 * row, or part of one): the statement is refused before it runs, as production would refuse it.
 */
function check(query: string, bindings: unknown[]): void {
  const max = currentLimits().sqliteMaxBytes;
  // Cheap first: a UTF-16 unit is at most 3 bytes of UTF-8.
  let bound = 0;
  for (const value of bindings)
    bound += typeof value === "string" ? value.length * 3 : sizeOf(value);
  if (bound <= max) return;
  const sizes = bindings.map(sizeOf);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= max) return;
  const largest = Math.max(...sizes);
  const what =
    largest > max ? `a value of ${largest} bytes` : `values of ${total} bytes in one statement`;
  throw violation(
    `${what} bound to SQLite (limit ${max} per string, blob or row): ${query.trim().slice(0, 60)}`,
  );
}

/** Checks every `sql.exec` of every Durable Object in this isolate (patched once, on its class). */
export function limitSqlStorage(sql: SqlStorage): void {
  const proto = Object.getPrototypeOf(sql) as Record<PropertyKey, unknown>;
  if (proto[PATCHED]) return;
  const exec = proto.exec as SqlStorage["exec"];
  proto.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
    check(query, bindings);
    try {
      return exec.call(this, query, ...bindings);
    } catch (error) {
      // Made inside SQL (a concatenation, a JSON function): SQLite refuses it past its own limit.
      if (String(error).includes("SQLITE_TOOBIG"))
        throw violation(
          `SQLite refused a value or row over its limit (${String(error)}): ${query.trim().slice(0, 60)}`,
        );
      throw error;
    }
  };
  proto[PATCHED] = true;
}
