// Adds rows to one table of BENCHMARKS.md, found by its header line: several scripts record there
// (the send benchmark, the story evaluation), and each row must land under its own table.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Inserts `rows` after the last row of the last table whose header line starts with `headerStart`.
 * Without such a table, appends `intro`, the header and the separator, then the rows.
 */
export function addTableRows(file, { headerStart, header, intro = "" }, rows) {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const lines = text.split("\n");
  const at = lines.findLastIndex((line) => line.startsWith(headerStart));
  if (at === -1) {
    const separator = `|${" --- |".repeat(header.split("|").length - 2)}`;
    const table = [header, separator, ...rows].join("\n");
    const block = intro ? `${intro}\n\n${table}` : table;
    writeFileSync(file, `${text.replace(/\n*$/, "")}\n\n${block}\n`);
    return;
  }
  let end = at + 1;
  while (end < lines.length && lines[end].startsWith("|")) end++;
  lines.splice(end, 0, ...rows);
  writeFileSync(file, lines.join("\n"));
}
