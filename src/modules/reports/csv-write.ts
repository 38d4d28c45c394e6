/**
 * CSV for Excel (RFC 4180): fields quoted when they hold a comma, a quote or a line break,
 * quotes doubled, CRLF between records, and a UTF-8 byte-order mark so Excel reads Vietnamese
 * text correctly. Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed
 * with an apostrophe; numbers are written as they are. Read back with `platform/csv.ts`.
 */
export type CsvCell = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return `\ufeff${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
