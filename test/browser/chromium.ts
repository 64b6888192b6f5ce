// Finds Debian's Chromium. In CI its absence is a failure with instructions; elsewhere a loud skip.
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const help = `Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium`;
  if (process.env.CI) throw new Error(help);
  console.warn(`\n!!! SKIPPING BROWSER TESTS: ${help}\n`);
  return false;
}

// Flags for a headless root run on a machine with no outside network.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
