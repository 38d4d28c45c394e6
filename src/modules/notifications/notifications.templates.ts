/**
 * Vietnamese message templates for email and SMS (pure: no I/O, no clock).
 *
 * Email: plain text in NFC with diacritics, a subject line and a body.
 * SMS: one single-part message in the GSM 03.38 basic alphabet, at most 160 characters, written
 * without diacritics ("không dấu"). A Unicode SMS carries only 70 characters per part (67 when
 * concatenated), so an accented message of the same content would cost three parts; unaccented
 * text is what Vietnamese brandname SMS customarily uses, it reaches every handset and costs one
 * part. The SMS says what happened and where to look; details (reasons, amounts owed, links) go
 * in the email and on the portal.
 */
import { formatVnDateTime } from '../../platform/time.ts';

export const TEMPLATE_KEYS = [
  'submitted',
  'received',
  'supplement_requested',
  'payment_requested',
  'payment_confirmed',
  'result_ready',
  'late_apology',
  'refused',
  'stopped',
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

export interface TemplateInput {
  /** The dossier code (mã hồ sơ). */
  code: string;
  procedureName: string;
  applicantName: string;
  /** The receiving agency (for "submitted"). */
  agencyName?: string | null | undefined;
  /** Due date of the result (received; late_apology: the new date). */
  dueAt?: Date | null | undefined;
  /** The reason given by the officer (supplement, refusal, stop, extension). */
  reason?: string | null | undefined;
  /** Amount to pay, in đồng. */
  amount?: number | null | undefined;
  /** The payment reference to write in the bank transfer. */
  paymentReference?: string | null | undefined;
  /** When the payment is due. */
  paymentDueAt?: Date | null | undefined;
  /** A link to the dossier on the portal. */
  link?: string | null | undefined;
}

export interface EmailMessage {
  subject: string;
  text: string;
}

/** Which template, if any, a workflow action sends to the applicant by email and SMS. */
export function templateForAction(action: string): TemplateKey | null {
  switch (action) {
    case 'submit':
      return 'submitted';
    case 'receive':
      return 'received';
    case 'request_supplement':
      return 'supplement_requested';
    case 'request_payment':
      return 'payment_requested';
    case 'confirm_payment':
      return 'payment_confirmed';
    case 'approve':
      return 'result_ready';
    case 'extend':
      return 'late_apology';
    case 'refuse':
      return 'refused';
    case 'stop':
      return 'stopped';
    default:
      // assign, forward: internal steps; supplement, withdraw: the applicant's own doing;
      // return_result: the applicant is holding the result.
      return null;
  }
}

/** 1234567 → "1.234.567" (Vietnamese thousands separator). */
export function formatDong(amount: number): string {
  const s = String(Math.trunc(Math.abs(amount)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return amount < 0 ? `-${grouped}` : grouped;
}

const FOOTER =
  'Thư này được gửi tự động từ hệ thống dịch vụ công Tỉnh Số; vui lòng không trả lời thư này.\n' +
  'Nếu cần hỗ trợ, ông/bà liên hệ Trung tâm Phục vụ hành chính công nơi đã nộp hồ sơ.';

/** The email for one template: subject and plain-text body, NFC. */
export function renderEmail(key: TemplateKey, input: TemplateInput): EmailMessage {
  const { code } = input;
  const due = input.dueAt ? formatVnDateTime(input.dueAt) : null;
  const reason = input.reason?.trim() ? input.reason.trim() : null;
  const lines: string[] = [];
  let subject: string;
  switch (key) {
    case 'submitted':
      subject = `Hồ sơ ${code} đã được nộp`;
      lines.push(
        `Hồ sơ ${code} (${input.procedureName}) đã được gửi đến ${input.agencyName ?? 'cơ quan tiếp nhận'}.`,
        'Cơ quan sẽ kiểm tra và tiếp nhận hồ sơ; ông/bà sẽ nhận được thông báo khi hồ sơ được tiếp nhận, kèm ngày hẹn trả kết quả.',
      );
      break;
    case 'received':
      subject = `Hồ sơ ${code} đã được tiếp nhận`;
      lines.push(`Hồ sơ ${code} (${input.procedureName}) đã được tiếp nhận.`);
      lines.push(due ? `Ngày hẹn trả kết quả: ${due}.` : 'Cơ quan sẽ thông báo ngày hẹn trả kết quả.');
      break;
    case 'supplement_requested':
      subject = `Hồ sơ ${code} cần bổ sung giấy tờ`;
      lines.push(`Cơ quan giải quyết yêu cầu bổ sung, hoàn thiện hồ sơ ${code} (${input.procedureName}).`);
      if (reason) lines.push(`Nội dung cần bổ sung: ${reason}`);
      lines.push(
        'Thời gian chờ bổ sung không tính vào thời hạn giải quyết. Sau khi bổ sung, ông/bà gửi lại hồ sơ trên Cổng dịch vụ công hoặc tại bộ phận một cửa.',
      );
      break;
    case 'payment_requested':
      subject = `Hồ sơ ${code}: đề nghị nộp phí, lệ phí`;
      lines.push(
        input.amount != null
          ? `Đề nghị ông/bà nộp phí, lệ phí ${formatDong(input.amount)} đồng cho hồ sơ ${code} (${input.procedureName}).`
          : `Đề nghị ông/bà thực hiện nghĩa vụ tài chính (nộp phí, lệ phí) cho hồ sơ ${code} (${input.procedureName}).`,
      );
      if (input.paymentReference) lines.push(`Nội dung chuyển khoản: ${input.paymentReference}`);
      if (input.paymentDueAt) lines.push(`Hạn thanh toán: ${formatVnDateTime(input.paymentDueAt)}.`);
      if (reason) lines.push(`Ghi chú của cơ quan: ${reason}`);
      lines.push('Ông/bà có thể thanh toán trực tuyến bằng mã VietQR trên trang hồ sơ, hoặc nộp tại bộ phận một cửa.');
      break;
    case 'payment_confirmed':
      subject = `Hồ sơ ${code}: đã nhận thanh toán`;
      lines.push(
        input.amount != null
          ? `Cơ quan đã nhận khoản thanh toán ${formatDong(input.amount)} đ cho hồ sơ ${code} (${input.procedureName}).`
          : `Cơ quan đã nhận thanh toán phí, lệ phí cho hồ sơ ${code} (${input.procedureName}).`,
        'Hồ sơ tiếp tục được giải quyết. Biên lai điện tử có trên trang hồ sơ.',
      );
      break;
    case 'result_ready':
      subject = `Hồ sơ ${code} đã có kết quả`;
      lines.push(
        `Hồ sơ ${code} (${input.procedureName}) đã được giải quyết xong.`,
        'Mời ông/bà nhận kết quả theo hình thức đã đăng ký: tải bản điện tử trên Cổng dịch vụ công, hoặc nhận tại bộ phận một cửa.',
      );
      break;
    case 'late_apology':
      subject = `Hồ sơ ${code}: thư xin lỗi và hẹn lại ngày trả kết quả`;
      lines.push(`Cơ quan giải quyết thành thật xin lỗi ông/bà vì hồ sơ ${code} (${input.procedureName}) chưa có kết quả đúng hẹn.`);
      if (reason) lines.push(`Lý do: ${reason}`);
      lines.push(due ? `Ngày hẹn trả kết quả mới: ${due}.` : 'Cơ quan sẽ thông báo ngày hẹn trả kết quả mới.');
      break;
    case 'refused':
      subject = `Hồ sơ ${code} không được tiếp nhận`;
      lines.push(`Hồ sơ ${code} (${input.procedureName}) không được tiếp nhận.`);
      lines.push(reason ? `Lý do: ${reason}` : 'Lý do được ghi trên trang hồ sơ.');
      lines.push('Ông/bà có thể hoàn thiện và nộp lại hồ sơ mới.');
      break;
    case 'stopped':
      subject = `Hồ sơ ${code} đã dừng xử lý`;
      lines.push(`Cơ quan giải quyết đã dừng xử lý hồ sơ ${code} (${input.procedureName}).`);
      lines.push(reason ? `Lý do: ${reason}` : 'Lý do được ghi trên trang hồ sơ.');
      break;
  }
  const text = [
    `Kính gửi ông/bà ${input.applicantName},`,
    '',
    ...lines,
    '',
    ...(input.link ? [`Xem hồ sơ: ${input.link}`, ''] : []),
    `Mã hồ sơ để tra cứu: ${code}`,
    '',
    '--',
    FOOTER,
    '',
  ].join('\n');
  return { subject: `[Tỉnh Số] ${subject}`.normalize('NFC'), text: text.normalize('NFC') };
}

// ---------------------------------------------------------------------------------------------
// SMS

/** GSM 03.38 basic character set (one septet each). */
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
/** GSM 03.38 extension table (an escape plus one septet: two each). */
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** Length in GSM-7 septets, or null when a character is outside the GSM alphabet (the SMS would go as UCS-2). */
export function gsm7Length(s: string): number | null {
  let n = 0;
  for (const ch of s) {
    if (GSM_BASIC.has(ch)) n += 1;
    else if (GSM_EXTENDED.has(ch)) n += 2;
    else return null;
  }
  return n;
}

/** One single-part SMS: 160 septets. */
export const SMS_MAX = 160;

/**
 * Vietnamese text to the GSM basic alphabet: diacritics removed (đ → d), typographic quotes and
 * dashes to ASCII, anything else outside GSM to "?".
 */
export function toGsmText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\t\u00a0]/g, ' ')
    .split('')
    .map((ch) => (GSM_BASIC.has(ch) || GSM_EXTENDED.has(ch) ? ch : '?'))
    .join('');
}

