// Demo procedure catalogue for the new Ninh Bình province. Pure data: no I/O. All text is NFC.
//
// [config] This is catalogue data, not law in code: an administrator edits it and publishes new
// versions by decision (quyết định công bố). In particular:
// - National procedure codes: 1.001193 (đăng ký khai sinh), 1.000894 (đăng ký kết hôn) and
//   1.000656 (đăng ký khai tử) are believed to match the national catalogue; every other code
//   is a plausible ILLUSTRATIVE value in the national 'X.00XXXX' shape.
// - Processing times, fees and charges follow the usual national texts, but many charges are
//   set by the provincial People's Council (HĐND tỉnh): amounts marked "[config]" in a comment
//   are illustrative.
// - Commune-tier procedures name the People's Committee of phường Nam Định as their competent
//   agency: each commune committee decides for its own territory, so a dossier generator may
//   substitute the committee of the applicant's commune (agencies of kind 'commune_committee').

import { demoAgencies, PROVINCIAL_CENTRE_CODE } from './reference.ts';

export type DurationUnit = 'hours' | 'days' | 'working_days' | 'months';
export type FormFieldType = 'text' | 'textarea' | 'number' | 'date' | 'select' | 'checkbox' | 'email' | 'phone' | 'id_number' | 'tax_code' | 'unit_code';
export interface FormField {
  key: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
  pattern?: string;
  help?: string;
  /** Date fields: `past` = today or earlier, `future` = today or later (procedures.schemas.ts). */
  dateRange?: 'past' | 'future';
}
export interface DemoProcedure {
  code: string; // national TTHC code, e.g. '1.001193'
  name: string;
  fieldCode: string; // one of demoFields
  tier: 'province' | 'commune'; // competence level
  competentAgencyCode: string; // the agency that decides (a department for province tier; the commune committee for commune tier)
  receivingAgencyCodes: string[]; // service centres that receive it: the provincial centre receives ALL procedures; commune centres also receive commune-tier ones
  onlineLevel: 'full' | 'partial';
  channels: ('in_person' | 'online' | 'post')[];
  applicantTypes: ('citizen' | 'organisation')[];
  duration: { value: number; unit: DurationUnit };
  steps: string; // trình tự thực hiện, plain text
  eligibility: string; // đối tượng thực hiện
  resultKind: 'paper' | 'electronic' | 'both';
  resultDescription: string; // e.g. 'Giấy khai sinh (bản chính)'
  resultDelivery: string; // where/how the result is returned
  legalBasis: string[]; // căn cứ pháp lý
  fees: {
    code: string;
    name: string;
    amount: number /* integer đồng */;
    perFormField?: string /* multiply by this number field's value, e.g. copies */;
  }[];
  components: {
    code: string;
    name: string;
    form: 'original' | 'copy' | 'original_or_copy';
    copies: number;
    required: boolean;
    note?: string;
  }[];
  form: FormField[];
  workflow: { key: string; name: string; role: 'specialist' | 'leader'; share: number }[]; // steps after receipt, shares sum to 1 (e.g. review 0.7, approval 0.3)
  popularity: number; // relative demand weight used to generate demo dossiers (higher = more common)
}

export type DemoFee = DemoProcedure['fees'][number];
export type DemoComponent = DemoProcedure['components'][number];
export type DemoWorkflowStep = DemoProcedure['workflow'][number];

// ---------------------------------------------------------------------------------------------
// Agencies
// ---------------------------------------------------------------------------------------------

/**
 * Every service centre, the provincial one first: provincial and commune centres receive any
 * procedure of the province, whatever the applicant's commune (Decree 118/2025, DOMAIN section 1).
 */
const ALL_CENTRES: string[] = [
  PROVINCIAL_CENTRE_CODE,
  ...demoAgencies.filter((a) => a.kind === 'service_centre' && a.code !== PROVINCIAL_CENTRE_CODE).map((a) => a.code),
];
/** Commune-tier procedures: every centre receives them (the commune's committee decides). */
const COMMUNE_RECEIVERS = ALL_CENTRES;
/** Province-tier procedures: every centre receives them too (the department decides). */
const PROVINCE_RECEIVERS = ALL_CENTRES;
const COMMUNE_COMMITTEE = 'UBND-13669';

// ---------------------------------------------------------------------------------------------
// Small builders (they return fresh objects, so no two procedures share a mutable value)
// ---------------------------------------------------------------------------------------------

const ID_NUMBER_PATTERN = '^[0-9]{12}$';
const TAX_CODE_PATTERN = '^[0-9]{10}([0-9]{3})?$';
const PHONE_PATTERN = '^0[0-9]{9,10}$'; // a mobile (10 digits) or a landline (11, starting 02)
const UNIT_CODE_PATTERN = '^[0-9]{5}$';

function text(key: string, label: string, required = true, help?: string): FormField {
  return help === undefined ? { key, label, type: 'text', required } : { key, label, type: 'text', required, help };
}
function textarea(key: string, label: string, required = true): FormField {
  return { key, label, type: 'textarea', required };
}
function num(key: string, label: string, min: number, max: number, required = true, help?: string): FormField {
  const f: FormField = { key, label, type: 'number', required, min, max };
  if (help !== undefined) f.help = help;
  return f;
}
/**
 * No format hint: the page shows a date picker and the API takes YYYY-MM-DD (form-validation.ts).
 * `range`: events that already happened (births, deaths, decisions) are `past`; dates announced
 * ahead (a suspension's start and end) are `future`.
 */
function date(key: string, label: string, range: 'past' | 'future', required = true): FormField {
  return { key, label, type: 'date', required, dateRange: range };
}
function select(key: string, label: string, options: [value: string, label: string][], required = true): FormField {
  return { key, label, type: 'select', required, options: options.map(([value, l]) => ({ value, label: l })) };
}
function checkbox(key: string, label: string): FormField {
  return { key, label, type: 'checkbox', required: true };
}
function email(key = 'email', label = 'Thư điện tử', required = false): FormField {
  return { key, label, type: 'email', required };
}
function phone(key = 'so_dien_thoai', label = 'Số điện thoại', required = true): FormField {
  return { key, label, type: 'phone', required, pattern: PHONE_PATTERN };
}
function idNumber(key = 'so_dinh_danh', label = 'Số định danh cá nhân (CCCD)', required = true): FormField {
  return { key, label, type: 'id_number', required, pattern: ID_NUMBER_PATTERN, help: '12 chữ số' };
}
function taxCode(key = 'ma_so_thue', label = 'Mã số thuế', required = true): FormField {
  return { key, label, type: 'tax_code', required, pattern: TAX_CODE_PATTERN, help: '10 chữ số, hoặc 13 chữ số đối với đơn vị phụ thuộc' };
}
function unitCode(key: string, label: string, required = true): FormField {
  return { key, label, type: 'unit_code', required, pattern: UNIT_CODE_PATTERN, help: 'Xã, phường, đặc khu (mã 5 chữ số)' };
}
function commitment(): FormField {
  return checkbox('cam_ket', 'Tôi xin cam đoan nội dung khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật');
}

function comp(code: string, name: string, form: DemoComponent['form'], required = true, note?: string, copies = 1): DemoComponent {
  const c: DemoComponent = { code, name, form, copies, required };
  if (note !== undefined) c.note = note;
  return c;
}
function fee(code: string, name: string, amount: number, perFormField?: string): DemoFee {
  return perFormField === undefined ? { code, name, amount } : { code, name, amount, perFormField };
}

function communeFlow(): DemoWorkflowStep[] {
  return [
    { key: 'xu_ly', name: 'Công chức chuyên môn cấp xã xem xét, xử lý hồ sơ', role: 'specialist', share: 0.7 },
    { key: 'phe_duyet', name: 'Lãnh đạo Ủy ban nhân dân cấp xã ký duyệt kết quả', role: 'leader', share: 0.3 },
  ];
}
function quickFlow(): DemoWorkflowStep[] {
  return [
    { key: 'xu_ly', name: 'Người thực hiện chứng thực kiểm tra giấy tờ', role: 'specialist', share: 0.6 },
    { key: 'ky_chung_thuc', name: 'Lãnh đạo ký chứng thực, đóng dấu', role: 'leader', share: 0.4 },
  ];
}
function departmentFlow(): DemoWorkflowStep[] {
  return [
    { key: 'tham_dinh', name: 'Chuyên viên phòng chuyên môn thẩm định hồ sơ', role: 'specialist', share: 0.6 },
    { key: 'kiem_tra', name: 'Lãnh đạo phòng chuyên môn kiểm tra, trình ký', role: 'leader', share: 0.2 },
    { key: 'phe_duyet', name: 'Lãnh đạo Sở phê duyệt, ký kết quả', role: 'leader', share: 0.2 },
  ];
}
function landFlow(approver: string): DemoWorkflowStep[] {
  return [
    { key: 'tham_dinh', name: 'Văn phòng đăng ký đất đai thẩm định, cập nhật hồ sơ địa chính', role: 'specialist', share: 0.5 },
    { key: 'nghia_vu_tai_chinh', name: 'Xác định nghĩa vụ tài chính (phối hợp cơ quan thuế)', role: 'specialist', share: 0.2 },
    { key: 'phe_duyet', name: approver, role: 'leader', share: 0.3 },
  ];
}

const DELIVERY_ANY = 'Tại Bộ phận Một cửa nơi nộp hồ sơ, qua dịch vụ bưu chính công ích, hoặc bản điện tử qua tài khoản trên Cổng Dịch vụ công quốc gia';
const DELIVERY_DESK = 'Tại Bộ phận Một cửa nơi nộp hồ sơ';
const DELIVERY_DESK_OR_POST = 'Tại Bộ phận Một cửa nơi nộp hồ sơ hoặc qua dịch vụ bưu chính công ích';
const DELIVERY_ELECTRONIC = 'Bản điện tử gửi qua tài khoản của người nộp trên Cổng Dịch vụ công quốc gia và thư điện tử';

const HO_TICH_LAW = ['Luật Hộ tịch số 60/2014/QH13', 'Nghị định số 123/2015/NĐ-CP', 'Thông tư số 04/2020/TT-BTP'];
const CHUNG_THUC_LAW = ['Nghị định số 23/2015/NĐ-CP', 'Thông tư số 01/2020/TT-BTP', 'Thông tư số 226/2016/TT-BTC'];
const DOANH_NGHIEP_LAW = ['Luật Doanh nghiệp số 59/2020/QH14', 'Nghị định số 168/2025/NĐ-CP', 'Thông tư số 47/2019/TT-BTC'];
const DAT_DAI_LAW = ['Luật Đất đai số 31/2024/QH15', 'Nghị định số 101/2024/NĐ-CP', 'Nghị định số 151/2025/NĐ-CP'];
const MOI_TRUONG_LAW = ['Luật Bảo vệ môi trường số 72/2020/QH14', 'Nghị định số 08/2022/NĐ-CP'];
const XAY_DUNG_LAW = ['Luật Xây dựng số 50/2014/QH13, sửa đổi, bổ sung bởi Luật số 62/2020/QH14', 'Nghị định số 175/2024/NĐ-CP'];
const VAN_TAI_LAW = ['Luật Đường bộ số 35/2024/QH15', 'Nghị định số 158/2024/NĐ-CP'];
const BAO_TRO_LAW = ['Nghị định số 20/2021/NĐ-CP', 'Nghị định số 76/2024/NĐ-CP'];
const GIAO_DUC_LAW = ['Luật Giáo dục số 43/2019/QH14', 'Thông tư số 32/2020/TT-BGDĐT'];

