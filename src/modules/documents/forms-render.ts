/**
 * The forms of Circular 03/2025/TT-VPCP drawn as PDF (DOMAIN section 4). Pure rendering from
 * plain data (documents.service.ts loads it), so the bench and the unit tests call it directly.
 * Field lists follow the circular's templates; wording is kept as data here so it can be
 * reviewed in one place.
 */
import { formatDay, formatVnDateTime } from '../../platform/time.ts';
import { renderPdf, type PdfWriter } from '../../platform/pdf.ts';
import { STATUS_NAMES_VI, type DossierStatus } from '../dossiers/dossier-workflow.ts';
import { ACTION_NAMES_VI, durationText, FORM_TITLES, formQrPayload, ROLE_NAMES_VI, timeliness, type DossierFormCode } from './forms.ts';

export interface FormAgency {
  code: string;
  name: string;
  /** The governing body printed above the agency name. */
  parentName: string | null;
}

export interface FormHistoryEntry {
  at: Date;
  action: string;
  actorName: string | null;
  actorRole: string;
  fromStatus: string | null;
  toStatus: string;
  note: string | null;
  data: Record<string, unknown>;
}

export interface FormApplicant {
  type: 'citizen' | 'organisation';
  fullName: string;
  idNumber: string;
  taxCode?: string | undefined;
  organisationName?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  address?: { unitCode: string; detail: string } | undefined;
}

export interface FormDossierData {
  code: string;
  procedureCode: string;
  procedureName: string;
  status: string;
  channel: string;
  applicant: FormApplicant;
  /** The applicant's address as printed (detail and unit name), if known. */
  addressText: string | null;
  submittedAt: Date | null;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  duration: { value: number; unit: string };
  resultDelivery: string;
  /** The components received, with the procedure's form (original/copy) and copies. */
  components: { name: string; form: string; copies: number; files: number }[];
  receiving: FormAgency;
  competent: FormAgency;
  history: FormHistoryEntry[];
  /** When each workflow step should be finished (empty before reception). */
  stepDeadlines: Date[];
}

export interface FormContext {
  /** Place printed before the date ("Ninh Bình"). */
  place: string;
  now: Date;
}

/** The applicant's ID printed and put in the QR: the tax code of an organisation, else the personal ID number. */
export function applicantIdOf(a: FormApplicant): string {
  return a.type === 'organisation' && a.taxCode ? a.taxCode : a.idNumber;
}

const dt = (d: Date | null | undefined): string => (d ? formatVnDateTime(d) : '—');
const COPY_FORM: Record<string, string> = { original: 'Bản chính', copy: 'Bản sao', original_or_copy: 'Bản chính hoặc bản sao' };
const CHANNELS: Record<string, string> = { online: 'Trực tuyến', in_person: 'Trực tiếp', post: 'Qua dịch vụ bưu chính công ích' };

function last(history: FormHistoryEntry[], action: string): FormHistoryEntry | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.action === action) return history[i];
  return undefined;
}

function applicantBlock(w: PdfWriter, d: FormDossierData): void {
  const a = d.applicant;
  if (a.type === 'organisation') {
    w.field('Tên tổ chức', a.organisationName ?? a.fullName);
    w.field('Mã số thuế', a.taxCode ?? '');
    w.field('Người đại diện', a.fullName);
  } else {
    w.field('Ông/Bà', a.fullName);
  }
  w.field('Số định danh cá nhân', a.idNumber);
  if (d.addressText) w.field('Địa chỉ', d.addressText);
  w.field('Số điện thoại', a.phone ?? '');
  w.field('Thư điện tử', a.email ?? '');
}

