/**
 * Excel workbooks of the reports (exceljs): numbers as numbers, instants as Excel dates in
 * Vietnam time (Excel has no time zones, so an instant is written as its +07:00 wall time),
 * totals as real formulas (with their computed results cached, so viewers that do not
 * recalculate still show them), Vietnamese headers and title rows naming the unit and period.
 */
import type ExcelJS from 'exceljs';
import { STATUS_NAMES_VI } from '../dossiers/dossier-workflow.ts';
import { VN_OFFSET_MS } from '../../platform/time.ts';
import { COUNT_COLUMNS, GROUP_HEADERS, type HandlingReport } from './handling-report.ts';
import { dayStart } from './period.ts';
import type { RegisterOutcome, RegisterRow } from './reports.repo.ts';
import type { RegisterReport } from './reports.service.ts';

/** The wall-clock time in Vietnam of an instant, as the Date exceljs writes as an Excel serial. */
export const excelDate = (d: Date): Date => new Date(d.getTime() + VN_OFFSET_MS);
/** A calendar day (YYYY-MM-DD) as an Excel date. */
const excelDay = (date: string): Date => excelDate(dayStart(date));

const DATE_FMT = 'dd/mm/yyyy';
const DATETIME_FMT = 'dd/mm/yyyy hh:mm';
const NUMBER_FMT = '#,##0';
const THIN = { style: 'thin' as const };
const BOX = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** Excel's column letters: 1 → A, 27 → AA. */
export function colLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function titleRows(
  ws: ExcelJS.Worksheet,
  width: number,
  title: string,
  subtitle: string | null,
  unit: { code: string; name: string },
  from: string,
  to: string,
  generatedAt: Date,
): number {
  const last = colLetter(width);
  let r = 1;
  ws.mergeCells(`A${r}:${last}${r}`);
  Object.assign(ws.getCell(`A${r}`), { value: title, font: { bold: true, size: 14 }, alignment: { horizontal: 'center' } });
  if (subtitle) {
    r++;
    ws.mergeCells(`A${r}:${last}${r}`);
    Object.assign(ws.getCell(`A${r}`), { value: subtitle, font: { italic: true }, alignment: { horizontal: 'center' } });
  }
  r++;
  ws.getCell(`A${r}`).value = 'Đơn vị:';
  ws.getCell(`B${r}`).value = `${unit.name} (${unit.code})`;
  r++;
  ws.getCell(`A${r}`).value = 'Từ ngày:';
  Object.assign(ws.getCell(`B${r}`), { value: excelDay(from), numFmt: DATE_FMT, alignment: { horizontal: 'left' } });
  ws.getCell(`C${r}`).value = 'Đến ngày:';
  Object.assign(ws.getCell(`D${r}`), { value: excelDay(to), numFmt: DATE_FMT, alignment: { horizontal: 'left' } });
  r++;
  ws.getCell(`A${r}`).value = 'Ngày lập:';
  Object.assign(ws.getCell(`B${r}`), { value: excelDate(generatedAt), numFmt: DATETIME_FMT, alignment: { horizontal: 'left' } });
  for (let i = 1; i <= r; i++) ws.getCell(`A${i}`).font = { ...ws.getCell(`A${i}`).font, bold: true };
  return r + 2;
}

function headerStyle(cell: ExcelJS.Cell) {
  cell.font = { bold: true };
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  cell.border = BOX;
  cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF3F2F1' } };
}

const toBuffer = async (wb: ExcelJS.Workbook): Promise<Buffer> => Buffer.from(await wb.xlsx.writeBuffer());

/** A workbook; exceljs is loaded on first use, not at start (it is large and only exports need it). */
async function newWorkbook(generatedAt: Date): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'Tỉnh Số';
  wb.created = generatedAt;
  return wb;
}

