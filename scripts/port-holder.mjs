// Whether a local TCP port is free, and which process holds it (read from /proc on Linux; `lsof`
// elsewhere), so `npm run dev` can say who has the port instead of moving silently.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";

/** True when nothing listens on the port (on any address). Never hangs: it only tries to bind. */
export function portIsFree(port, host = "0.0.0.0") {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function listeningInodes(port) {
  const inodes = new Set();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A") inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** "pid 1234 (node …/wrangler dev)" for the process listening on the port, or null if unknown. */
export function portHolder(port) {
  const inodes = listeningInodes(port);
  if (inodes.size > 0) {
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let fds = [];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target = "";
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
          return `pid ${pid} (${command.slice(0, 120)})`;
        }
      }
    }
  }
  try {
    const out = execFileSync("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const line = out.split("\n")[1]?.trim().split(/\s+/);
    if (line?.[1]) return `pid ${line[1]} (${line[0]})`;
  } catch {}
  return null;
}
