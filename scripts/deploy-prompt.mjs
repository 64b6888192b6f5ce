// One question on the terminal for `npm run deploy`; a secret's answer is not echoed. Without a
// terminal (CI, a pipe) nothing is asked: the answer is empty and the caller falls back.
import { createInterface } from "node:readline";

export function ask(question, { hidden = false } = {}) {
  if (!process.stdin.isTTY) return Promise.resolve("");
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    if (hidden) {
      // Keep the question, hide what is typed after it.
      const write = rl._writeToOutput?.bind(rl);
      rl._writeToOutput = (text) => {
        if (write && (text.includes(question) || text === "\r\n" || text === "\n")) write(text);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stdout.write("\n");
      resolve(answer.trim());
    });
  });
}
