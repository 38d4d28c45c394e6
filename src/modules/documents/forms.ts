/**
 * Which official forms of Circular 03/2025/TT-VPCP a dossier has, and what their QR holds
 * (DOMAIN section 4). Pure: the staff and citizen pages list them, the API serves them.
 */

export const FORM_CODES = ['01', '02', '03', '04', '05', '06', '07'] as const;
export type FormCode = (typeof FORM_CODES)[number];
/** The forms of one dossier (07, the register, covers a unit and period). */
export const DOSSIER_FORMS = ['01', '02', '03', '04', '05', '06'] as const;
export type DossierFormCode = (typeof DOSSIER_FORMS)[number];

export const FORM_TITLES: Record<FormCode, string> = {
  '01': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  '02': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  '03': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  '04': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  '05': 'Thông báo dừng xử lý hồ sơ',
  '06': 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
  '07': 'Sổ theo dõi hồ sơ',
};

export const isDossierForm = (v: string): v is DossierFormCode => (DOSSIER_FORMS as readonly string[]).includes(v);

/** The history action that makes each form exist (06 exists once the dossier has a code). */
const FORM_ACTION: Record<Exclude<DossierFormCode, '06'>, string> = {
  '01': 'receive',
  '02': 'request_supplement',
  '03': 'refuse',
  '04': 'extend',
  '05': 'stop',
};

export interface FormDossier {
  code: string | null;
  receivedAt?: Date | string | null;
}

export interface AvailableForm {
  form: DossierFormCode;
  title: string;
}

/**
 * The forms available for a dossier, in form order: 01 once received, 02 after a supplement
 * request, 03 after a refusal, 04 after an extension, 05 after a stop, 06 at any time once the
 * dossier has a code (a draft has none). Nothing for a draft.
 */
export function availableForms(dossier: FormDossier, history: readonly { action: string }[]): AvailableForm[] {
  if (!dossier.code) return [];
  const actions = new Set(history.map((h) => h.action));
  const out: AvailableForm[] = [];
  for (const form of DOSSIER_FORMS) {
    const ok = form === '06' ? true : form === '01' ? actions.has('receive') || !!dossier.receivedAt : actions.has(FORM_ACTION[form]);
    if (ok) out.push({ form, title: FORM_TITLES[form] });
  }
  return out;
}

/**
 * The QR content of an official form (Circular 01/2023/TT-VPCP: at least the dossier code, the
 * procedure code and the applicant's ID): compact JSON with keys in this order:
 * `{"v":1,"mau":"01","maHoSo":"…","maTTHC":"…","soDinhDanh":"…"}` (docs/DOCUMENTS.md).
 */
export function formQrPayload(form: FormCode, dossierCode: string, procedureCode: string, applicantId: string): string {
  return JSON.stringify({ v: 1, mau: form, maHoSo: dossierCode, maTTHC: procedureCode, soDinhDanh: applicantId });
}

/** Parses a form QR back (for tests and scanners); null when it is not one of ours. */
export function parseFormQr(text: string): { form: FormCode; dossierCode: string; procedureCode: string; applicantId: string } | null {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (o.v !== 1 || typeof o.mau !== 'string' || !(FORM_CODES as readonly string[]).includes(o.mau)) return null;
    if (typeof o.maHoSo !== 'string' || typeof o.maTTHC !== 'string' || typeof o.soDinhDanh !== 'string') return null;
    return { form: o.mau as FormCode, dossierCode: o.maHoSo, procedureCode: o.maTTHC, applicantId: o.soDinhDanh };
  } catch {
    return null;
  }
}

/** Vietnamese names of history actions, for form 06. */
export const ACTION_NAMES_VI: Record<string, string> = {
  create: 'Tạo hồ sơ',
  submit: 'Nộp hồ sơ',
  receive: 'Tiếp nhận hồ sơ',
  refuse: 'Từ chối tiếp nhận',
  assign: 'Phân công xử lý',
  forward: 'Chuyển bước xử lý',
  request_supplement: 'Yêu cầu bổ sung hồ sơ',
  supplement: 'Bổ sung hồ sơ',
  update: 'Sửa thông tin hồ sơ',
  attach_file: 'Thêm giấy tờ',
  reuse_file: 'Dùng lại giấy tờ đã nộp',
  remove_file: 'Bỏ giấy tờ',
  request_payment: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  confirm_payment: 'Xác nhận đã nộp phí, lệ phí',
  approve: 'Phê duyệt kết quả',
  return_result: 'Trả kết quả',
  extend: 'Gia hạn, hẹn lại ngày trả',
  stop: 'Dừng xử lý',
  withdraw: 'Rút hồ sơ',
  rate: 'Đánh giá mức độ hài lòng',
};

export const ROLE_NAMES_VI: Record<string, string> = {
  applicant: 'Người nộp hồ sơ',
  reception: 'Bộ phận một cửa',
  specialist: 'Chuyên viên',
  leader: 'Lãnh đạo',
  system: 'Hệ thống',
};

/** "Trước hạn" / "Đúng hạn" / "Quá hạn" for a step finished at `at` against a due time. */
export function timeliness(at: Date, dueAt: Date | null): string {
  if (!dueAt) return '';
  if (at.getTime() > dueAt.getTime()) return 'Quá hạn';
  return at.getTime() < dueAt.getTime() - 24 * 3600_000 ? 'Trước hạn' : 'Đúng hạn';
}

/** The processing-time units in words, one per procedure duration unit (the legal clock counts working hours). */
const DURATION_UNITS_VI: Record<'hours' | 'days' | 'working_days' | 'months', string> = {
  hours: 'giờ làm việc',
  days: 'ngày',
  working_days: 'ngày làm việc',
  months: 'tháng',
};
const viNumber = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

/** A processing time as printed: "1 ngày làm việc", "15 ngày", "3 tháng", "0,5 ngày làm việc". */
export function durationText(d: { value: number; unit: string }): string {
  const unit = Object.hasOwn(DURATION_UNITS_VI, d.unit) ? DURATION_UNITS_VI[d.unit as keyof typeof DURATION_UNITS_VI] : d.unit;
  return `${viNumber.format(d.value)} ${unit}`;
}
