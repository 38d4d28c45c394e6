/** CSV of the handling report: one header line, one line per agency and field, the total last. */
import { toCsv, type CsvCell } from './csv-write.ts';
import { COUNT_COLUMNS, flatHeader, type HandlingReport } from './handling-report.ts';

export function handlingCsv(r: HandlingReport): string {
  const head: CsvCell[] = ['Mã cơ quan', 'Cơ quan giải quyết', 'Mã lĩnh vực', 'Lĩnh vực', ...COUNT_COLUMNS.map(flatHeader)];
  const lines: CsvCell[][] = r.rows.map((x) => [x.agencyCode, x.agencyName, x.fieldCode, x.fieldName, ...COUNT_COLUMNS.map((c) => x[c.key])]);
  lines.push(['', 'Tổng cộng', '', '', ...COUNT_COLUMNS.map((c) => r.total[c.key])]);
  return toCsv([head, ...lines]);
}