function form01(w: PdfWriter, d: FormDossierData): void {
  const receiver = last(d.history, 'receive');
  w.title('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
  w.subtitle(`Mã hồ sơ: ${d.code}`);
  w.space();
  w.paragraph(`${d.receiving.name} đã tiếp nhận hồ sơ của:`);
  applicantBlock(w, d);
  w.field('Nội dung yêu cầu giải quyết', `${d.procedureName} (mã thủ tục ${d.procedureCode})`);
  w.field('Kênh nộp hồ sơ', CHANNELS[d.channel] ?? d.channel);
  w.paragraph('1. Thành phần hồ sơ nộp gồm:', { bold: true });
  w.table(
    ['STT', 'Tên giấy tờ', 'Hình thức', 'Số lượng'],
    d.components.map((c, i) => [i + 1, c.name, COPY_FORM[c.form] ?? c.form, c.copies]),
    [0.08, 0.6, 0.2, 0.12],
    9,
  );
  w.paragraph('2. Số lượng hồ sơ: 01 (bộ)', { bold: true });
  w.field('3. Thời gian giải quyết hồ sơ theo quy định', durationText(d.duration));
  w.field('4. Thời gian nhận hồ sơ', dt(d.receivedAt));
  w.field('5. Thời gian trả kết quả giải quyết hồ sơ', dt(d.dueAt));
  w.field('6. Nơi trả kết quả', `${d.receiving.name}. ${d.resultDelivery}`);
  w.field('7. Cơ quan giải quyết', d.competent.name);
  w.paragraph('Vào sổ theo dõi hồ sơ, Quyển số: 01. Số thứ tự: theo mã hồ sơ.', { italic: true });
  w.signatures([
    { role: 'NGƯỜI NỘP HỒ SƠ', name: d.applicant.fullName },
    { role: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: receiver?.actorName ?? null },
  ]);
}

function form02(w: PdfWriter, d: FormDossierData): void {
  const req = last(d.history, 'request_supplement');
  w.title('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
  w.subtitle(`Hồ sơ của: ${d.applicant.organisationName ?? d.applicant.fullName}`);
  w.space();
  w.field('Mã hồ sơ', d.code);
  w.field('Nội dung yêu cầu giải quyết', `${d.procedureName} (mã thủ tục ${d.procedureCode})`);
  w.field('Thời gian yêu cầu', dt(req?.at ?? null));
  w.paragraph(`Sau khi xem xét hồ sơ, đề nghị Ông/Bà ${d.applicant.fullName} bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:`);
  w.paragraph(req?.note ?? '', { bold: true });
  w.paragraph(
    'Lý do: hồ sơ chưa đầy đủ hoặc chưa hợp lệ theo quy định. Thời gian bổ sung hồ sơ không tính vào thời hạn giải quyết. ' +
      'Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ ' +
      `${d.receiving.name} để được hướng dẫn.`,
  );
  w.signatures([{ role: 'NGƯỜI HƯỚNG DẪN', name: req?.actorName ?? null }]);
}

function form03(w: PdfWriter, d: FormDossierData): void {
  const refusal = last(d.history, 'refuse');
  w.title('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
  w.space();
  w.paragraph(`${d.receiving.name} tiếp nhận hồ sơ của:`);
  applicantBlock(w, d);
  w.field('Mã hồ sơ', d.code);
  w.field('Nội dung yêu cầu giải quyết', `${d.procedureName} (mã thủ tục ${d.procedureCode})`);
  w.paragraph('Qua xem xét, cơ quan, đơn vị thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:');
  w.paragraph(refusal?.note ?? '', { bold: true });
  w.field('Thời gian', dt(refusal?.at ?? null));
  w.paragraph('Xin thông báo để Ông/Bà được biết và thực hiện.');
  w.signatures([{ role: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: refusal?.actorName ?? null }]);
}

function form04(w: PdfWriter, d: FormDossierData): void {
  const ext = last(d.history, 'extend');
  const previous = typeof ext?.data.previousDueAt === 'string' ? new Date(ext.data.previousDueAt) : null;
  const next = typeof ext?.data.newDueAt === 'string' ? new Date(ext.data.newDueAt) : d.dueAt;
  w.title('PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
  w.space();
  w.paragraph(
    `Ngày ${dt(d.receivedAt)}, ${d.receiving.name} tiếp nhận hồ sơ mã số ${d.code} của Ông/Bà ${d.applicant.organisationName ?? d.applicant.fullName} ` +
      `đề nghị giải quyết thủ tục hành chính: ${d.procedureName} (mã thủ tục ${d.procedureCode}).`,
  );
  w.field('Thời gian hẹn trả kết quả giải quyết hồ sơ', dt(previous));
  w.paragraph(
    'Tuy nhiên đến nay, cơ quan, đơn vị chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả. Lý do:',
  );
  w.paragraph(ext?.note ?? '', { bold: true });
  w.paragraph('Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Cơ quan, đơn vị thành thật xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả:');
  w.field('Thời gian trả kết quả mới', dt(next));
  w.paragraph('Cơ quan, đơn vị xin trân trọng thông báo để Ông/Bà được biết.');
  w.signatures([{ role: 'THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ', hint: '(Ký, ghi rõ họ tên, đóng dấu)', name: ext?.actorName ?? null }]);
}

function form05(w: PdfWriter, d: FormDossierData): void {
  const stop = last(d.history, 'stop');
  w.title('THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ');
  w.space();
  w.paragraph(`Kính gửi: Ông/Bà ${d.applicant.organisationName ?? d.applicant.fullName}.`, { bold: true });
  w.paragraph(
    `Ngày ${dt(d.receivedAt)}, ${d.receiving.name} tiếp nhận hồ sơ mã số ${d.code} đề nghị giải quyết thủ tục hành chính: ` +
      `${d.procedureName} (mã thủ tục ${d.procedureCode}).`,
  );
  w.paragraph(`${d.competent.name} thông báo dừng xử lý hồ sơ nêu trên kể từ ${dt(stop?.at ?? d.finishedAt)}. Lý do:`);
  w.paragraph(stop?.note ?? '', { bold: true });
  w.paragraph('Hồ sơ và các giấy tờ kèm theo được trả lại theo quy định. Xin thông báo để Ông/Bà được biết.');
  w.signatures([{ role: 'THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ', hint: '(Ký, ghi rõ họ tên, đóng dấu)', name: stop?.actorName ?? null }]);
}

function form06(w: PdfWriter, d: FormDossierData): void {
  w.title('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
  w.subtitle(`Mã hồ sơ: ${d.code}`);
  w.space();
  w.field('Người nộp', d.applicant.organisationName ?? d.applicant.fullName);
  w.field('Thủ tục', `${d.procedureName} (mã thủ tục ${d.procedureCode})`);
  w.field('Cơ quan tiếp nhận', d.receiving.name);
  w.field('Cơ quan giải quyết', d.competent.name);
  w.field('Thời gian nhận hồ sơ', dt(d.receivedAt));
  w.field('Thời gian hẹn trả kết quả', dt(d.dueAt));
  w.field('Trạng thái hiện tại', STATUS_NAMES_VI[d.status as DossierStatus] ?? d.status);
  w.space(0.4);
  // A step's hand-over (forward, approve) is judged by that step's own deadline; the rest by the due date.
  const handOverDeadlines: (Date | null)[] = [];
  let step: number | null = null;
  for (const h of d.history) {
    let deadline: Date | null = null;
    if (h.action === 'assign' && step === null) step = 0;
    else if ((h.action === 'forward' || h.action === 'approve') && step !== null) {
      deadline = d.stepDeadlines[step] ?? null;
      if (h.action === 'forward') step++;
    }
    handOverDeadlines.push(deadline);
  }
  w.table(
    ['STT', 'Thời gian', 'Nội dung', 'Người thực hiện', 'Chuyển trạng thái', 'Kết quả', 'Ghi chú'],
    d.history.map((h, i) => [
      i + 1,
      formatVnDateTime(h.at),
      ACTION_NAMES_VI[h.action] ?? h.action,
      [h.actorName, ROLE_NAMES_VI[h.actorRole] ?? h.actorRole].filter(Boolean).join(' — '),
      `${h.fromStatus ? (STATUS_NAMES_VI[h.fromStatus as DossierStatus] ?? h.fromStatus) : '—'} → ${STATUS_NAMES_VI[h.toStatus as DossierStatus] ?? h.toStatus}`,
      d.receivedAt && h.at >= d.receivedAt ? timeliness(h.at, handOverDeadlines[i] ?? d.dueAt) : '',
      h.note ?? '',
    ]),
    [0.05, 0.13, 0.16, 0.18, 0.2, 0.1, 0.18],
    7.5,
  );
}

const BODY: Record<DossierFormCode, (w: PdfWriter, d: FormDossierData) => void> = {
  '01': form01,
  '02': form02,
  '03': form03,
  '04': form04,
  '05': form05,
  '06': form06,
};

/** One form of one dossier as PDF bytes. */
export function renderDossierForm(form: DossierFormCode, d: FormDossierData, ctx: FormContext): Promise<Buffer> {
  const issuer = form === '04' || form === '05' ? d.competent : d.receiving;
  return renderPdf(
    {
      title: `${FORM_TITLES[form]} — ${d.code}`,
      subject: `Mẫu số ${form} (Thông tư 03/2025/TT-VPCP)`,
      author: issuer.name,
      keywords: ['Thông tư 03/2025/TT-VPCP', `mẫu ${form}`, d.code, d.procedureCode],
      createdAt: ctx.now,
      qr: formQrPayload(form, d.code, d.procedureCode, applicantIdOf(d.applicant)),
      header: { parentName: issuer.parentName, agencyName: issuer.name, documentNumber: `Mẫu số ${form}`, place: ctx.place, date: ctx.now },
    },
    (w) => BODY[form](w, d),
  );
}

export interface RegisterRow {
  code: string;
  procedureName: string;
  applicantName: string;
  applicantContact: string;
  competentName: string;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  status: string;
  note: string;
}

/** Form 07, the dossier register of a unit for a period (landscape, one row per dossier). */
export function renderRegister(input: { agency: FormAgency; from: string; to: string; rows: RegisterRow[] }, ctx: FormContext): Promise<Buffer> {
  return renderPdf(
    {
      title: `${FORM_TITLES['07']} — ${input.agency.name} — ${formatDay(input.from)} đến ${formatDay(input.to)}`,
      subject: 'Mẫu số 07 (Thông tư 03/2025/TT-VPCP)',
      author: input.agency.name,
      keywords: ['Thông tư 03/2025/TT-VPCP', 'mẫu 07', input.agency.code],
      createdAt: ctx.now,
      layout: 'landscape',
      qr: JSON.stringify({ v: 1, mau: '07', donVi: input.agency.code, tuNgay: input.from, denNgay: input.to, soHoSo: input.rows.length }),
      header: { parentName: input.agency.parentName, agencyName: input.agency.name, documentNumber: 'Mẫu số 07', place: ctx.place, date: ctx.now },
    },
    (w) => {
      w.title('SỔ THEO DÕI HỒ SƠ');
      w.subtitle(`Từ ngày ${formatDay(input.from)} đến ngày ${formatDay(input.to)} — ${input.rows.length} hồ sơ`);
      w.space(0.4);
      w.table(
        [
          'STT',
          'Mã hồ sơ',
          'Tên thủ tục hành chính',
          'Số lượng hồ sơ',
          'Tên cá nhân, tổ chức',
          'Địa chỉ, số điện thoại',
          'Cơ quan chủ trì giải quyết',
          'Nhận hồ sơ',
          'Hẹn trả kết quả',
          'Hoàn thành',
          'Trả kết quả',
          'Ghi chú',
        ],
        input.rows.map((r, i) => [
          i + 1,
          r.code,
          r.procedureName,
          '01',
          r.applicantName,
          r.applicantContact,
          r.competentName,
          dt(r.receivedAt),
          dt(r.dueAt),
          dt(r.finishedAt),
          dt(r.returnedAt),
          [STATUS_NAMES_VI[r.status as DossierStatus] ?? r.status, r.note].filter(Boolean).join('. '),
        ]),
        [0.03, 0.135, 0.12, 0.04, 0.09, 0.1, 0.1, 0.07, 0.07, 0.07, 0.07, 0.105],
        6.5,
      );
    },
  );
}
