// Readers as CSV: the export's rows (address, status, dates, source; never a token or an IP hash),
// with spreadsheet formula injection neutralised, and the addresses read from an imported CSV.
import type { Subscriber } from "./subscriber-schema";

export const CSV_HEADER = [
  "email",
  "status",
  "signed_up_at",
  "confirmed_at",
  "unsubscribed_at",
  "source",
  "consent_source",
];

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
 * carriage return) gets a leading apostrophe; quotes, commas and line breaks are quoted (RFC 4180).
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (cells: (string | null | undefined)[]) =>
  `${cells.map(csvCell).join(",")}\r\n`;

export function readerCsvRow(reader: Subscriber): string {
  return csvLine([
    reader.email,
    reader.status,
    reader.consent.signedUpAt,
    reader.consent.confirmedAt,
    reader.consent.unsubscribedAt,
    reader.consent.source,
    reader.consent.formVersion,
  ]);
}

/** Splits CSV text into rows of cells (quoted cells may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === "") quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += char;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows.filter((cells) => cells.some((value) => value.trim() !== ""));
}

/**
 * The addresses of an imported CSV: the `email` column if a header row names one (`email` or
 * `address`), else the first column. A leading apostrophe an export added is taken off.
 */
export function addressesFromCsv(text: string): string[] {
  const rows = parseCsv(text.replace(/^\uFEFF/, ""));
  const header = rows[0]?.map((cell) => cell.trim().toLowerCase()) ?? [];
  const named = header.findIndex(
    (cell) => cell === "email" || cell === "address" || cell === "email address",
  );
  const column = named === -1 ? 0 : named;
  return rows
    .slice(named === -1 ? 0 : 1)
    .map((cells) => (cells[column] ?? "").trim().replace(/^'/, ""));
}
