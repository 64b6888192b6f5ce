// Seeds many readers into a stopped Miniflare's local KV folder directly, instead of one KV put each
// through workerd (about 550 puts a second, so 30 minutes for 1,000,000 readers).
//
// The layout is miniflare 4.20260426.0's (pinned in package.json), read from its source: a namespace is
// a SQLite-backed object whose database is miniflare-KVNamespaceObject/<id>.sqlite, one row per key in
// `_mf_entries (key, blob_id, expiration, metadata)`, and each value a file <namespace>/blobs/<blob_id>.
// Nothing here guesses a format: the first reader is seeded through the Worker, and every other row
// and value is copied from it with only the address changed. The caller then reads the namespace back
// through the Worker (bench-entry's /__bench/count-readers) before trusting the template.
import { execFileSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

const KV_OBJECT_KEY = "miniflare-KVNamespaceObject";

/** Miniflare's file name for a namespace's database (durableObjectNamespaceIdFromName in miniflare). */
function objectIdFromName(uniqueKey, name) {
  const key = createHash("sha256").update(uniqueKey).digest();
  const nameHmac = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  const hmac = createHmac("sha256", key).update(nameHmac).digest().subarray(0, 16);
  return Buffer.concat([nameHmac, hmac]).toString("hex");
}

/** A blob id as miniflare makes them: 32 random bytes, then the time as a 64-bit integer. */
function blobId() {
  const id = Buffer.alloc(40);
  randomBytes(32).copy(id);
  id.writeBigInt64BE(BigInt(Math.floor(performance.timeOrigin + performance.now())), 32);
  return id.toString("hex");
}

const sqlText = (value) => (value === null ? "NULL" : `'${String(value).replaceAll("'", "''")}'`);

const sqlite = (database, ...args) =>
  execFileSync("sqlite3", [database, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });

/**
 * Adds `emails` as copies of the reader `model` (already seeded through the Worker) to namespace
 * `namespaceId` in `kvDir`. Miniflare must not be running on that folder.
 */
export function seedReadersDirect({ kvDir, namespaceId, model, emails }) {
  const database = join(
    kvDir,
    KV_OBJECT_KEY,
    `${objectIdFromName(KV_OBJECT_KEY, namespaceId)}.sqlite`,
  );
  const blobs = join(kvDir, namespaceId, "blobs");
  if (!existsSync(database) || !existsSync(blobs))
    throw new Error(`no KV storage for ${namespaceId} in ${kvDir}: seed one reader first`);
  const [row] = JSON.parse(
    sqlite(
      database,
      "-json",
      `SELECT key, blob_id, expiration, metadata FROM _mf_entries WHERE key LIKE ${sqlText(`%${model}`)}`,
    ) || "[]",
  );
  if (!row) throw new Error(`model reader ${model} not found in ${database}`);
  const value = readFileSync(join(blobs, row.blob_id), "utf8");
  if (!value.includes(model)) throw new Error("the model's record does not carry its address");

  // One transaction for every row; values written as files while the SQL is built.
  const sqlPath = join(kvDir, "seed.sql");
  const sql = openSync(sqlPath, "w");
  writeSync(sql, "BEGIN;\n");
  const ROWS_PER_INSERT = 500;
  for (let i = 0; i < emails.length; i += ROWS_PER_INSERT) {
    const values = emails.slice(i, i + ROWS_PER_INSERT).map((email) => {
      const id = blobId();
      writeFileSync(join(blobs, id), value.replaceAll(model, email));
      return `(${sqlText(row.key.replace(model, email))},'${id}',${
        row.expiration === null ? "NULL" : Number(row.expiration)
      },${sqlText(row.metadata)})`;
    });
    writeSync(
      sql,
      `INSERT OR REPLACE INTO _mf_entries (key, blob_id, expiration, metadata) VALUES ${values.join(",")};\n`,
    );
  }
  writeSync(sql, "COMMIT;\n");
  closeSync(sql);
  sqlite(database, `.read ${sqlPath}`);
  rmSync(sqlPath);
}
