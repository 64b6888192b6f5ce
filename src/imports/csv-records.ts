// CSV read as a stream (RFC 4180: quoted cells may hold commas, quotes and line breaks), so a
// 100 MB export is never held whole: text goes in as it arrives, whole records come out.

// An export's cells are addresses, dates and tag lists: a cell or row far past these is not an export
// (or is an unclosed quote swallowing the file), and is refused before it can fill the memory.
export const MAX_CELL_CHARS = 64 * 1024;
export const MAX_ROW_CELLS = 1000;

export class CsvShapeError extends Error {}

/** A parser fed text in pieces; `push` answers the records completed so far. */
export function createCsvRecords() {
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  // A quote seen inside a quoted cell: either the cell's end or the first of a doubled quote.
  let quoteInQuoted = false;
  let pendingCR = false;
  let touched = false;

  const tooLong = () => {
    throw new CsvShapeError(`a cell is longer than ${MAX_CELL_CHARS} characters`);
  };

  function endRow(out: string[][]) {
    row.push(cell);
    // Blank lines carry no reader.
    if (row.length > 1 || row[0]!.trim() !== "") out.push(row);
    row = [];
    cell = "";
    touched = false;
  }

  return {
    push(text: string): string[][] {
      const out: string[][] = [];
      for (let i = 0; i < text.length; i++) {
        const char = text[i]!;
        if (pendingCR) {
          pendingCR = false;
          if (char === "\n") continue;
        }
        if (quoteInQuoted) {
          quoteInQuoted = false;
          if (char === '"') {
            cell += '"';
            continue;
          }
          quoted = false;
        }
        if (quoted) {
          if (char === '"') quoteInQuoted = true;
          else if ((cell += char).length > MAX_CELL_CHARS) tooLong();
          continue;
        }
        if (char === '"' && cell === "") {
          quoted = true;
          touched = true;
        } else if (char === ",") {
          if (row.length >= MAX_ROW_CELLS)
            throw new CsvShapeError(`a row has more than ${MAX_ROW_CELLS} cells`);
          row.push(cell);
          cell = "";
          touched = true;
        } else if (char === "\n" || char === "\r") {
          pendingCR = char === "\r";
          endRow(out);
        } else {
          if ((cell += char).length > MAX_CELL_CHARS) tooLong();
          touched = true;
        }
      }
      return out;
    },

    /** The last record when the text does not end with a line break. */
    end(): string[][] {
      const out: string[][] = [];
      if (quoteInQuoted) quoted = false;
      if (touched || cell !== "" || row.length > 0) endRow(out);
      return out;
    },

    /** True while inside a quoted cell: an export cut off here is malformed. */
    get open(): boolean {
      return quoted && !quoteInQuoted;
    },
  };
}
