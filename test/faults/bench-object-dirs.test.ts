// The bench's Durable Object directories in tmpfs: a run removes those a killed run left behind
// (its process gone), never one whose run is alive (bench/object-dirs.mjs).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a bench module in plain JavaScript
import { objectsDirectory, removeAbandonedObjectDirs } from "../../bench/object-dirs.mjs";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function runDir(root: string, name: string, owner: number | null, ageMs = 0): string {
  const dir = join(root, `tidings-bench-${name}`);
  mkdirSync(dir);
  if (owner !== null) writeFileSync(join(dir, "owner.pid"), String(owner));
  const at = new Date(Date.now() - ageMs);
  utimesSync(dir, at, at);
  return dir;
}

describe("the bench's object directories", () => {
  it("removes a killed run's directory and keeps a live run's", () => {
    const root = mkdtempSync(join(tmpdir(), "object-dirs-"));
    roots.push(root);
    // A process that has exited: its pid names no live process.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const killed = runDir(root, "killed", gone);
    const live = runDir(root, "live", process.pid);
    const oldUnowned = runDir(root, "old", null, 2 * 60 * 60 * 1000);
    const newUnowned = runDir(root, "new", null);
    const other = join(root, "not-ours");
    mkdirSync(other);

    expect(removeAbandonedObjectDirs(root)).toBe(2);
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(oldUnowned)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(newUnowned)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it("makes a new directory that names its run's process", () => {
    const root = mkdtempSync(join(tmpdir(), "object-dirs-"));
    roots.push(root);
    const dir: string = objectsDirectory(root);
    expect(dir.startsWith(join(root, "tidings-bench-"))).toBe(true);
    expect(removeAbandonedObjectDirs(root)).toBe(0);
    expect(existsSync(dir)).toBe(true);
  });
});