/** The handling report: one row per agency and field, row totals and the grand total as formulas. */
export async function handlingWorkbook(report: HandlingReport): Promise<Buffer> {
  const wb = await newWorkbook(report.generatedAt);
  const ws = wb.addWorksheet('Báo cáo', {
    views: [{ state: 'frozen', xSplit: 3, ySplit: 0 }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = 3 + COUNT_COLUMNS.length;
  const head = titleRows(ws, width, 'BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH', null, report.unit, report.from, report.to, report.generatedAt);
  const sub = head + 1;
  const fixed = ['STT', 'Cơ quan giải quyết', 'Lĩnh vực'];
  fixed.forEach((label, i) => {
    ws.mergeCells(head, i + 1, sub, i + 1);
    ws.getCell(head, i + 1).value = label;
  });
  const colOf = new Map(COUNT_COLUMNS.map((c, i) => [c.key, 4 + i]));
  COUNT_COLUMNS.forEach((c, i) => {
    const col = 4 + i;
    if (c.group) {
      ws.getCell(sub, col).value = c.header;
      const first = COUNT_COLUMNS.findIndex((x) => x.group === c.group);
      if (first === i) {
        const span = COUNT_COLUMNS.filter((x) => x.group === c.group).length;
        ws.mergeCells(head, col, head, col + span - 1);
        ws.getCell(head, col).value = GROUP_HEADERS[c.group];
      }
    } else {
      ws.mergeCells(head, col, sub, col);
      ws.getCell(head, col).value = c.header;
    }
  });
  for (let col = 1; col <= width; col++) {
    headerStyle(ws.getCell(head, col));
    headerStyle(ws.getCell(sub, col));
  }
  ws.getRow(sub).height = 45;

  const firstData = sub + 1;
  report.rows.forEach((row, i) => {
    const r = firstData + i;
    ws.getCell(r, 1).value = i + 1;
    ws.getCell(r, 2).value = row.agencyName;
    ws.getCell(r, 3).value = row.fieldName;
    for (const c of COUNT_COLUMNS) {
      const col = colOf.get(c.key)!;
      ws.getCell(r, col).value = c.sumOf
        ? { formula: `SUM(${c.sumOf.map((k) => `${colLetter(colOf.get(k)!)}${r}`).join(',')})`, result: row[c.key] }
        : row[c.key];
    }
  });
  const lastData = firstData + report.rows.length - 1;
  const totalRow = lastData + 1;
  ws.mergeCells(totalRow, 1, totalRow, 3);
  ws.getCell(totalRow, 1).value = 'Tổng cộng';
  for (const c of COUNT_COLUMNS) {
    const col = colOf.get(c.key)!;
    const L = colLetter(col);
    ws.getCell(totalRow, col).value = report.rows.length ? { formula: `SUM(${L}${firstData}:${L}${lastData})`, result: report.total[c.key] } : 0;
  }
  for (let r = firstData; r <= totalRow; r++) {
    for (let col = 1; col <= width; col++) {
      const cell = ws.getCell(r, col);
      cell.border = BOX;
      if (col >= 4) cell.numFmt = NUMBER_FMT;
      if (r === totalRow) cell.font = { bold: true };
    }
  }
  ws.getColumn(1).width = 6;
  ws.getColumn(2).width = 36;
  ws.getColumn(3).width = 26;
  for (let col = 4; col <= width; col++) ws.getColumn(col).width = 12;
  return toBuffer(wb);
}

export const CHANNEL_LABELS: Record<RegisterRow['channel'], string> = { online: 'Trực tuyến', in_person: 'Trực tiếp', post: 'Bưu chính' };
/** Status names as the national portal words them (one list, in the workflow module). */
export const STATUS_LABELS: Record<string, string> = STATUS_NAMES_VI;
export const OUTCOME_LABELS: Record<RegisterOutcome, string> = {
  early: 'Trước hạn',
  on_time: 'Đúng hạn',
  late: 'Quá hạn',
  in_time: 'Đang xử lý, trong hạn',
  overdue: 'Đang xử lý, quá hạn',
  waiting: 'Chờ bổ sung',
  refused: 'Không được tiếp nhận',
  withdrawn: 'Rút hồ sơ',
  stopped: 'Dừng xử lý',
};

interface RegisterColumn {
  header: string;
  width: number;
  value: (r: RegisterRow, i: number) => string | number | Date | null;
  date?: boolean;
}

const at = (d: Date | null) => (d ? excelDate(d) : null);

export const REGISTER_COLUMNS: readonly RegisterColumn[] = [
  { header: 'STT', width: 6, value: (_r, i) => i + 1 },
  { header: 'Mã hồ sơ', width: 28, value: (r) => r.code },
  { header: 'Tên thủ tục hành chính', width: 40, value: (r) => r.procedureName },
  { header: 'Lĩnh vực', width: 20, value: (r) => r.fieldName },
  { header: 'Tổ chức, cá nhân nộp hồ sơ', width: 28, value: (r) => r.applicantName },
  { header: 'Số điện thoại', width: 14, value: (r) => r.applicantPhone },
  { header: 'Hình thức nộp', width: 12, value: (r) => CHANNEL_LABELS[r.channel] },
  { header: 'Nơi tiếp nhận', width: 28, value: (r) => r.receivingAgency },
  { header: 'Cơ quan giải quyết', width: 28, value: (r) => r.competentAgency },
  { header: 'Nhận hồ sơ (giờ, ngày)', width: 17, value: (r) => at(r.receivedAt), date: true },
  { header: 'Hẹn trả kết quả (theo phiếu hẹn)', width: 17, value: (r) => at(r.originalDueAt ?? r.dueAt), date: true },
  { header: 'Hẹn trả kết quả (hiện hành)', width: 17, value: (r) => at(r.dueAt), date: true },
  { header: 'Có kết quả / kết thúc (giờ, ngày)', width: 17, value: (r) => at(r.finishedAt), date: true },
  { header: 'Trả kết quả (giờ, ngày)', width: 17, value: (r) => at(r.returnedAt), date: true },
  { header: 'Trạng thái', width: 22, value: (r) => STATUS_LABELS[r.status] ?? r.status },
  { header: 'Tiến độ', width: 20, value: (r) => OUTCOME_LABELS[r.outcome] },
  { header: 'Số lần yêu cầu bổ sung', width: 10, value: (r) => r.supplementCount },
  { header: 'Số lần gia hạn', width: 10, value: (r) => r.extensionCount },
];

/** The dossier register (Mẫu số 07, Thông tư 03/2025/TT-VPCP): one line per dossier received in the period. */
export async function registerWorkbook(report: RegisterReport): Promise<Buffer> {
  const wb = await newWorkbook(report.generatedAt);
  const ws = wb.addWorksheet('Sổ theo dõi', {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 0 }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = REGISTER_COLUMNS.length;
  const head = titleRows(ws, width, 'SỔ THEO DÕI HỒ SƠ', 'Mẫu số 07 — Thông tư 03/2025/TT-VPCP', report.unit, report.from, report.to, report.generatedAt);
  REGISTER_COLUMNS.forEach((c, i) => {
    const cell = ws.getCell(head, i + 1);
    cell.value = c.header;
    headerStyle(cell);
    ws.getColumn(i + 1).width = c.width;
  });
  ws.getRow(head).height = 45;
  const first = head + 1;
  report.rows.forEach((row, i) => {
    const r = ws.getRow(first + i);
    REGISTER_COLUMNS.forEach((c, j) => {
      const cell = r.getCell(j + 1);
      cell.value = c.value(row, i);
      if (c.date) cell.numFmt = DATETIME_FMT;
    });
  });
  const totalRow = first + report.rows.length;
  ws.mergeCells(totalRow, 1, totalRow, 2);
  ws.getCell(totalRow, 1).value = 'Tổng số hồ sơ';
  ws.getCell(totalRow, 3).value = report.rows.length ? { formula: `COUNTA(B${first}:B${totalRow - 1})`, result: report.rows.length } : 0;
  ws.getRow(totalRow).font = { bold: true };
  return toBuffer(wb);
}
