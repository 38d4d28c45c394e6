import { formatVnDateTime } from '../../platform/time.ts';
import { renderPdf } from '../../platform/pdf.ts';

/**
 * The electronic receipt (biên lai thu phí, lệ phí) of a confirmed payment, as a PDF with the
 * agency header and, in the top-left corner, a QR holding the dossier code, the procedure code
 * and the applicant's ID (Circular 01/2023/TT-VPCP) with the receipt number.
 */
const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];
const GROUPS = ['', 'nghìn', 'triệu', 'tỷ', 'nghìn tỷ', 'triệu tỷ'];

function threeDigits(n: number, isLeading: boolean): string[] {
  const h = Math.floor(n / 100);
  const t = Math.floor((n % 100) / 10);
  const u = n % 10;
  const out: string[] = [];
  if (h > 0 || !isLeading) out.push(DIGITS[h]!, 'trăm');
  if (t === 0) {
    if (u > 0 && out.length) out.push('linh');
  } else if (t === 1) out.push('mười');
  else out.push(DIGITS[t]!, 'mươi');
  if (u === 1 && t > 1) out.push('mốt');
  else if (u === 5 && t > 0) out.push('lăm');
  else if (u > 0) out.push(DIGITS[u]!);
  return out;
}

/** An amount of đồng in Vietnamese words, as written on receipts: 125000 → "Một trăm hai mươi lăm nghìn đồng". */
export function amountInWords(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError('amount must be a whole number of đồng');
  if (amount === 0) return 'Không đồng';
  const groups: number[] = [];
  for (let n = amount; n > 0; n = Math.floor(n / 1000)) groups.push(n % 1000);
  const words: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (g === 0) continue;
    words.push(...threeDigits(g, i === groups.length - 1));
    if (GROUPS[i]) words.push(GROUPS[i]!);
  }
  const s = `${words.join(' ')} đồng`;
  return s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);
}

/** 1250000 → "1.250.000". */
export function formatDong(amount: number): string {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

export interface ReceiptInput {
  receiptNo: string;
  reference: string;
  transactionId: string | null;
  amount: number;
  paidAt: Date;
  lines: { name: string; quantity: number; unitAmount: number; amount: number }[];
  dossierCode: string;
  procedureCode: string;
  procedureName: string;
  applicantName: string;
  applicantId: string;
  agencyName: string;
  accountName: string;
  accountNo: string;
  bankName: string;
}

/** The receipt number printed on a receipt: BL- and the payment reference (unique per payment). */
export const receiptNumberOf = (reference: string) => `BL-${reference}`;

/** The QR text of a receipt: dossier code, procedure code, applicant ID, receipt number. */
export function receiptQrText(r: Pick<ReceiptInput, 'dossierCode' | 'procedureCode' | 'applicantId' | 'receiptNo'>): string {
  return [`HS:${r.dossierCode}`, `TTHC:${r.procedureCode}`, `ID:${r.applicantId}`, `BL:${r.receiptNo}`].join('|');
}

export function renderReceipt(r: ReceiptInput): Promise<Buffer> {
  return renderPdf(
    {
      title: `Biên lai thu phí, lệ phí ${r.receiptNo}`,
      subject: `Hồ sơ ${r.dossierCode}`,
      keywords: [r.receiptNo, r.dossierCode, r.reference],
      createdAt: r.paidAt,
      qr: receiptQrText(r),
      header: { parentName: 'UBND TỈNH NINH BÌNH', agencyName: r.agencyName, documentNumber: `Số: ${r.receiptNo}`, place: 'Ninh Bình', date: r.paidAt },
    },
    (w) => {
      w.title('BIÊN LAI THU PHÍ, LỆ PHÍ');
      w.paragraph('(Biên lai điện tử)');
      w.space();
      w.field('Số biên lai', r.receiptNo);
      w.field('Mã hồ sơ', r.dossierCode);
      w.field('Thủ tục', `${r.procedureName} (${r.procedureCode})`);
      w.field('Người nộp', r.applicantName);
      w.field('Số định danh cá nhân', r.applicantId);
      w.space();
      w.table(
        ['Nội dung thu', 'Số lượng', 'Đơn giá (đồng)', 'Thành tiền (đồng)'],
        r.lines.map((l) => [l.name, l.quantity, formatDong(l.unitAmount), formatDong(l.amount)]),
        [0.52, 0.12, 0.18, 0.18],
        9,
      );
      w.field('Tổng số tiền', `${formatDong(r.amount)} đồng`);
      w.field('Bằng chữ', amountInWords(r.amount));
      w.field('Hình thức thanh toán', 'Chuyển khoản qua mã VietQR');
      w.field('Mã tham chiếu', r.reference);
      w.field('Mã giao dịch ngân hàng', r.transactionId ?? '');
      w.field('Thời điểm thanh toán', formatVnDateTime(r.paidAt));
      w.field('Đơn vị thu', `${r.accountName}, tài khoản ${r.accountNo} tại ${r.bankName}`);
      w.space();
      w.paragraph('Biên lai điện tử do Tỉnh Số lập tự động khi ngân hàng xác nhận giao dịch; có giá trị như biên lai giấy.', { size: 9 });
    },
  );
}