const PERSON_PRESENT = 'Xuất trình bản chính để đối chiếu, không phải nộp';

// ---------------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------------

export const demoProcedures: DemoProcedure[] = [
  // ------------------------------------------------------------------ Hộ tịch (commune tier)
  {
    code: '1.001193',
    name: 'Đăng ký khai sinh',
    fieldCode: 'ho_tich',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 1, unit: 'working_days' },
    steps:
      '1. Người yêu cầu nộp hồ sơ trực tuyến trên Cổng Dịch vụ công hoặc tại Bộ phận Một cửa.\n' +
      '2. Công chức tư pháp - hộ tịch kiểm tra hồ sơ; nếu hợp lệ thì ghi vào Sổ đăng ký khai sinh và Cơ sở dữ liệu hộ tịch điện tử.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã ký Giấy khai sinh.\n' +
      '4. Trả kết quả; trường hợp nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo.',
    eligibility:
      'Cha, mẹ, ông, bà, người thân thích khác hoặc cá nhân, tổ chức đang nuôi dưỡng trẻ em có trách nhiệm đăng ký khai sinh cho trẻ trong thời hạn 60 ngày kể từ ngày sinh.',
    resultKind: 'both',
    resultDescription: 'Giấy khai sinh (bản chính) và bản điện tử Giấy khai sinh',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...HO_TICH_LAW],
    fees: [], // đăng ký khai sinh đúng hạn: miễn lệ phí
    components: [
      comp('to_khai', 'Tờ khai đăng ký khai sinh (theo mẫu)', 'original'),
      comp('giay_chung_sinh', 'Giấy chứng sinh', 'original', true, 'Không có Giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh'),
      comp('giay_to_tuy_than', 'Căn cước công dân hoặc giấy tờ tùy thân của người đi đăng ký', 'original', true, PERSON_PRESENT),
      comp('giay_chung_nhan_ket_hon', 'Giấy chứng nhận kết hôn của cha, mẹ (nếu có)', 'original_or_copy', false),
      comp('van_ban_uy_quyen', 'Văn bản ủy quyền có chứng thực (trường hợp ủy quyền)', 'original', false),
    ],
    form: [
      text('ho_ten_tre', 'Họ, chữ đệm và tên của trẻ'),
      date('ngay_sinh', 'Ngày, tháng, năm sinh', 'past'),
      select('gioi_tinh', 'Giới tính', [
        ['nam', 'Nam'],
        ['nu', 'Nữ'],
      ]),
      text('noi_sinh', 'Nơi sinh', true, 'Ví dụ: Bệnh viện Đa khoa tỉnh Nam Định'),
      text('ho_ten_me', 'Họ, chữ đệm và tên người mẹ'),
      idNumber('so_dinh_danh_me', 'Số định danh cá nhân của người mẹ'),
      text('ho_ten_cha', 'Họ, chữ đệm và tên người cha', false),
      idNumber('so_dinh_danh_cha', 'Số định danh cá nhân của người cha', false),
      unitCode('noi_cu_tru', 'Xã, phường nơi cư trú của trẻ'),
      commitment(),
    ],
    workflow: communeFlow(),
    popularity: 120,
  },
  {
    code: '1.000894',
    name: 'Đăng ký kết hôn',
    fieldCode: 'ho_tich',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['citizen'],
    duration: { value: 5, unit: 'working_days' },
    steps:
      '1. Hai bên nam, nữ nộp tờ khai trực tuyến hoặc tại Bộ phận Một cửa.\n' +
      '2. Công chức tư pháp - hộ tịch kiểm tra, xác minh điều kiện kết hôn (tối đa 05 ngày làm việc nếu cần xác minh).\n' +
      '3. Hai bên nam, nữ có mặt, ký vào Sổ đăng ký kết hôn và Giấy chứng nhận kết hôn.\n' +
      '4. Chủ tịch Ủy ban nhân dân cấp xã ký, trao Giấy chứng nhận kết hôn cho hai bên.',
    eligibility: 'Công dân Việt Nam đủ điều kiện kết hôn theo Luật Hôn nhân và gia đình, cư trú trong nước.',
    resultKind: 'paper',
    resultDescription: 'Giấy chứng nhận kết hôn (02 bản chính, mỗi bên 01 bản)',
    resultDelivery: 'Trao trực tiếp cho hai bên nam, nữ tại Bộ phận Một cửa',
    legalBasis: [...HO_TICH_LAW, 'Luật Hôn nhân và gia đình số 52/2014/QH13'],
    fees: [
      // Lệ phí đăng ký kết hôn trong nước: miễn. Bản sao trích lục kèm theo (nếu yêu cầu): 8.000 đồng/bản.
      fee('phi_ban_sao', 'Phí cấp bản sao trích lục kết hôn (8.000 đồng/bản)', 8000, 'so_ban_sao'),
    ],
    components: [
      comp('to_khai', 'Tờ khai đăng ký kết hôn (theo mẫu)', 'original'),
      comp(
        'xac_nhan_hon_nhan',
        'Giấy xác nhận tình trạng hôn nhân',
        'original',
        false,
        'Chỉ nộp khi đăng ký kết hôn tại nơi không phải nơi thường trú và chưa khai thác được dữ liệu',
      ),
      comp('giay_to_tuy_than', 'Căn cước công dân hoặc giấy tờ tùy thân của hai bên nam, nữ', 'original', true, PERSON_PRESENT, 2),
    ],
    form: [
      text('ho_ten_chong', 'Họ, chữ đệm và tên bên nam'),
      idNumber('so_dinh_danh_chong', 'Số định danh cá nhân bên nam'),
      date('ngay_sinh_chong', 'Ngày sinh bên nam', 'past'),
      text('ho_ten_vo', 'Họ, chữ đệm và tên bên nữ'),
      idNumber('so_dinh_danh_vo', 'Số định danh cá nhân bên nữ'),
      date('ngay_sinh_vo', 'Ngày sinh bên nữ', 'past'),
      unitCode('noi_dang_ky', 'Xã, phường nơi đăng ký kết hôn'),
      num('so_ban_sao', 'Số bản sao trích lục kết hôn đề nghị cấp', 0, 10, true),
      checkbox('cam_ket_tu_nguyen', 'Hai bên cam đoan việc kết hôn là tự nguyện, đủ điều kiện kết hôn theo quy định'),
    ],
    workflow: communeFlow(),
    popularity: 35,
  },
  {
    code: '1.000656',
    name: 'Đăng ký khai tử',
    fieldCode: 'ho_tich',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 1, unit: 'working_days' },
    steps:
      '1. Người đi đăng ký khai tử nộp hồ sơ trực tuyến hoặc tại Bộ phận Một cửa.\n' +
      '2. Công chức tư pháp - hộ tịch kiểm tra, ghi vào Sổ đăng ký khai tử và cập nhật Cơ sở dữ liệu hộ tịch điện tử.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã ký cấp Trích lục khai tử.\n' +
      '4. Trả kết quả.',
    eligibility: 'Vợ, chồng, con, cha, mẹ hoặc người thân thích khác của người chết; cơ quan, tổ chức nơi người chết cư trú hoặc có trụ sở.',
    resultKind: 'both',
    resultDescription: 'Trích lục khai tử (bản chính) và bản điện tử',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...HO_TICH_LAW],
    fees: [],
    components: [
      comp('to_khai', 'Tờ khai đăng ký khai tử (theo mẫu)', 'original'),
      comp('giay_bao_tu', 'Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử', 'original_or_copy'),
      comp('giay_to_tuy_than', 'Căn cước công dân của người đi đăng ký khai tử', 'original', true, PERSON_PRESENT),
    ],
    form: [
      text('ho_ten_nguoi_chet', 'Họ, chữ đệm và tên người chết'),
      idNumber('so_dinh_danh_nguoi_chet', 'Số định danh cá nhân của người chết'),
      date('ngay_chet', 'Ngày chết', 'past'),
      text('noi_chet', 'Nơi chết'),
      textarea('nguyen_nhan', 'Nguyên nhân chết', false),
      text('ho_ten_nguoi_yeu_cau', 'Họ, chữ đệm và tên người đi đăng ký'),
      select('quan_he', 'Quan hệ với người chết', [
        ['vo_chong', 'Vợ/chồng'],
        ['con', 'Con'],
        ['cha_me', 'Cha/mẹ'],
        ['anh_chi_em', 'Anh, chị, em'],
        ['khac', 'Quan hệ khác'],
      ]),
      phone(),
      commitment(),
    ],
    workflow: communeFlow(),
    popularity: 25,
  },
  {
    code: '2.000635',
    name: 'Cấp bản sao trích lục hộ tịch',
    fieldCode: 'ho_tich',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 8, unit: 'hours' },
    steps:
      '1. Người yêu cầu nộp tờ khai trực tuyến hoặc tại Bộ phận Một cửa.\n' +
      '2. Công chức tư pháp - hộ tịch tra cứu Sổ hộ tịch, Cơ sở dữ liệu hộ tịch điện tử.\n' +
      '3. Lãnh đạo Ủy ban nhân dân cấp xã ký bản sao trích lục.\n' +
      '4. Trả kết quả ngay trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo.',
    eligibility: 'Cá nhân có sự kiện hộ tịch đã đăng ký; cơ quan, tổ chức có nhu cầu theo quy định.',
    resultKind: 'both',
    resultDescription: 'Bản sao trích lục hộ tịch (khai sinh, kết hôn hoặc khai tử)',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...HO_TICH_LAW, 'Thông tư số 281/2016/TT-BTC'],
    fees: [fee('phi_ban_sao', 'Phí cấp bản sao trích lục hộ tịch (8.000 đồng/bản)', 8000, 'so_ban')],
    components: [
      comp('to_khai', 'Tờ khai cấp bản sao trích lục hộ tịch (theo mẫu)', 'original'),
      comp('van_ban_uy_quyen', 'Văn bản ủy quyền (trường hợp ủy quyền)', 'original', false),
    ],
    form: [
      select('loai_trich_luc', 'Loại trích lục', [
        ['khai_sinh', 'Trích lục khai sinh'],
        ['ket_hon', 'Trích lục kết hôn'],
        ['khai_tu', 'Trích lục khai tử'],
      ]),
      text('ho_ten_nguoi_duoc_cap', 'Họ, chữ đệm và tên người được cấp trích lục'),
      date('ngay_dang_ky', 'Ngày đăng ký sự kiện hộ tịch (nếu biết)', 'past', false),
      unitCode('noi_dang_ky', 'Xã, phường nơi đã đăng ký'),
      num('so_ban', 'Số bản sao đề nghị cấp', 1, 10),
      email(),
    ],
    workflow: communeFlow(),
    popularity: 60,
  },
  {
    code: '1.004859',
    name: 'Thay đổi, cải chính, bổ sung thông tin hộ tịch',
    fieldCode: 'ho_tich',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['citizen'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Người yêu cầu nộp tờ khai và giấy tờ làm căn cứ.\n' +
      '2. Công chức tư pháp - hộ tịch kiểm tra; nếu việc thay đổi, cải chính có cơ sở thì ghi vào Sổ hộ tịch.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã ký Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch.\n' +
      '4. Trả kết quả (tối đa thêm 03 ngày làm việc nếu cần xác minh).',
    eligibility: 'Cá nhân có yêu cầu thay đổi, cải chính, bổ sung thông tin hộ tịch, người dưới 18 tuổi do cha, mẹ hoặc người giám hộ yêu cầu.',
    resultKind: 'paper',
    resultDescription: 'Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch (bản chính)',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...HO_TICH_LAW, 'Thông tư số 85/2019/TT-BTC'],
    fees: [fee('le_phi', 'Lệ phí thay đổi, cải chính, bổ sung thông tin hộ tịch', 15000)], // [config] HĐND tỉnh
    components: [
      comp('to_khai', 'Tờ khai thay đổi, cải chính, bổ sung thông tin hộ tịch (theo mẫu)', 'original'),
      comp('giay_khai_sinh', 'Bản chính Giấy khai sinh của người cần thay đổi, cải chính', 'original'),
      comp('giay_to_can_cu', 'Giấy tờ làm căn cứ cho việc thay đổi, cải chính, bổ sung', 'original_or_copy'),
    ],
    form: [
      text('ho_ten', 'Họ, chữ đệm và tên người có thông tin cần thay đổi'),
      idNumber(),
      select('loai_yeu_cau', 'Loại yêu cầu', [
        ['thay_doi', 'Thay đổi thông tin hộ tịch'],
        ['cai_chinh', 'Cải chính thông tin hộ tịch'],
        ['bo_sung', 'Bổ sung thông tin hộ tịch'],
      ]),
      textarea('noi_dung_de_nghi', 'Nội dung đề nghị thay đổi, cải chính, bổ sung'),
      textarea('ly_do', 'Lý do'),
      phone(),
    ],
    workflow: communeFlow(),
    popularity: 15,
  },

  // ------------------------------------------------------------------ Chứng thực (commune tier)
  {
    code: '2.000815',
    name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận',
    fieldCode: 'chung_thuc',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 4, unit: 'hours' },
    steps:
      '1. Người yêu cầu xuất trình bản chính và bản sao cần chứng thực tại Bộ phận Một cửa.\n' +
      '2. Người thực hiện chứng thực đối chiếu bản sao với bản chính.\n' +
      '3. Lãnh đạo ký chứng thực, đóng dấu.\n' +
      '4. Trả kết quả trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo.',
    eligibility: 'Cá nhân, tổ chức có yêu cầu chứng thực bản sao từ bản chính.',
    resultKind: 'paper',
    resultDescription: 'Bản sao được chứng thực từ bản chính',
    resultDelivery: DELIVERY_DESK,
    legalBasis: [...CHUNG_THUC_LAW],
    fees: [fee('phi_chung_thuc', 'Phí chứng thực bản sao từ bản chính (2.000 đồng/trang)', 2000, 'so_trang')],
    components: [
      comp('ban_chinh', 'Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao', 'original', true, PERSON_PRESENT),
      comp('ban_sao', 'Bản sao cần chứng thực (trường hợp người yêu cầu tự chuẩn bị)', 'copy', false),
    ],
    form: [
      text('ho_ten', 'Họ, chữ đệm và tên người yêu cầu'),
      text('ten_giay_to', 'Tên giấy tờ, văn bản cần chứng thực', true, 'Ví dụ: Bằng tốt nghiệp trung học phổ thông'),
      num('so_trang', 'Tổng số trang cần chứng thực', 1, 500, true, 'Từ trang thứ ba trở đi thu 1.000 đồng/trang, tối đa 200.000 đồng/bản'),
      phone('so_dien_thoai', 'Số điện thoại', false),
    ],
    workflow: quickFlow(),
    popularity: 150,
  },
  {
    code: '2.000884',
    name: 'Chứng thực chữ ký trong các giấy tờ, văn bản',
    fieldCode: 'chung_thuc',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person'],
    applicantTypes: ['citizen'],
    duration: { value: 8, unit: 'hours' },
    steps:
      '1. Người yêu cầu xuất trình giấy tờ tùy thân và văn bản cần chứng thực chữ ký.\n' +
      '2. Người yêu cầu ký trước mặt người thực hiện chứng thực.\n' +
      '3. Lãnh đạo ghi lời chứng, ký, đóng dấu.\n' +
      '4. Trả kết quả trong ngày.',
    eligibility: 'Cá nhân có yêu cầu chứng thực chữ ký của mình trong giấy tờ, văn bản.',
    resultKind: 'paper',
    resultDescription: 'Giấy tờ, văn bản đã được chứng thực chữ ký',
    resultDelivery: DELIVERY_DESK,
    legalBasis: [...CHUNG_THUC_LAW],
    fees: [fee('phi_chung_thuc', 'Phí chứng thực chữ ký (10.000 đồng/trường hợp)', 10000)],
    components: [
      comp('giay_to_tuy_than', 'Căn cước công dân hoặc hộ chiếu còn giá trị sử dụng', 'original', true, PERSON_PRESENT),
      comp('van_ban', 'Giấy tờ, văn bản mà người yêu cầu sẽ ký', 'original'),
    ],
    form: [
      text('ho_ten', 'Họ, chữ đệm và tên người yêu cầu'),
      idNumber(),
      text('ten_van_ban', 'Tên giấy tờ, văn bản cần chứng thực chữ ký'),
      num('so_ban', 'Số bản cần chứng thực', 1, 20),
    ],
    workflow: quickFlow(),
    popularity: 40,
  },
  {
    code: '2.001035',
    name: 'Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản',
    fieldCode: 'chung_thuc',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 2, unit: 'working_days' },
    steps:
      '1. Các bên nộp dự thảo hợp đồng và giấy tờ liên quan tại Bộ phận Một cửa.\n' +
      '2. Người thực hiện chứng thực kiểm tra năng lực hành vi dân sự, sự tự nguyện của các bên.\n' +
      '3. Các bên ký trước mặt người thực hiện chứng thực; lãnh đạo ghi lời chứng, ký, đóng dấu.\n' +
      '4. Trả kết quả.',
    eligibility: 'Cá nhân, tổ chức là các bên tham gia hợp đồng, giao dịch.',
    resultKind: 'paper',
    resultDescription: 'Hợp đồng, giao dịch đã được chứng thực',
    resultDelivery: DELIVERY_DESK,
    legalBasis: [...CHUNG_THUC_LAW],
    fees: [fee('phi_chung_thuc', 'Phí chứng thực hợp đồng, giao dịch (50.000 đồng/hợp đồng)', 50000)],
    components: [
      comp('du_thao_hop_dong', 'Dự thảo hợp đồng, giao dịch', 'original'),
      comp('giay_to_tuy_than', 'Giấy tờ tùy thân của các bên tham gia', 'copy', true, 'Kèm bản chính để đối chiếu', 2),
      comp('giay_to_tai_san', 'Giấy chứng nhận quyền sở hữu, quyền sử dụng tài sản (nếu có)', 'copy', false),
    ],
    form: [
      text('ten_hop_dong', 'Tên hợp đồng, giao dịch'),
      num('gia_tri_tai_san', 'Giá trị tài sản (đồng)', 0, 100_000_000_000, false),
      text('ho_ten_ben_a', 'Họ tên bên A'),
      idNumber('so_dinh_danh_ben_a', 'Số định danh cá nhân bên A'),
      text('ho_ten_ben_b', 'Họ tên bên B'),
      idNumber('so_dinh_danh_ben_b', 'Số định danh cá nhân bên B'),
    ],
    workflow: quickFlow(),
    popularity: 10,
  },

  // ------------------------------------------------------------------ Lý lịch tư pháp
  {
    code: '2.000488',
    name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam',
    fieldCode: 'ly_lich_tu_phap',
    tier: 'province',
    competentAgencyCode: 'STP',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 10, unit: 'working_days' },
    steps:
      '1. Người yêu cầu nộp tờ khai trực tuyến (Cổng Dịch vụ công, VNeID) hoặc tại Trung tâm Phục vụ hành chính công tỉnh.\n' +
      '2. Sở Tư pháp tra cứu thông tin lý lịch tư pháp, phối hợp cơ quan công an xác minh.\n' +
      '3. Lãnh đạo Sở Tư pháp ký Phiếu lý lịch tư pháp.\n' +
      '4. Trả kết quả bản giấy hoặc bản điện tử.',
    eligibility: 'Công dân Việt Nam; người nước ngoài đã hoặc đang cư trú tại Việt Nam.',
    resultKind: 'both',
    resultDescription: 'Phiếu lý lịch tư pháp số 1 hoặc số 2 (bản giấy hoặc bản điện tử)',
    resultDelivery: DELIVERY_ANY,
    legalBasis: ['Luật Lý lịch tư pháp số 28/2009/QH12', 'Thông tư số 244/2016/TT-BTC'],
    fees: [
      fee('phi_cung_cap_thong_tin', 'Phí cung cấp thông tin lý lịch tư pháp (200.000 đồng/lần)', 200000),
      fee('phi_ban_them', 'Phí cấp thêm Phiếu lý lịch tư pháp từ bản thứ 3 trở đi (5.000 đồng/bản)', 5000, 'so_ban_them'),
    ],
    components: [
      comp('to_khai', 'Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (theo mẫu)', 'original'),
      comp(
        'giay_to_tuy_than',
        'Căn cước công dân hoặc hộ chiếu của người được cấp',
        'copy',
        true,
        'Nộp trực tuyến thì không phải nộp do khai thác từ Cơ sở dữ liệu quốc gia về dân cư',
      ),
      comp('van_ban_uy_quyen', 'Văn bản ủy quyền (trường hợp ủy quyền, chỉ với Phiếu số 1)', 'original', false),
    ],
    form: [
      text('ho_ten', 'Họ, chữ đệm và tên'),
      idNumber(),
      date('ngay_sinh', 'Ngày sinh', 'past'),
      select('loai_phieu', 'Loại phiếu yêu cầu', [
        ['phieu_so_1', 'Phiếu lý lịch tư pháp số 1'],
        ['phieu_so_2', 'Phiếu lý lịch tư pháp số 2'],
      ]),
      textarea('muc_dich', 'Mục đích sử dụng Phiếu'),
      num('so_ban_them', 'Số bản cấp thêm (ngoài 02 bản)', 0, 10),
      email('email', 'Thư điện tử', true),
      phone(),
      commitment(),
    ],
    workflow: departmentFlow(),
    popularity: 45,
  },

  // ------------------------------------------------------------------ Doanh nghiệp (Sở Tài chính)
  {
    code: '2.001610',
    name: 'Đăng ký thành lập doanh nghiệp tư nhân',
    fieldCode: 'dang_ky_kinh_doanh',
    tier: 'province',
    competentAgencyCode: 'STC',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Người thành lập doanh nghiệp nộp hồ sơ trên Cổng thông tin quốc gia về đăng ký doanh nghiệp hoặc tại Trung tâm Phục vụ hành chính công tỉnh.\n' +
      '2. Phòng Đăng ký kinh doanh (Sở Tài chính) kiểm tra tính hợp lệ của hồ sơ.\n' +
      '3. Cấp Giấy chứng nhận đăng ký doanh nghiệp hoặc thông báo sửa đổi, bổ sung hồ sơ.\n' +
      '4. Trả kết quả.',
    eligibility: 'Cá nhân có quyền thành lập và quản lý doanh nghiệp theo Luật Doanh nghiệp.',
    resultKind: 'both',
    resultDescription: 'Giấy chứng nhận đăng ký doanh nghiệp',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...DOANH_NGHIEP_LAW],
    fees: [fee('le_phi', 'Lệ phí đăng ký doanh nghiệp', 50000), fee('phi_cong_bo', 'Phí công bố nội dung đăng ký doanh nghiệp', 100000)],
    components: [
      comp('giay_de_nghi', 'Giấy đề nghị đăng ký doanh nghiệp (theo mẫu)', 'original'),
      comp('giay_to_phap_ly', 'Bản sao giấy tờ pháp lý của chủ doanh nghiệp tư nhân', 'copy'),
    ],
    form: [
      text('ten_doanh_nghiep', 'Tên doanh nghiệp viết bằng tiếng Việt'),
      text('ho_ten_chu_doanh_nghiep', 'Họ, chữ đệm và tên chủ doanh nghiệp'),
      idNumber('so_dinh_danh', 'Số định danh cá nhân của chủ doanh nghiệp'),
      num('von_dau_tu', 'Vốn đầu tư (đồng)', 1_000_000, 1_000_000_000_000),
      text('nganh_nghe_chinh', 'Ngành, nghề kinh doanh chính', true, 'Ghi tên và mã ngành cấp 4 theo Hệ thống ngành kinh tế Việt Nam'),
      unitCode('xa_phuong_tru_so', 'Xã, phường nơi đặt trụ sở chính'),
      text('dia_chi_tru_so', 'Số nhà, đường phố, thôn, xóm nơi đặt trụ sở'),
      phone(),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 12,
  },
  {
    code: '2.002040',
    name: 'Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên',
    fieldCode: 'dang_ky_kinh_doanh',
    tier: 'province',
    competentAgencyCode: 'STC',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Người thành lập doanh nghiệp nộp hồ sơ trên Cổng thông tin quốc gia về đăng ký doanh nghiệp hoặc tại Trung tâm Phục vụ hành chính công tỉnh.\n' +
      '2. Phòng Đăng ký kinh doanh (Sở Tài chính) kiểm tra tính hợp lệ của hồ sơ.\n' +
      '3. Cấp Giấy chứng nhận đăng ký doanh nghiệp.\n' +
      '4. Trả kết quả.',
    eligibility: 'Cá nhân, tổ chức là chủ sở hữu công ty theo Luật Doanh nghiệp.',
    resultKind: 'both',
    resultDescription: 'Giấy chứng nhận đăng ký doanh nghiệp',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...DOANH_NGHIEP_LAW],
    fees: [fee('le_phi', 'Lệ phí đăng ký doanh nghiệp', 50000), fee('phi_cong_bo', 'Phí công bố nội dung đăng ký doanh nghiệp', 100000)],
    components: [
      comp('giay_de_nghi', 'Giấy đề nghị đăng ký doanh nghiệp (theo mẫu)', 'original'),
      comp('dieu_le', 'Điều lệ công ty', 'original'),
      comp('giay_to_chu_so_huu', 'Bản sao giấy tờ pháp lý của chủ sở hữu công ty', 'copy'),
      comp('giay_uy_quyen', 'Văn bản cử người đại diện theo ủy quyền (chủ sở hữu là tổ chức)', 'original', false),
    ],
    form: [
      text('ten_cong_ty', 'Tên công ty viết bằng tiếng Việt'),
      text('ten_viet_tat', 'Tên công ty viết tắt', false),
      num('von_dieu_le', 'Vốn điều lệ (đồng)', 1_000_000, 10_000_000_000_000),
      select('loai_chu_so_huu', 'Chủ sở hữu là', [
        ['ca_nhan', 'Cá nhân'],
        ['to_chuc', 'Tổ chức'],
      ]),
      idNumber('so_dinh_danh_chu_so_huu', 'Số định danh cá nhân của chủ sở hữu (nếu là cá nhân)', false),
      taxCode('ma_so_thue_chu_so_huu', 'Mã số doanh nghiệp của chủ sở hữu (nếu là tổ chức)', false),
      unitCode('xa_phuong_tru_so', 'Xã, phường nơi đặt trụ sở chính'),
      phone(),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 14,
  },
  {
    code: '1.005013',
    name: 'Đăng ký thay đổi nội dung đăng ký doanh nghiệp',
    fieldCode: 'dang_ky_kinh_doanh',
    tier: 'province',
    competentAgencyCode: 'STC',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['organisation'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Doanh nghiệp nộp hồ sơ đăng ký thay đổi trên Cổng thông tin quốc gia về đăng ký doanh nghiệp.\n' +
      '2. Phòng Đăng ký kinh doanh kiểm tra hồ sơ.\n' +
      '3. Cấp Giấy chứng nhận đăng ký doanh nghiệp mới hoặc thông báo sửa đổi, bổ sung.\n' +
      '4. Trả kết quả.',
    eligibility: 'Doanh nghiệp có trụ sở chính trên địa bàn tỉnh.',
    resultKind: 'both',
    resultDescription: 'Giấy chứng nhận đăng ký doanh nghiệp (cập nhật nội dung thay đổi)',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...DOANH_NGHIEP_LAW],
    fees: [fee('le_phi', 'Lệ phí đăng ký doanh nghiệp', 50000), fee('phi_cong_bo', 'Phí công bố nội dung đăng ký doanh nghiệp', 100000)],
    components: [
      comp('thong_bao_thay_doi', 'Thông báo thay đổi nội dung đăng ký doanh nghiệp (theo mẫu)', 'original'),
      comp('nghi_quyet', 'Nghị quyết, quyết định của chủ sở hữu, Hội đồng thành viên hoặc Đại hội đồng cổ đông', 'original_or_copy'),
    ],
    form: [
      taxCode('ma_so_doanh_nghiep', 'Mã số doanh nghiệp'),
      text('ten_doanh_nghiep', 'Tên doanh nghiệp'),
      select('noi_dung_thay_doi', 'Nội dung đăng ký thay đổi', [
        ['dia_chi_tru_so', 'Địa chỉ trụ sở chính'],
        ['nguoi_dai_dien', 'Người đại diện theo pháp luật'],
        ['von_dieu_le', 'Vốn điều lệ'],
        ['nganh_nghe', 'Ngành, nghề kinh doanh'],
        ['ten_doanh_nghiep', 'Tên doanh nghiệp'],
      ]),
      textarea('mo_ta', 'Mô tả nội dung thay đổi'),
      date('ngay_quyet_dinh', 'Ngày ra quyết định thay đổi', 'past'),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 20,
  },
  {
    code: '2.002014',
    name: 'Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo',
    fieldCode: 'dang_ky_kinh_doanh',
    tier: 'province',
    competentAgencyCode: 'STC',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['online', 'in_person'],
    applicantTypes: ['organisation'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Doanh nghiệp gửi thông báo trên Cổng thông tin quốc gia về đăng ký doanh nghiệp chậm nhất 03 ngày làm việc trước ngày tạm ngừng hoặc tiếp tục kinh doanh.\n' +
      '2. Phòng Đăng ký kinh doanh kiểm tra, cập nhật tình trạng pháp lý của doanh nghiệp.\n' +
      '3. Cấp Giấy xác nhận.',
    eligibility: 'Doanh nghiệp có trụ sở chính trên địa bàn tỉnh.',
    resultKind: 'electronic',
    resultDescription: 'Giấy xác nhận về việc doanh nghiệp đăng ký tạm ngừng kinh doanh hoặc tiếp tục kinh doanh',
    resultDelivery: DELIVERY_ELECTRONIC,
    legalBasis: [...DOANH_NGHIEP_LAW],
    fees: [],
    components: [comp('thong_bao', 'Thông báo tạm ngừng kinh doanh hoặc tiếp tục kinh doanh (theo mẫu)', 'original')],
    form: [
      taxCode('ma_so_doanh_nghiep', 'Mã số doanh nghiệp'),
      select('loai_thong_bao', 'Loại thông báo', [
        ['tam_ngung', 'Tạm ngừng kinh doanh'],
        ['tiep_tuc', 'Tiếp tục kinh doanh trước thời hạn'],
      ]),
      date('tu_ngay', 'Từ ngày', 'future'),
      date('den_ngay', 'Đến ngày', 'future', false),
      textarea('ly_do', 'Lý do', false),
    ],
    workflow: departmentFlow(),
    popularity: 10,
  },

  // ------------------------------------------------------------------ Hộ kinh doanh (commune tier)
  {
    code: '2.000720',
    name: 'Đăng ký thành lập hộ kinh doanh',
    fieldCode: 'ho_kinh_doanh',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Chủ hộ kinh doanh nộp hồ sơ trực tuyến hoặc tại Bộ phận Một cửa.\n' +
      '2. Công chức được giao nhiệm vụ đăng ký hộ kinh doanh kiểm tra hồ sơ.\n' +
      '3. Lãnh đạo Ủy ban nhân dân cấp xã ký Giấy chứng nhận đăng ký hộ kinh doanh.\n' +
      '4. Trả kết quả.',
    eligibility: 'Cá nhân, thành viên hộ gia đình là công dân Việt Nam có năng lực hành vi dân sự đầy đủ.',
    resultKind: 'both',
    resultDescription: 'Giấy chứng nhận đăng ký hộ kinh doanh',
    resultDelivery: DELIVERY_ANY,
    legalBasis: ['Nghị định số 168/2025/NĐ-CP', 'Thông tư số 85/2019/TT-BTC'],
    fees: [fee('le_phi', 'Lệ phí đăng ký hộ kinh doanh', 100000)], // [config] HĐND tỉnh
    components: [
      comp('giay_de_nghi', 'Giấy đề nghị đăng ký hộ kinh doanh (theo mẫu)', 'original'),
      comp('bien_ban_hop', 'Biên bản họp thành viên hộ gia đình (trường hợp các thành viên cùng thành lập)', 'original_or_copy', false),
      comp('hop_dong_thue', 'Hợp đồng thuê hoặc giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh', 'copy', false),
    ],
    form: [
      text('ten_ho_kinh_doanh', 'Tên hộ kinh doanh'),
      text('ho_ten_chu_ho', 'Họ, chữ đệm và tên chủ hộ kinh doanh'),
      idNumber('so_dinh_danh', 'Số định danh cá nhân của chủ hộ'),
      text('nganh_nghe', 'Ngành, nghề kinh doanh'),
      num('von_kinh_doanh', 'Vốn kinh doanh (đồng)', 0, 100_000_000_000),
      unitCode('xa_phuong_kinh_doanh', 'Xã, phường nơi đặt địa điểm kinh doanh'),
      text('dia_chi_kinh_doanh', 'Địa chỉ địa điểm kinh doanh'),
      phone(),
    ],
    workflow: communeFlow(),
    popularity: 30,
  },

  // ------------------------------------------------------------------ Đất đai
  {
    code: '1.012736',
    name: 'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu đối với cá nhân',
    fieldCode: 'dat_dai',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['citizen'],
    duration: { value: 20, unit: 'working_days' },
    steps:
      '1. Người sử dụng đất nộp hồ sơ tại Bộ phận Một cửa hoặc trực tuyến.\n' +
      '2. Ủy ban nhân dân cấp xã kiểm tra hiện trạng, nguồn gốc, niêm yết công khai kết quả kiểm tra.\n' +
      '3. Văn phòng đăng ký đất đai trích đo địa chính (nếu cần), cập nhật hồ sơ địa chính; chuyển thông tin xác định nghĩa vụ tài chính.\n' +
      '4. Chủ tịch Ủy ban nhân dân cấp xã ký Giấy chứng nhận sau khi người sử dụng đất hoàn thành nghĩa vụ tài chính.\n' +
      '5. Trả kết quả (thời gian trích đo, niêm yết và thực hiện nghĩa vụ tài chính không tính vào thời gian giải quyết).',
    eligibility: 'Cá nhân, hộ gia đình đang sử dụng đất chưa được cấp Giấy chứng nhận.',
    resultKind: 'paper',
    resultDescription: 'Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...DAT_DAI_LAW, 'Thông tư số 85/2019/TT-BTC'],
    fees: [
      fee('le_phi_cap_gcn', 'Lệ phí cấp Giấy chứng nhận quyền sử dụng đất', 100000), // [config] HĐND tỉnh
      fee('phi_tham_dinh', 'Phí thẩm định hồ sơ cấp Giấy chứng nhận', 300000), // [config] HĐND tỉnh
    ],
    components: [
      comp('don_dang_ky', 'Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 04/ĐK)', 'original'),
      comp('giay_to_nguon_goc', 'Giấy tờ về quyền sử dụng đất theo quy định (nếu có)', 'copy', false),
      comp('mang_trich_do', 'Mảnh trích đo bản đồ địa chính thửa đất (nếu có)', 'original', false),
      comp('chung_tu_tai_chinh', 'Chứng từ thực hiện nghĩa vụ tài chính hoặc giấy tờ miễn, giảm (nếu có)', 'copy', false),
    ],
    form: [
      text('ho_ten', 'Họ, chữ đệm và tên người sử dụng đất'),
      idNumber(),
      unitCode('xa_phuong_thua_dat', 'Xã, phường nơi có thửa đất'),
      num('so_to_ban_do', 'Số tờ bản đồ', 1, 999),
      num('so_thua', 'Số thửa', 1, 99_999),
      num('dien_tich', 'Diện tích (m²)', 1, 1_000_000),
      select('muc_dich_su_dung', 'Mục đích sử dụng đất', [
        ['ONT', 'Đất ở tại nông thôn'],
        ['ODT', 'Đất ở tại đô thị'],
        ['CLN', 'Đất trồng cây lâu năm'],
        ['LUC', 'Đất chuyên trồng lúa'],
        ['NTS', 'Đất nuôi trồng thủy sản'],
      ]),
      textarea('nguon_goc', 'Nguồn gốc sử dụng đất'),
      commitment(),
    ],
    workflow: landFlow('Chủ tịch Ủy ban nhân dân cấp xã ký Giấy chứng nhận'),
    popularity: 18,
  },
  {
    code: '1.012755',
    name: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, tặng cho, thừa kế',
    fieldCode: 'dat_dai',
    tier: 'province',
    competentAgencyCode: 'SNNMT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 10, unit: 'working_days' },
    steps:
      '1. Người sử dụng đất nộp hồ sơ tại Trung tâm Phục vụ hành chính công hoặc trực tuyến.\n' +
      '2. Văn phòng đăng ký đất đai kiểm tra, gửi thông tin đến cơ quan thuế để xác định nghĩa vụ tài chính.\n' +
      '3. Cập nhật biến động vào hồ sơ địa chính, xác nhận trên Giấy chứng nhận hoặc cấp Giấy chứng nhận mới.\n' +
      '4. Trả kết quả.',
    eligibility: 'Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất nhận chuyển nhượng, tặng cho, thừa kế.',
    resultKind: 'paper',
    resultDescription: 'Giấy chứng nhận đã xác nhận nội dung biến động hoặc Giấy chứng nhận mới',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...DAT_DAI_LAW],
    fees: [
      fee('le_phi', 'Lệ phí đăng ký biến động đất đai', 50000), // [config] HĐND tỉnh
      fee('phi_tham_dinh', 'Phí thẩm định hồ sơ đăng ký biến động', 300000), // [config] HĐND tỉnh
    ],
    components: [
      comp('don_dang_ky', 'Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu số 11/ĐK)', 'original'),
      comp('hop_dong', 'Hợp đồng, văn bản chuyển nhượng, tặng cho hoặc văn bản thừa kế đã công chứng, chứng thực', 'original'),
      comp('giay_chung_nhan', 'Bản gốc Giấy chứng nhận đã cấp', 'original'),
    ],
    form: [
      text('ho_ten_ben_nhan', 'Họ tên bên nhận quyền'),
      idNumber('so_dinh_danh_ben_nhan', 'Số định danh cá nhân bên nhận quyền', false),
      taxCode('ma_so_thue_ben_nhan', 'Mã số thuế (nếu bên nhận là tổ chức)', false),
      select('hinh_thuc', 'Hình thức biến động', [
        ['chuyen_nhuong', 'Chuyển nhượng'],
        ['tang_cho', 'Tặng cho'],
        ['thua_ke', 'Thừa kế'],
      ]),
      text('so_phat_hanh_gcn', 'Số phát hành Giấy chứng nhận đã cấp'),
      unitCode('xa_phuong_thua_dat', 'Xã, phường nơi có thửa đất'),
      num('dien_tich', 'Diện tích biến động (m²)', 1, 1_000_000),
      phone(),
    ],
    workflow: landFlow('Lãnh đạo Văn phòng đăng ký đất đai ký xác nhận'),
    popularity: 40,
  },
  {
    code: '1.012781',
    name: 'Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
    fieldCode: 'dat_dai',
    tier: 'province',
    competentAgencyCode: 'SNNMT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 7, unit: 'working_days' },
    steps:
      '1. Người sử dụng đất nộp hồ sơ và bản gốc Giấy chứng nhận đã cấp.\n' +
      '2. Văn phòng đăng ký đất đai kiểm tra, cập nhật hồ sơ địa chính.\n' +
      '3. Lãnh đạo ký cấp Giấy chứng nhận mới.\n' +
      '4. Trả kết quả.',
    eligibility: 'Người sử dụng đất có Giấy chứng nhận bị ố, nhòe, rách, hư hỏng hoặc có nhu cầu cấp đổi theo quy định.',
    resultKind: 'paper',
    resultDescription: 'Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất (cấp đổi)',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...DAT_DAI_LAW],
    fees: [fee('le_phi', 'Lệ phí cấp đổi Giấy chứng nhận', 50000)], // [config] HĐND tỉnh
    components: [
      comp('don_de_nghi', 'Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu số 11/ĐK)', 'original'),
      comp('giay_chung_nhan', 'Bản gốc Giấy chứng nhận đã cấp', 'original'),
    ],
    form: [
      text('ho_ten', 'Họ tên người sử dụng đất'),
      idNumber('so_dinh_danh', 'Số định danh cá nhân', false),
      text('so_phat_hanh_gcn', 'Số phát hành Giấy chứng nhận đã cấp'),
      select('ly_do_cap_doi', 'Lý do cấp đổi', [
        ['hu_hong', 'Giấy chứng nhận bị ố, nhòe, rách, hư hỏng'],
        ['do_dac_lai', 'Đo đạc lại, thay đổi kích thước thửa đất'],
        ['mau_moi', 'Đổi sang mẫu Giấy chứng nhận mới'],
      ]),
      unitCode('xa_phuong_thua_dat', 'Xã, phường nơi có thửa đất'),
    ],
    workflow: landFlow('Lãnh đạo Văn phòng đăng ký đất đai ký Giấy chứng nhận'),
    popularity: 12,
  },
  {
    code: '1.012790',
    name: 'Chuyển mục đích sử dụng đất đối với cá nhân',
    fieldCode: 'dat_dai',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['citizen'],
    duration: { value: 15, unit: 'working_days' },
    steps:
      '1. Người sử dụng đất nộp đơn xin chuyển mục đích sử dụng đất.\n' +
      '2. Cơ quan chuyên môn cấp xã thẩm tra, xác minh thực địa, đối chiếu kế hoạch sử dụng đất.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã quyết định cho phép chuyển mục đích sử dụng đất.\n' +
      '4. Người sử dụng đất thực hiện nghĩa vụ tài chính; cập nhật hồ sơ địa chính; trả kết quả.',
    eligibility: 'Cá nhân, hộ gia đình đang sử dụng đất có nhu cầu chuyển mục đích sử dụng đất phù hợp kế hoạch sử dụng đất.',
    resultKind: 'paper',
    resultDescription: 'Quyết định cho phép chuyển mục đích sử dụng đất',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...DAT_DAI_LAW],
    fees: [], // tiền sử dụng đất được xác định riêng theo thông báo của cơ quan thuế
    components: [
      comp('don_xin', 'Đơn xin chuyển mục đích sử dụng đất (Mẫu số 02c)', 'original'),
      comp('giay_chung_nhan', 'Giấy chứng nhận quyền sử dụng đất', 'original'),
    ],
    form: [
      text('ho_ten', 'Họ tên người sử dụng đất'),
      idNumber(),
      unitCode('xa_phuong_thua_dat', 'Xã, phường nơi có thửa đất'),
      num('dien_tich_chuyen', 'Diện tích xin chuyển mục đích (m²)', 1, 100_000),
      select('muc_dich_moi', 'Mục đích sử dụng sau khi chuyển', [
        ['ONT', 'Đất ở tại nông thôn'],
        ['ODT', 'Đất ở tại đô thị'],
        ['TMD', 'Đất thương mại, dịch vụ'],
      ]),
      textarea('ly_do', 'Lý do xin chuyển mục đích'),
    ],
    workflow: communeFlow(),
    popularity: 6,
  },

  // ------------------------------------------------------------------ Môi trường, khoáng sản
  {
    code: '1.010727',
    name: 'Cấp giấy phép môi trường (thẩm quyền của Ủy ban nhân dân cấp tỉnh)',
    fieldCode: 'moi_truong',
    tier: 'province',
    competentAgencyCode: 'SNNMT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['organisation'],
    duration: { value: 30, unit: 'days' },
    steps:
      '1. Chủ dự án, cơ sở nộp hồ sơ đề nghị cấp giấy phép môi trường.\n' +
      '2. Sở Nông nghiệp và Môi trường thẩm định, kiểm tra thực tế, lấy ý kiến các cơ quan liên quan.\n' +
      '3. Trình Ủy ban nhân dân tỉnh cấp giấy phép môi trường.\n' +
      '4. Trả kết quả.',
    eligibility: 'Chủ dự án đầu tư, cơ sở thuộc đối tượng phải có giấy phép môi trường thuộc thẩm quyền cấp tỉnh.',
    resultKind: 'both',
    resultDescription: 'Giấy phép môi trường',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...MOI_TRUONG_LAW],
    fees: [fee('phi_tham_dinh', 'Phí thẩm định cấp giấy phép môi trường', 15000000)], // [config] HĐND tỉnh
    components: [
      comp('van_ban_de_nghi', 'Văn bản đề nghị cấp giấy phép môi trường', 'original'),
      comp('bao_cao_de_xuat', 'Báo cáo đề xuất cấp giấy phép môi trường', 'original', true, undefined, 2),
      comp('quyet_dinh_dtm', 'Quyết định phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường (nếu có)', 'copy', false),
    ],
    form: [
      text('ten_co_so', 'Tên dự án, cơ sở'),
      taxCode(),
      unitCode('dia_diem', 'Xã, phường nơi thực hiện dự án'),
      select('loai_hinh', 'Loại hình', [
        ['du_an_moi', 'Dự án đầu tư mới'],
        ['co_so_dang_hoat_dong', 'Cơ sở đang hoạt động'],
      ]),
      num('tong_von_dau_tu', 'Tổng vốn đầu tư (triệu đồng)', 0, 100_000_000),
      textarea('cong_suat', 'Quy mô, công suất'),
      phone(),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 2,
  },
  {
    code: '1.010733',
    name: 'Thẩm định báo cáo đánh giá tác động môi trường',
    fieldCode: 'moi_truong',
    tier: 'province',
    competentAgencyCode: 'SNNMT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['organisation'],
    duration: { value: 45, unit: 'days' },
    steps:
      '1. Chủ dự án nộp hồ sơ đề nghị thẩm định báo cáo đánh giá tác động môi trường.\n' +
      '2. Sở Nông nghiệp và Môi trường thành lập hội đồng thẩm định, khảo sát thực tế.\n' +
      '3. Chủ dự án hoàn thiện báo cáo theo ý kiến hội đồng (thời gian hoàn thiện không tính vào thời hạn).\n' +
      '4. Ủy ban nhân dân tỉnh phê duyệt kết quả thẩm định; trả kết quả.',
    eligibility: 'Chủ dự án đầu tư thuộc đối tượng phải thực hiện đánh giá tác động môi trường, thẩm quyền cấp tỉnh.',
    resultKind: 'paper',
    resultDescription: 'Quyết định phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...MOI_TRUONG_LAW],
    fees: [fee('phi_tham_dinh', 'Phí thẩm định báo cáo đánh giá tác động môi trường', 20000000)], // [config] HĐND tỉnh
    components: [
      comp('van_ban_de_nghi', 'Văn bản đề nghị thẩm định báo cáo đánh giá tác động môi trường', 'original'),
      comp('bao_cao_dtm', 'Báo cáo đánh giá tác động môi trường', 'original', true, undefined, 7),
      comp('bao_cao_nghien_cuu_kha_thi', 'Báo cáo nghiên cứu khả thi hoặc tài liệu tương đương', 'copy'),
    ],
    form: [
      text('ten_du_an', 'Tên dự án'),
      taxCode('ma_so_thue', 'Mã số thuế chủ dự án'),
      unitCode('dia_diem', 'Xã, phường nơi thực hiện dự án'),
      num('dien_tich_du_an', 'Diện tích dự án (ha)', 0, 100_000),
      select('nhom_du_an', 'Nhóm dự án theo mức độ tác động môi trường', [
        ['nhom_i', 'Nhóm I'],
        ['nhom_ii', 'Nhóm II'],
      ]),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 2,
  },
  {
    code: '1.010734',
    name: 'Đăng ký môi trường',
    fieldCode: 'moi_truong',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 5, unit: 'working_days' },
    steps:
      '1. Chủ dự án, cơ sở gửi văn bản đăng ký môi trường trực tuyến, qua bưu chính hoặc trực tiếp.\n' +
      '2. Ủy ban nhân dân cấp xã tiếp nhận, kiểm tra, cập nhật vào cơ sở dữ liệu môi trường.\n' +
      '3. Thông báo tiếp nhận cho chủ dự án, cơ sở.',
    eligibility: 'Dự án đầu tư, cơ sở có phát sinh chất thải thuộc đối tượng phải đăng ký môi trường.',
    resultKind: 'electronic',
    resultDescription: 'Thông báo tiếp nhận đăng ký môi trường',
    resultDelivery: DELIVERY_ELECTRONIC,
    legalBasis: [...MOI_TRUONG_LAW],
    fees: [],
    components: [comp('van_ban_dang_ky', 'Văn bản đăng ký môi trường (theo mẫu)', 'original')],
    form: [
      text('ten_co_so', 'Tên dự án, cơ sở'),
      unitCode('dia_diem', 'Xã, phường nơi đặt cơ sở'),
      textarea('loai_chat_thai', 'Loại, khối lượng chất thải phát sinh'),
      phone(),
      email(),
    ],
    workflow: communeFlow(),
    popularity: 4,
  },
  {
    code: '1.012402',
    name: 'Cấp giấy phép khai thác khoáng sản nhóm III, nhóm IV',
    fieldCode: 'khoang_san',
    tier: 'province',
    competentAgencyCode: 'SNNMT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['organisation'],
    duration: { value: 3, unit: 'months' }, // [config] illustrative; the legal text counts days
    steps:
      '1. Tổ chức nộp hồ sơ đề nghị cấp giấy phép khai thác khoáng sản.\n' +
      '2. Sở Nông nghiệp và Môi trường kiểm tra thực địa, thẩm định hồ sơ, lấy ý kiến các cơ quan liên quan.\n' +
      '3. Trình Ủy ban nhân dân tỉnh cấp giấy phép.\n' +
      '4. Tổ chức nộp lệ phí, nhận giấy phép.',
    eligibility: 'Doanh nghiệp, hợp tác xã đủ điều kiện khai thác khoáng sản theo quy định.',
    resultKind: 'paper',
    resultDescription: 'Giấy phép khai thác khoáng sản',
    resultDelivery: DELIVERY_DESK,
    legalBasis: ['Luật Địa chất và khoáng sản số 54/2024/QH15', 'Thông tư số 191/2016/TT-BTC'],
    fees: [fee('le_phi', 'Lệ phí cấp giấy phép khai thác khoáng sản', 4000000)], // [config] depends on scale
    components: [
      comp('don_de_nghi', 'Đơn đề nghị cấp giấy phép khai thác khoáng sản', 'original'),
      comp('ban_do_khu_vuc', 'Bản đồ khu vực khai thác khoáng sản', 'original'),
      comp('du_an_dau_tu', 'Dự án đầu tư khai thác khoáng sản kèm quyết định chủ trương đầu tư', 'copy'),
      comp('quyet_dinh_dtm', 'Quyết định phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường', 'copy'),
    ],
    form: [
      text('ten_to_chuc', 'Tên tổ chức đề nghị'),
      taxCode(),
      text('loai_khoang_san', 'Loại khoáng sản'),
      unitCode('dia_diem', 'Xã nơi có khu vực khai thác'),
      num('dien_tich_khu_vuc', 'Diện tích khu vực khai thác (ha)', 0, 10_000),
      num('cong_suat', 'Công suất khai thác (m³/năm)', 1, 10_000_000),
      phone(),
    ],
    workflow: departmentFlow(),
    popularity: 1,
  },

  // ------------------------------------------------------------------ Xây dựng, đường bộ
  {
    code: '1.009994',
    name: 'Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ',
    fieldCode: 'xay_dung',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 15, unit: 'days' },
    steps:
      '1. Chủ đầu tư nộp hồ sơ đề nghị cấp giấy phép xây dựng.\n' +
      '2. Cơ quan chuyên môn cấp xã thẩm định hồ sơ, kiểm tra thực địa.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã ký giấy phép xây dựng.\n' +
      '4. Trả giấy phép kèm bản vẽ thiết kế được đóng dấu.',
    eligibility: 'Hộ gia đình, cá nhân là chủ đầu tư xây dựng nhà ở riêng lẻ thuộc đối tượng phải có giấy phép.',
    resultKind: 'paper',
    resultDescription: 'Giấy phép xây dựng kèm bản vẽ thiết kế được đóng dấu',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...XAY_DUNG_LAW, 'Thông tư số 85/2019/TT-BTC'],
    fees: [fee('le_phi', 'Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ', 75000)], // [config] HĐND tỉnh
    components: [
      comp('don_de_nghi', 'Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)', 'original'),
      comp('giay_to_dat', 'Giấy tờ chứng minh quyền sử dụng đất', 'copy'),
      comp('ban_ve_thiet_ke', 'Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)', 'original', true, undefined, 2),
    ],
    form: [
      text('ho_ten_chu_dau_tu', 'Họ tên chủ đầu tư'),
      idNumber(),
      unitCode('xa_phuong_cong_trinh', 'Xã, phường nơi xây dựng'),
      text('dia_chi_cong_trinh', 'Địa chỉ công trình (số thửa, tờ bản đồ, đường phố)'),
      num('dien_tich_xay_dung', 'Diện tích xây dựng tầng 1 (m²)', 1, 10_000),
      num('so_tang', 'Số tầng', 1, 7),
      num('chieu_cao', 'Chiều cao công trình (m)', 1, 50, false),
      phone(),
      commitment(),
    ],
    workflow: communeFlow(),
    popularity: 30,
  },
  {
    code: '1.009974',
    name: 'Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV',
    fieldCode: 'xay_dung',
    tier: 'province',
    competentAgencyCode: 'SXD',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['organisation'],
    duration: { value: 20, unit: 'days' },
    steps:
      '1. Chủ đầu tư nộp hồ sơ đề nghị cấp giấy phép xây dựng.\n' +
      '2. Sở Xây dựng thẩm định hồ sơ, kiểm tra thực địa, lấy ý kiến cơ quan liên quan.\n' +
      '3. Lãnh đạo Sở Xây dựng ký giấy phép.\n' +
      '4. Trả kết quả.',
    eligibility: 'Chủ đầu tư công trình thuộc thẩm quyền cấp phép của Sở Xây dựng.',
    resultKind: 'paper',
    resultDescription: 'Giấy phép xây dựng kèm hồ sơ thiết kế được đóng dấu',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...XAY_DUNG_LAW, 'Thông tư số 85/2019/TT-BTC'],
    fees: [fee('le_phi', 'Lệ phí cấp giấy phép xây dựng công trình', 150000)], // [config] HĐND tỉnh
    components: [
      comp('don_de_nghi', 'Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)', 'original'),
      comp('giay_to_dat', 'Giấy tờ chứng minh quyền sử dụng đất', 'copy'),
      comp('quyet_dinh_dau_tu', 'Quyết định phê duyệt dự án, văn bản thẩm định thiết kế', 'copy'),
      comp('ho_so_thiet_ke', 'Hồ sơ thiết kế xây dựng', 'original', true, undefined, 2),
    ],
    form: [
      text('ten_chu_dau_tu', 'Tên chủ đầu tư'),
      taxCode(),
      text('ten_cong_trinh', 'Tên công trình'),
      select('cap_cong_trinh', 'Cấp công trình', [
        ['cap_iii', 'Cấp III'],
        ['cap_iv', 'Cấp IV'],
      ]),
      unitCode('dia_diem', 'Xã, phường nơi xây dựng'),
      num('tong_dien_tich_san', 'Tổng diện tích sàn (m²)', 1, 1_000_000),
      phone(),
      email(),
    ],
    workflow: departmentFlow(),
    popularity: 5,
  },
  {
    code: '1.002856',
    name: 'Cấp Giấy phép kinh doanh vận tải bằng xe ô tô',
    fieldCode: 'giao_thong',
    tier: 'province',
    competentAgencyCode: 'SXD',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['organisation'],
    duration: { value: 5, unit: 'working_days' },
    steps:
      '1. Đơn vị kinh doanh vận tải nộp hồ sơ trực tuyến hoặc tại Trung tâm Phục vụ hành chính công tỉnh.\n' +
      '2. Sở Xây dựng thẩm định hồ sơ.\n' +
      '3. Lãnh đạo Sở ký Giấy phép kinh doanh vận tải.\n' +
      '4. Trả kết quả.',
    eligibility: 'Doanh nghiệp, hợp tác xã, hộ kinh doanh kinh doanh vận tải bằng xe ô tô có trụ sở trên địa bàn tỉnh.',
    resultKind: 'both',
    resultDescription: 'Giấy phép kinh doanh vận tải bằng xe ô tô',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...VAN_TAI_LAW],
    fees: [fee('le_phi', 'Lệ phí cấp Giấy phép kinh doanh vận tải bằng xe ô tô', 200000)],
    components: [
      comp('giay_de_nghi', 'Giấy đề nghị cấp Giấy phép kinh doanh (theo mẫu)', 'original'),
      comp('phuong_an_kinh_doanh', 'Phương án kinh doanh vận tải', 'original'),
      comp('van_bang_nguoi_dieu_hanh', 'Văn bằng, chứng chỉ của người trực tiếp điều hành hoạt động vận tải', 'copy'),
    ],
    form: [
      text('ten_don_vi', 'Tên đơn vị kinh doanh vận tải'),
      taxCode(),
      select('loai_hinh', 'Loại hình kinh doanh', [
        ['tuyen_co_dinh', 'Vận tải hành khách theo tuyến cố định'],
        ['xe_buyt', 'Vận tải hành khách bằng xe buýt'],
        ['taxi', 'Vận tải hành khách bằng xe taxi'],
        ['hop_dong', 'Vận tải hành khách theo hợp đồng'],
        ['du_lich', 'Vận tải khách du lịch'],
        ['hang_hoa', 'Vận tải hàng hóa'],
      ]),
      num('so_luong_xe', 'Số lượng xe', 1, 1000),
      text('nguoi_dieu_hanh', 'Họ tên người điều hành hoạt động vận tải'),
      phone(),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 6,
  },
  {
    code: '1.002859',
    name: 'Cấp phù hiệu xe ô tô kinh doanh vận tải',
    fieldCode: 'giao_thong',
    tier: 'province',
    competentAgencyCode: 'SXD',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['online', 'in_person', 'post'],
    applicantTypes: ['organisation'],
    duration: { value: 2, unit: 'working_days' },
    steps:
      '1. Đơn vị kinh doanh vận tải nộp hồ sơ trực tuyến.\n' +
      '2. Sở Xây dựng kiểm tra dữ liệu phương tiện, thiết bị giám sát hành trình.\n' +
      '3. Cấp phù hiệu.\n' +
      '4. Trả kết quả qua bưu chính hoặc tại Trung tâm.',
    eligibility: 'Đơn vị đã được cấp Giấy phép kinh doanh vận tải bằng xe ô tô.',
    resultKind: 'paper',
    resultDescription: 'Phù hiệu xe ô tô kinh doanh vận tải',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...VAN_TAI_LAW],
    fees: [],
    components: [
      comp('giay_de_nghi', 'Giấy đề nghị cấp phù hiệu (theo mẫu)', 'original'),
      comp('dang_ky_xe', 'Giấy đăng ký xe hoặc hợp đồng thuê phương tiện', 'copy'),
    ],
    form: [
      taxCode(),
      text('bien_so_xe', 'Biển số xe', true, 'Ví dụ: 18A-123.45'),
      select('loai_phu_hieu', 'Loại phù hiệu', [
        ['xe_hop_dong', 'Xe hợp đồng'],
        ['xe_tuyen_co_dinh', 'Xe tuyến cố định'],
        ['xe_taxi', 'Xe taxi'],
        ['xe_tai', 'Xe tải'],
      ]),
      num('so_cho', 'Số chỗ ngồi hoặc khối lượng hàng chuyên chở (tấn)', 1, 80),
      email(),
    ],
    workflow: departmentFlow(),
    popularity: 15,
  },

  // ------------------------------------------------------------------ Bảo trợ xã hội
  {
    code: '1.001776',
    name: 'Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng',
    fieldCode: 'bao_tro_xa_hoi',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 15, unit: 'working_days' },
    steps:
      '1. Đối tượng hoặc người giám hộ nộp tờ khai.\n' +
      '2. Công chức phụ trách lao động - xã hội xem xét, niêm yết công khai danh sách.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã quyết định trợ cấp xã hội.\n' +
      '4. Trả kết quả; chi trả từ tháng có quyết định.',
    eligibility: 'Người cao tuổi, người khuyết tật, trẻ em có hoàn cảnh đặc biệt và các đối tượng bảo trợ xã hội khác theo quy định.',
    resultKind: 'both',
    resultDescription: 'Quyết định trợ cấp xã hội hằng tháng',
    resultDelivery: DELIVERY_ANY,
    legalBasis: [...BAO_TRO_LAW],
    fees: [],
    components: [
      comp('to_khai', 'Tờ khai đề nghị trợ giúp xã hội (theo mẫu)', 'original'),
      comp('giay_xac_nhan_khuyet_tat', 'Giấy xác nhận khuyết tật (đối với người khuyết tật)', 'copy', false),
    ],
    form: [
      text('ho_ten_doi_tuong', 'Họ tên đối tượng'),
      idNumber(),
      date('ngay_sinh', 'Ngày sinh', 'past'),
      select('nhom_doi_tuong', 'Nhóm đối tượng', [
        ['nguoi_cao_tuoi', 'Người cao tuổi'],
        ['nguoi_khuyet_tat', 'Người khuyết tật'],
        ['tre_em_mo_coi', 'Trẻ em mồ côi, không nơi nương tựa'],
        ['don_than_ngheo', 'Người đơn thân nghèo đang nuôi con'],
      ]),
      unitCode('noi_cu_tru', 'Xã, phường nơi cư trú'),
      text('so_tai_khoan', 'Số tài khoản nhận trợ cấp (nếu có)', false),
      phone('so_dien_thoai', 'Số điện thoại', false),
      commitment(),
    ],
    workflow: communeFlow(),
    popularity: 20,
  },
  {
    code: '1.001758',
    name: 'Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội',
    fieldCode: 'bao_tro_xa_hoi',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Cơ quan, tổ chức, gia đình hoặc cá nhân tổ chức mai táng nộp tờ khai.\n' +
      '2. Công chức phụ trách lao động - xã hội xem xét.\n' +
      '3. Chủ tịch Ủy ban nhân dân cấp xã quyết định hỗ trợ chi phí mai táng.\n' +
      '4. Trả kết quả.',
    eligibility: 'Cơ quan, tổ chức, gia đình, cá nhân tổ chức mai táng cho đối tượng bảo trợ xã hội qua đời.',
    resultKind: 'paper',
    resultDescription: 'Quyết định hỗ trợ chi phí mai táng',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...BAO_TRO_LAW],
    fees: [],
    components: [
      comp('to_khai', 'Tờ khai đề nghị hỗ trợ chi phí mai táng (theo mẫu)', 'original'),
      comp('trich_luc_khai_tu', 'Trích lục khai tử hoặc giấy báo tử', 'copy'),
    ],
    form: [
      text('ho_ten_nguoi_mat', 'Họ tên đối tượng đã mất'),
      idNumber('so_dinh_danh_nguoi_mat', 'Số định danh cá nhân của đối tượng đã mất'),
      date('ngay_mat', 'Ngày mất', 'past'),
      text('ho_ten_nguoi_to_chuc', 'Họ tên người hoặc tên tổ chức đứng ra mai táng'),
      phone(),
    ],
    workflow: communeFlow(),
    popularity: 6,
  },
  {
    code: '2.000286',
    name: 'Tiếp nhận đối tượng cần bảo vệ khẩn cấp vào cơ sở trợ giúp xã hội cấp tỉnh',
    fieldCode: 'bao_tro_xa_hoi',
    tier: 'province',
    competentAgencyCode: 'SYT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person'],
    applicantTypes: ['citizen', 'organisation'],
    duration: { value: 24, unit: 'hours' },
    steps:
      '1. Cơ quan, tổ chức, cá nhân phát hiện đối tượng cần bảo vệ khẩn cấp đưa đối tượng đến cơ sở trợ giúp xã hội.\n' +
      '2. Cơ sở lập biên bản tiếp nhận, báo cáo Sở Y tế.\n' +
      '3. Lãnh đạo quyết định tiếp nhận, chăm sóc, nuôi dưỡng tạm thời.',
    eligibility: 'Trẻ em bị bỏ rơi, nạn nhân của bạo lực gia đình, người lang thang và các đối tượng cần bảo vệ khẩn cấp khác.',
    resultKind: 'paper',
    resultDescription: 'Quyết định tiếp nhận đối tượng vào cơ sở trợ giúp xã hội',
    resultDelivery: 'Tại cơ sở trợ giúp xã hội tiếp nhận đối tượng',
    legalBasis: [...BAO_TRO_LAW],
    fees: [],
    components: [
      comp('bien_ban', 'Biên bản về việc tiếp nhận đối tượng cần bảo vệ khẩn cấp', 'original'),
      comp('giay_to_lien_quan', 'Giấy tờ tùy thân của đối tượng (nếu có)', 'copy', false),
    ],
    form: [
      text('ho_ten_doi_tuong', 'Họ tên đối tượng (nếu biết)', false),
      date('ngay_phat_hien', 'Ngày phát hiện', 'past'),
      text('noi_phat_hien', 'Nơi phát hiện'),
      textarea('tinh_trang', 'Tình trạng của đối tượng'),
      phone('so_dien_thoai_nguoi_dua', 'Số điện thoại người đưa đối tượng đến'),
    ],
    workflow: [
      { key: 'tiep_nhan_xac_minh', name: 'Cơ sở trợ giúp xã hội tiếp nhận, xác minh', role: 'specialist', share: 0.7 },
      { key: 'quyet_dinh', name: 'Lãnh đạo quyết định tiếp nhận', role: 'leader', share: 0.3 },
    ],
    popularity: 1,
  },

  // ------------------------------------------------------------------ Người có công (Sở Nội vụ)
  {
    code: '1.010813',
    name: 'Giải quyết chế độ trợ cấp thờ cúng liệt sĩ',
    fieldCode: 'nguoi_co_cong',
    tier: 'province',
    competentAgencyCode: 'SNV',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 12, unit: 'working_days' },
    steps:
      '1. Người thờ cúng liệt sĩ nộp tờ khai và văn bản ủy quyền thờ cúng (nếu có).\n' +
      '2. Sở Nội vụ kiểm tra hồ sơ liệt sĩ, thẩm định.\n' +
      '3. Lãnh đạo Sở quyết định trợ cấp thờ cúng liệt sĩ.\n' +
      '4. Trả kết quả.',
    eligibility: 'Thân nhân hoặc người được ủy quyền thờ cúng liệt sĩ.',
    resultKind: 'paper',
    resultDescription: 'Quyết định trợ cấp thờ cúng liệt sĩ',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: ['Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14', 'Nghị định số 131/2021/NĐ-CP'],
    fees: [],
    components: [
      comp('to_khai', 'Tờ khai đề nghị trợ cấp thờ cúng liệt sĩ (theo mẫu)', 'original'),
      comp('van_ban_uy_quyen', 'Biên bản ủy quyền thờ cúng liệt sĩ (nếu có)', 'original', false),
      comp('bang_to_quoc_ghi_cong', 'Bằng Tổ quốc ghi công', 'copy'),
    ],
    form: [
      text('ho_ten_nguoi_tho_cung', 'Họ tên người thờ cúng'),
      idNumber(),
      text('ho_ten_liet_si', 'Họ tên liệt sĩ'),
      text('so_bang_to_quoc_ghi_cong', 'Số Bằng Tổ quốc ghi công'),
      unitCode('noi_cu_tru', 'Xã, phường nơi cư trú của người thờ cúng'),
      phone(),
    ],
    workflow: departmentFlow(),
    popularity: 3,
  },

  // ------------------------------------------------------------------ Giáo dục và Đào tạo
  {
    code: '3.000182',
    name: 'Chuyển trường đối với học sinh trung học phổ thông',
    fieldCode: 'giao_duc',
    tier: 'province',
    competentAgencyCode: 'SGDDT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['online', 'in_person'],
    applicantTypes: ['citizen'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Cha, mẹ hoặc người giám hộ nộp đơn xin chuyển trường trực tuyến.\n' +
      '2. Trường nơi đến tiếp nhận, Sở Giáo dục và Đào tạo xem xét.\n' +
      '3. Lãnh đạo Sở đồng ý chuyển trường; trả kết quả bản điện tử.',
    eligibility: 'Học sinh trung học phổ thông chuyển trường trong tỉnh hoặc từ tỉnh khác đến.',
    resultKind: 'electronic',
    resultDescription: 'Văn bản đồng ý tiếp nhận học sinh chuyển trường',
    resultDelivery: DELIVERY_ELECTRONIC,
    legalBasis: [...GIAO_DUC_LAW],
    fees: [],
    components: [
      comp('don_xin', 'Đơn xin chuyển trường do cha, mẹ hoặc người giám hộ ký', 'original'),
      comp('hoc_ba', 'Học bạ', 'original'),
      comp('giay_gioi_thieu', 'Giấy giới thiệu chuyển trường của trường nơi đi', 'original'),
    ],
    form: [
      text('ho_ten_hoc_sinh', 'Họ tên học sinh'),
      idNumber('so_dinh_danh_hoc_sinh', 'Số định danh cá nhân của học sinh'),
      select('lop', 'Lớp', [
        ['10', 'Lớp 10'],
        ['11', 'Lớp 11'],
        ['12', 'Lớp 12'],
      ]),
      text('truong_noi_di', 'Trường nơi đi'),
      text('truong_noi_den', 'Trường nơi đến'),
      textarea('ly_do', 'Lý do chuyển trường'),
      phone('so_dien_thoai', 'Số điện thoại cha, mẹ hoặc người giám hộ'),
    ],
    workflow: departmentFlow(),
    popularity: 8,
  },
  {
    code: '3.000181',
    name: 'Chuyển trường đối với học sinh trung học cơ sở',
    fieldCode: 'giao_duc',
    tier: 'commune',
    competentAgencyCode: COMMUNE_COMMITTEE,
    receivingAgencyCodes: [...COMMUNE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['online', 'in_person'],
    applicantTypes: ['citizen'],
    duration: { value: 3, unit: 'working_days' },
    steps:
      '1. Cha, mẹ hoặc người giám hộ nộp đơn xin chuyển trường trực tuyến.\n' +
      '2. Trường nơi đến xem xét, Ủy ban nhân dân cấp xã phê duyệt.\n' +
      '3. Trả kết quả bản điện tử.',
    eligibility: 'Học sinh trung học cơ sở chuyển trường.',
    resultKind: 'electronic',
    resultDescription: 'Văn bản đồng ý tiếp nhận học sinh chuyển trường',
    resultDelivery: DELIVERY_ELECTRONIC,
    legalBasis: [...GIAO_DUC_LAW],
    fees: [],
    components: [comp('don_xin', 'Đơn xin chuyển trường do cha, mẹ hoặc người giám hộ ký', 'original'), comp('hoc_ba', 'Học bạ', 'original')],
    form: [
      text('ho_ten_hoc_sinh', 'Họ tên học sinh'),
      idNumber('so_dinh_danh_hoc_sinh', 'Số định danh cá nhân của học sinh'),
      select('lop', 'Lớp', [
        ['6', 'Lớp 6'],
        ['7', 'Lớp 7'],
        ['8', 'Lớp 8'],
        ['9', 'Lớp 9'],
      ]),
      text('truong_noi_den', 'Trường nơi đến'),
      phone('so_dien_thoai', 'Số điện thoại cha, mẹ hoặc người giám hộ'),
    ],
    workflow: communeFlow(),
    popularity: 10,
  },
  {
    code: '2.001914',
    name: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc',
    fieldCode: 'giao_duc',
    tier: 'province',
    competentAgencyCode: 'SGDDT',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'full',
    channels: ['in_person', 'online', 'post'],
    applicantTypes: ['citizen'],
    duration: { value: 1, unit: 'working_days' },
    steps:
      '1. Người được cấp văn bằng nộp đề nghị trực tuyến hoặc tại Trung tâm Phục vụ hành chính công tỉnh.\n' +
      '2. Sở Giáo dục và Đào tạo đối chiếu sổ gốc.\n' +
      '3. Lãnh đạo ký bản sao; trả kết quả.',
    eligibility: 'Người được cấp văn bằng, chứng chỉ; người đại diện theo pháp luật, người được ủy quyền.',
    resultKind: 'paper',
    resultDescription: 'Bản sao văn bằng, chứng chỉ từ sổ gốc',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: [...GIAO_DUC_LAW, 'Nghị định số 23/2015/NĐ-CP'],
    fees: [],
    components: [comp('don_de_nghi', 'Đơn đề nghị cấp bản sao văn bằng, chứng chỉ từ sổ gốc', 'original')],
    form: [
      text('ho_ten', 'Họ tên người được cấp văn bằng'),
      date('ngay_sinh', 'Ngày sinh', 'past'),
      select('loai_van_bang', 'Loại văn bằng', [
        ['tot_nghiep_thpt', 'Bằng tốt nghiệp trung học phổ thông'],
        ['tot_nghiep_thcs', 'Bằng tốt nghiệp trung học cơ sở'],
        ['chung_chi', 'Chứng chỉ'],
      ]),
      num('nam_tot_nghiep', 'Năm tốt nghiệp', 1960, 2100),
      num('so_ban', 'Số bản đề nghị cấp', 1, 10),
    ],
    workflow: departmentFlow(),
    popularity: 12,
  },

  // ------------------------------------------------------------------ Thi đua, khen thưởng (Sở Nội vụ)
  {
    code: '1.012188',
    name: 'Tặng Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh',
    fieldCode: 'thi_dua_khen_thuong',
    tier: 'province',
    competentAgencyCode: 'SNV',
    receivingAgencyCodes: [...PROVINCE_RECEIVERS],
    onlineLevel: 'partial',
    channels: ['in_person', 'online'],
    applicantTypes: ['organisation'],
    duration: { value: 20, unit: 'working_days' },
    steps:
      '1. Cơ quan, đơn vị trình khen thưởng nộp tờ trình và báo cáo thành tích.\n' +
      '2. Sở Nội vụ thẩm định, trình Chủ tịch Ủy ban nhân dân tỉnh.\n' +
      '3. Chủ tịch Ủy ban nhân dân tỉnh quyết định tặng Bằng khen.\n' +
      '4. Trả kết quả.',
    eligibility: 'Cơ quan, đơn vị đề nghị khen thưởng cho tập thể, cá nhân có thành tích.',
    resultKind: 'paper',
    resultDescription: 'Quyết định và Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh',
    resultDelivery: DELIVERY_DESK_OR_POST,
    legalBasis: ['Luật Thi đua, khen thưởng số 06/2022/QH15', 'Nghị định số 98/2023/NĐ-CP'],
    fees: [],
    components: [
      comp('to_trinh', 'Tờ trình đề nghị khen thưởng', 'original'),
      comp('bao_cao_thanh_tich', 'Báo cáo thành tích của tập thể, cá nhân', 'original'),
      comp('bien_ban_hoi_dong', 'Biên bản họp Hội đồng thi đua, khen thưởng cấp trình', 'original'),
    ],
    form: [
      text('ten_co_quan_trinh', 'Tên cơ quan, đơn vị trình'),
      select('doi_tuong', 'Đối tượng khen thưởng', [
        ['tap_the', 'Tập thể'],
        ['ca_nhan', 'Cá nhân'],
      ]),
      num('so_luong', 'Số lượng tập thể, cá nhân đề nghị', 1, 200),
      textarea('thanh_tich', 'Tóm tắt thành tích'),
      email('email', 'Thư điện tử', true),
    ],
    workflow: departmentFlow(),
    popularity: 4,
  },
];
