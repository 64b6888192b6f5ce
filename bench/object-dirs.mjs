// Where a bench run keeps its Durable Objects' SQLite files: a directory of its own in tmpfs
// (/dev/shm), removed when the run closes. A run that was killed leaves its directory behind, and
// tmpfs is memory: one left by a killed run held 13 GB, and every later run on the machine was
// slowed by the memory it took (the kernel reclaiming pages: a day's kernel time went from 9 to
// 17-22 us a reader). So each directory names the process that owns it, and a new run removes
// those whose process is gone.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

const ROOT = "/dev/shm";
const PREFIX = "tidings-bench-";
const OWNER = "owner.pid";
// A directory from before owners were written down is left alone while it may still be in use.
const UNOWNED_AFTER_MS = 60 * 60 * 1000;

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};

/** Removes run directories whose owning process is gone; returns how many. */
export function removeAbandonedObjectDirs(root = ROOT) {
  let removed = 0;
  for (const name of readdirSync(root)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(root, name);
    try {
      const ownerFile = join(dir, OWNER);
      const abandoned = existsSync(ownerFile)
        ? !alive(Number(readFileSync(ownerFile, "utf8")))
        : Date.now() - statSync(dir).mtimeMs > UNOWNED_AFTER_MS;
      if (!abandoned) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // Removed meanwhile by its own run.
    }
  }
  return removed;
}

/** A new directory for this run's objects in tmpfs (undefined where there is none). */
export function objectsDirectory(root = ROOT) {
  if (!existsSync(root)) return undefined;
  const removed = removeAbandonedObjectDirs(root);
  if (removed > 0)
    console.error(
      `removed ${removed} abandoned bench director${removed === 1 ? "y" : "ies"} from ${root}`,
    );
  const dir = mkdtempSync(join(root, PREFIX));
  writeFileSync(join(dir, OWNER), String(process.pid));
  return dir;
}
