import type { ErrorReason } from './errors.ts';

/** A quoted field never closed: the whole rest of the file would be one cell. */
export class UnterminatedQuoteError extends Error {
  constructor(readonly line: number) {
    super(`unterminated quoted field starting on line ${line}`);
  }
}

/**
 * RFC 4180 CSV parsing: quoted fields, doubled quotes, CRLF or LF, a UTF-8 byte-order mark.
 * Throws on an unterminated quote, with the line where it started. Blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((r) => r.cells);
}

/** The records of a CSV text with the line each starts on (for error messages). */
export function parseCsvRecords(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let rowLine = 1;
  let row: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let inQuotes = false;
  let quoteLine = 0;
  let line = 1;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      inQuotes = true;
      quoteLine = line;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push({ line: rowLine, cells: row });
      row = [];
      field = '';
      line++;
      rowLine = line;
    } else field += c;
  }
  if (inQuotes) throw new UnterminatedQuoteError(quoteLine);
  if (field !== '' || row.length) {
    row.push(field);
    rows.push({ line: rowLine, cells: row });
  }
  return rows.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''));
}

/** One problem with a CSV file: `csv` (the file), `csv.header` or `csv.line<N>`. */
export interface CsvProblem {
  path: string;
  message: string;
}

/**
 * A CSV file with a header row, for importers: its rows after the header, each with the line it
 * starts on, or the one problem that stops the whole file (a quote left open, a wrong header).
 * The header is `required` followed by any leading part of `optional`, case and spaces around
 * names ignored. A row with more cells than the header has is reported by `tooManyCells`.
 * The problem's message is Vietnamese (the API's); it comes with its `reason` (`csv_quote` with
 * the `line`, `csv_header` with the expected `columns`) for a page to word in its own language
 * (ErrorReasons in errors.ts).
 */
export function parseCsvTable(
  text: string,
  columns: { required: readonly string[]; optional?: readonly string[] },
): { ok: true; columns: number; rows: { line: number; cells: string[] }[] } | { ok: false; problem: CsvProblem; reason: ErrorReason } {
  let records: { line: number; cells: string[] }[];
  try {
    records = parseCsvRecords(text);
  } catch (err) {
    if (!(err instanceof UnterminatedQuoteError)) throw err;
    return {
      ok: false,
      problem: { path: 'csv', message: `dấu ngoặc kép mở ở dòng ${err.line} không được đóng lại` },
      reason: { reason: 'csv_quote', params: { line: err.line } },
    };
  }
  const header = (records.shift()?.cells ?? []).map((h) => h.trim().toLowerCase());
  const allowed = [...columns.required, ...(columns.optional ?? [])];
  if (header.length < columns.required.length || header.length > allowed.length || header.some((h, i) => h !== allowed[i])) {
    const optional = (columns.optional ?? []).map((c) => `[,${c}`).join('') + ']'.repeat(columns.optional?.length ?? 0);
    const expected = `${columns.required.join(',')}${optional}`;
    return {
      ok: false,
      problem: { path: 'csv.header', message: `dòng đầu của tệp phải là dòng tiêu đề: ${expected}` },
      reason: { reason: 'csv_header', params: { columns: expected } },
    };
  }
  return { ok: true, columns: header.length, rows: records };
}

/** The problem of a row with more cells than the header has, or null. */
export function tooManyCells(cells: readonly string[], columns: number): string | null {
  return cells.length > columns ? `quá nhiều cột (${cells.length}; nhiều nhất ${columns})` : null;
}
