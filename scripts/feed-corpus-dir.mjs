// Where the real-feed corpus is: ../shared/data/feeds/dev next to the repository (as in CI), or next
// to one of its parent folders (a git worktree under /work/wt/<branch> finds /work/shared).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export function feedCorpusDir(root) {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, "..", "shared", "data", "feeds", "dev");
    if (existsSync(join(candidate, "expected.jsonl"))) return candidate;
    if (dirname(dir) === dir) return join(root, "..", "shared", "data", "feeds", "dev");
  }
}
