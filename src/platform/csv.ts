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
  if (inQuotes) throw new Error(`unterminated quoted field starting on line ${quoteLine}`);
  if (field !== '' || row.length) {
    row.push(field);
    rows.push({ line: rowLine, cells: row });
  }
  return rows.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''));
}