/** Makes sure a text fits one SMS: converted to GSM and, if still too long, cut with "...". */
export function fitSms(s: string): string {
  const g = toGsmText(s);
  if ((gsm7Length(g) ?? Infinity) <= SMS_MAX) return g;
  let out = '';
  let n = 0;
  for (const ch of g) {
    const w = GSM_EXTENDED.has(ch) ? 2 : 1;
    if (n + w > SMS_MAX - 3) break;
    out += ch;
    n += w;
  }
  return `${out}...`;
}

/** dd/mm/yyyy hh:mm in Vietnam time, short for SMS. */
function smsDate(d: Date): string {
  const [time, date] = formatVnDateTime(d).split(' ');
  return `${date} ${time}`;
}

/** The SMS for one template: GSM-7, single part (≤ 160 septets), without diacritics. */
export function renderSms(key: TemplateKey, input: TemplateInput): string {
  const c = input.code;
  const due = input.dueAt ? smsDate(input.dueAt) : null;
  const amount = input.amount != null ? ` ${formatDong(input.amount)}d` : '';
  let body: string;
  switch (key) {
    case 'submitted':
      body = `Ho so ${c} da nop thanh cong, dang cho tiep nhan.`;
      break;
    case 'received':
      body = `Ho so ${c} da duoc tiep nhan.${due ? ` Hen tra ket qua: ${due}.` : ''}`;
      break;
    case 'supplement_requested':
      body = `Ho so ${c} can bo sung giay to. Xem noi dung can bo sung tren Cong DVC hoac email.`;
      break;
    case 'payment_requested':
      body = `Ho so ${c} can nop phi, le phi${amount}. Thanh toan bang VietQR tren Cong DVC hoac tai mot cua.`;
      break;
    case 'payment_confirmed':
      body = `Da nhan thanh toan${input.amount != null ? ` ${formatDong(input.amount)} d` : ''} cho ho so ${c}. Ho so tiep tuc duoc giai quyet.`;
      break;
    case 'result_ready':
      body = `Ho so ${c} da co ket qua. Moi ong/ba nhan ket qua tren Cong DVC hoac tai mot cua.`;
      break;
    case 'late_apology':
      body = `Xin loi ong/ba: ho so ${c} chua co ket qua dung hen.${due ? ` Hen tra moi: ${due}.` : ''}`;
      break;
    case 'refused':
      body = `Ho so ${c} khong duoc tiep nhan. Xem ly do tren Cong DVC hoac email.`;
      break;
    case 'stopped':
      body = `Ho so ${c} da dung xu ly. Xem ly do tren Cong DVC hoac email.`;
      break;
  }
  return fitSms(`TinhSo: ${body}`);
}
