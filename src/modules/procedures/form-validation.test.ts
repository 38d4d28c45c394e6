import { describe, expect, it } from 'vitest';
import { validateForm } from './form-validation.ts';
import type { FormField } from './procedures.schemas.ts';

const fields: FormField[] = [
  { key: 'ho_ten', label: 'Họ và tên', type: 'text', required: true },
  { key: 'so_ban', label: 'Số bản sao', type: 'number', required: true, min: 1, max: 10 },
  { key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true },
  {
    key: 'gioi_tinh',
    label: 'Giới tính',
    type: 'select',
    required: true,
    options: [
      { value: 'nam', label: 'Nam' },
      { value: 'nu', label: 'Nữ' },
    ],
  },
  { key: 'cam_ket', label: 'Tôi cam đoan', type: 'checkbox', required: true },
  { key: 'email', label: 'Email', type: 'email', required: false },
  { key: 'sdt', label: 'Điện thoại', type: 'phone', required: false },
  { key: 'cccd', label: 'CCCD', type: 'id_number', required: false },
  { key: 'mst', label: 'MST', type: 'tax_code', required: false },
  { key: 'xa', label: 'Xã', type: 'unit_code', required: false },
  { key: 'ma', label: 'Mã', type: 'text', required: false, pattern: '[A-Z]{2}\\d{3}' },
];

const good = { ho_ten: 'Nguyễn Văn An', so_ban: '2', ngay_sinh: '2026-02-29'.replace('29', '28'), gioi_tinh: 'nam', cam_ket: 'on' };

describe('validateForm', () => {
  it('accepts a complete, well-formed answer and normalises it', () => {
    const r = validateForm(
      fields,
      { ...good, email: 'An@Example.VN', sdt: '+84 912 345 678', mst: '0101234567-001', xa: '13669', ho_ten: 'Nguyễn Văn An'.normalize('NFD') },
      { partial: false },
    );
    expect(r.errors).toEqual([]);
    expect(r.values).toMatchObject({ ho_ten: 'Nguyễn Văn An', so_ban: 2, cam_ket: true, email: 'an@example.vn', sdt: '0912345678', mst: '0101234567001' });
    expect(r.unitCodes).toEqual([{ key: 'xa', code: '13669' }]);
  });

  it('lists every missing required field, including an unticked commitment', () => {
    const r = validateForm(fields, {}, { partial: false });
    expect(r.errors.map((e) => e.path).sort()).toEqual(['form.cam_ket', 'form.gioi_tinh', 'form.ho_ten', 'form.ngay_sinh', 'form.so_ban']);
    // Worded by how the answer is given: typed, chosen from a list, ticked.
    const message = (path: string) => r.errors.find((e) => e.path === path)?.message;
    expect(message('form.ho_ten')).toBe('Chưa nhập Họ và tên');
    expect(message('form.ngay_sinh')).toBe('Chưa nhập Ngày sinh');
    expect(message('form.gioi_tinh')).toBe('Chưa chọn Giới tính');
    expect(message('form.cam_ket')).toBe('Cần xác nhận: Tôi cam đoan');
  });

  it('lets a draft skip required fields but not malformed values', () => {
    expect(validateForm(fields, {}, { partial: true }).errors).toEqual([]);
    const r = validateForm(
      fields,
      { ngay_sinh: '2026-02-30', so_ban: '11', cccd: '12345', gioi_tinh: 'x', sdt: '123', mst: '12', xa: '1366', email: 'a@b', ma: 'ab123' },
      { partial: true },
    );
    expect(r.errors.map((e) => e.path).sort()).toEqual(
      ['form.cccd', 'form.email', 'form.gioi_tinh', 'form.ma', 'form.mst', 'form.ngay_sinh', 'form.sdt', 'form.so_ban', 'form.xa'].sort(),
    );
  });

  it('rejects unknown keys and non-scalar values', () => {
    const r = validateForm(fields, { ...good, truong_la: 'x', ho_ten: { $ne: 1 } }, { partial: false });
    expect(r.errors.map((e) => e.path).sort()).toEqual(['form.ho_ten', 'form.truong_la']);
  });

  it('gives every error a stable reason and the values it names (pages word it in their language)', () => {
    const reasons = (input: Record<string, unknown>, partial = true) =>
      validateForm(fields, input, { partial }).errors.map((e) => [e.path, e.reason, e.params]);
    expect(
      reasons({ ngay_sinh: '2026-02-30', so_ban: '11', cccd: '12345', gioi_tinh: 'x', sdt: '123', mst: '12', xa: '1366', email: 'a@b', ma: 'ab123', la: 1 }),
    ).toEqual([
      ['form.la', 'unknown_field', { key: 'la' }],
      ['form.so_ban', 'max', { label: 'Số bản sao', max: 10 }],
      ['form.ngay_sinh', 'date_format', { label: 'Ngày sinh' }],
      ['form.gioi_tinh', 'select', { label: 'Giới tính' }],
      ['form.email', 'email', { label: 'Email' }],
      ['form.sdt', 'phone', { label: 'Điện thoại' }],
      ['form.cccd', 'id_number', { label: 'CCCD' }],
      ['form.mst', 'tax_code', { label: 'MST' }],
      ['form.xa', 'unit_code', { label: 'Xã' }],
      ['form.ma', 'pattern', { label: 'Mã' }],
    ]);
    expect(reasons({ so_ban: '0', ho_ten: 'x'.repeat(501), cam_ket: 'maybe' })).toEqual([
      ['form.ho_ten', 'too_long', { label: 'Họ và tên', max: 500 }],
      ['form.so_ban', 'min', { label: 'Số bản sao', min: 1 }],
      ['form.cam_ket', 'invalid_value', { label: 'Tôi cam đoan' }],
    ]);
    expect(reasons({ so_ban: 'hai', ho_ten: ['x'] })).toEqual([
      ['form.ho_ten', 'invalid_value', { label: 'Họ và tên' }],
      ['form.so_ban', 'not_a_number', { label: 'Số bản sao' }],
    ]);
    expect(reasons({}, false)).toEqual([
      ['form.ho_ten', 'required', { label: 'Họ và tên' }],
      ['form.so_ban', 'required', { label: 'Số bản sao' }],
      ['form.ngay_sinh', 'required', { label: 'Ngày sinh' }],
      ['form.gioi_tinh', 'choice_required', { label: 'Giới tính' }],
      ['form.cam_ket', 'confirm_required', { label: 'Tôi cam đoan' }],
    ]);
  });
});

describe('unit_code answers', () => {
  const unit: FormField[] = [{ key: 'dv', label: 'Đơn vị', type: 'unit_code', required: true }];
  it('accepts a province (2 digits) and a commune (5 digits), and nothing else', () => {
    for (const code of ['37', '13669', ' 01 ']) {
      const r = validateForm(unit, { dv: code }, { partial: false });
      expect(r.errors, code).toEqual([]);
      expect(r.unitCodes).toEqual([{ key: 'dv', code: code.trim() }]);
    }
    for (const code of ['3', '356', '1366', '136690', '37a', '3 7']) {
      const r = validateForm(unit, { dv: code }, { partial: false });
      expect(
        r.errors.map((e) => e.path),
        code,
      ).toEqual(['form.dv']);
      expect(r.unitCodes, code).toEqual([]);
    }
  });
});

describe('phone answers', () => {
  const phone: FormField[] = [{ key: 'sdt', label: 'Điện thoại', type: 'phone', required: true }];
  const check = (v: string) => validateForm(phone, { sdt: v }, { partial: false });
  it('accepts mobiles and landlines in their usual written forms and stores digits only', () => {
    const cases: [string, string][] = [
      ['0912345678', '0912345678'],
      ['+84 912 345 678', '0912345678'],
      ['84912345678', '0912345678'],
      ['0912.345.678', '0912345678'],
      // Landlines: 02 + area code + subscriber, 11 digits (Nam Định 0228, Ninh Bình 0229, Hà Nội 024).
      ['0228 3849 123', '02283849123'],
      ['(0228) 3.849.123', '02283849123'],
      ['0229-3871-234', '02293871234'],
      ['024 3825 1234', '02438251234'],
      ['+84 24 3825 1234', '02438251234'],
      ['+84 (0) 228 3849 123', '02283849123'],
      ['842283849123', '02283849123'],
    ];
    for (const [input, stored] of cases) {
      const r = check(input);
      expect(r.errors, input).toEqual([]);
      expect(r.values.sdt, input).toBe(stored);
    }
  });
  it('refuses numbers of the wrong length or prefix', () => {
    // 10 digits starting 02; 12 digits; the retired 11-digit mobiles (01x); 06 is no mobile range;
    // a landline missing a digit after +84; letters.
    for (const bad of ['0228384912', '022838491234', '01283849123', '0612345678', '+84 228 384 912', '0912 345 67x', '+1 202 555 0123']) {
      expect(
        check(bad).errors.map((e) => e.path),
        bad,
      ).toEqual(['form.sdt']);
    }
  });
});

describe('pattern', () => {
  it('applies to every string type after normalisation, not only text', () => {
    const f: FormField[] = [
      { key: 'email', label: 'Email', type: 'email', required: false, pattern: '[^@]+@ninhbinh\\.gov\\.vn' },
      { key: 'sdt', label: 'Điện thoại', type: 'phone', required: false, pattern: '0229\\d{7}' },
      { key: 'cccd', label: 'CCCD', type: 'id_number', required: false, pattern: '037\\d{9}' },
      { key: 'mst', label: 'MST', type: 'tax_code', required: false, pattern: '\\d{10}' },
      { key: 'xa', label: 'Xã', type: 'unit_code', required: false, pattern: '\\d{5}' },
      { key: 'ghi_chu', label: 'Ghi chú', type: 'textarea', required: false, pattern: '[^<>]*' },
    ];
    const ok = validateForm(
      f,
      { email: 'Lan@NinhBinh.gov.vn', sdt: '(0229) 3871 234', cccd: '037 090 001 234', mst: '0101234567', xa: '13669', ghi_chu: 'Không có' },
      { partial: true },
    );
    expect(ok.errors).toEqual([]);
    expect(ok.unitCodes).toEqual([{ key: 'xa', code: '13669' }]);
    const bad = validateForm(
      f,
      { email: 'an@example.vn', sdt: '0912345678', cccd: '036090001234', mst: '0101234567-001', xa: '37', ghi_chu: '<b>' },
      { partial: true },
    );
    expect(bad.errors.map((e) => e.path)).toEqual(['form.email', 'form.sdt', 'form.cccd', 'form.mst', 'form.xa', 'form.ghi_chu']);
    expect(bad.errors.every((e) => e.message.endsWith('không đúng định dạng'))).toBe(true);
    // A unit refused by the pattern is not looked up.
    expect(bad.unitCodes).toEqual([]);
  });

  it('reports a malformed value once, with the type’s own message rather than the pattern’s', () => {
    const f: FormField[] = [{ key: 'sdt', label: 'Điện thoại', type: 'phone', required: true, pattern: '0\\d{9}' }];
    const r = validateForm(f, { sdt: '12' }, { partial: false });
    expect(r.errors).toEqual([
      { path: 'form.sdt', message: expect.stringContaining('số điện thoại không hợp lệ'), reason: 'phone', params: { label: 'Điện thoại' } },
    ]);
  });
});

describe('select in NFC', () => {
  it('matches a decomposed answer, and a decomposed option value stored before normalisation', () => {
    const nfd = (s: string) => s.normalize('NFD');
    const f: FormField[] = [
      {
        key: 'quan_he',
        label: 'Quan hệ',
        type: 'select',
        required: true,
        options: [
          { value: nfd('bố'), label: 'Bố' },
          { value: 'mẹ', label: 'Mẹ' },
        ],
      },
    ];
    expect(nfd('bố')).not.toBe('bố');
    for (const answer of ['bố', nfd('bố')]) {
      const r = validateForm(f, { quan_he: answer }, { partial: false });
      expect(r.errors).toEqual([]);
      expect(r.values.quan_he).toBe('bố');
    }
    expect(validateForm(f, { quan_he: nfd('mẹ') }, { partial: false }).values.quan_he).toBe('mẹ');
    expect(validateForm(f, { quan_he: 'bo' }, { partial: false }).errors.map((e) => e.path)).toEqual(['form.quan_he']);
  });
});

describe('a number a fee counts', () => {
  const f: FormField[] = [
    { key: 'so_ban_them', label: 'Số bản cấp thêm', type: 'number', required: false, min: 0, max: 10 },
    { key: 'dien_tich', label: 'Diện tích (m²)', type: 'number', required: false, min: 0 },
  ];
  const fees = [{ perFormField: 'so_ban_them' }, {}];
  it('must be a whole number of units, 0 or more, in a draft and at submission', () => {
    for (const partial of [true, false]) {
      for (const bad of [1.5, '1.5', '2.25', 0.1]) {
        const r = validateForm(f, { so_ban_them: bad }, { partial, fees });
        expect(r.errors, String(bad)).toEqual([
          {
            path: 'form.so_ban_them',
            message: 'Số bản cấp thêm: phải là số nguyên không âm (số lượng dùng để tính lệ phí)',
            reason: 'whole_number',
            params: { label: 'Số bản cấp thêm' },
          },
        ]);
        expect(r.values).not.toHaveProperty('so_ban_them');
      }
    }
    expect(validateForm(f, { so_ban_them: '3' }, { partial: false, fees }).values).toEqual({ so_ban_them: 3 });
    expect(validateForm(f, { so_ban_them: 0 }, { partial: false, fees }).values).toEqual({ so_ban_them: 0 });
    expect(validateForm(f, { so_ban_them: '2.0' }, { partial: false, fees }).values).toEqual({ so_ban_them: 2 });
  });
  it('leaves other number fields free to hold fractions, and the same field when no fee counts it', () => {
    expect(validateForm(f, { dien_tich: '72.5' }, { partial: false, fees }).values).toEqual({ dien_tich: 72.5 });
    expect(validateForm(f, { so_ban_them: 1.5 }, { partial: false }).errors).toEqual([]);
  });
});

describe('invisible characters in text answers', () => {
  const f: FormField[] = [
    { key: 'ho_ten', label: 'Họ và tên', type: 'text', required: true },
    { key: 'ly_do', label: 'Lý do', type: 'textarea', required: true },
    { key: 'ghi_chu', label: 'Ghi chú', type: 'text', required: false },
  ];
  it('counts an answer of only zero-width, bidi or control characters as not given', () => {
    const r = validateForm(f, { ho_ten: '\u200b\u200b', ly_do: '\u202e\u202e\n\u0007', ghi_chu: '\ufeff' }, { partial: false });
    expect(r.errors).toEqual([
      { path: 'form.ho_ten', message: 'Chưa nhập Họ và tên', reason: 'required', params: { label: 'Họ và tên' } },
      { path: 'form.ly_do', message: 'Chưa nhập Lý do', reason: 'required', params: { label: 'Lý do' } },
    ]);
    expect(r.values).toEqual({});
  });
  it('stores the cleaned text; a textarea keeps its line breaks', () => {
    const r = validateForm(f, { ho_ten: 'Nguy\u200bễn\u0007 Văn\r\nAn', ly_do: 'Dòng 1\r\nDòng\u202e 2' }, { partial: false });
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ ho_ten: 'Nguyễn Văn An', ly_do: 'Dòng 1\nDòng 2' });
  });
});

describe('date fields with a dateRange', () => {
  const f: FormField[] = [
    { key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true, dateRange: 'past' },
    { key: 'tu_ngay', label: 'Từ ngày', type: 'date', required: false, dateRange: 'future' },
    { key: 'ngay_khac', label: 'Ngày khác', type: 'date', required: false },
  ];
  // 27/11/2026 00:30 in Hà Nội is still 26/11 in UTC: "today" is the Vietnamese calendar day.
  const now = new Date('2026-11-26T17:30:00Z');
  const check = (answers: Record<string, unknown>, at = now) => validateForm(f, answers, { partial: false, now: at });

  it('accepts today for both rules, the past for past and the future for future', () => {
    expect(check({ ngay_sinh: '2026-11-27', tu_ngay: '2026-11-27' }).errors).toEqual([]);
    expect(check({ ngay_sinh: '1990-01-31', tu_ngay: '2027-01-01', ngay_khac: '2099-12-31' }).errors).toEqual([]);
  });

  it('refuses a birth date after today and a start date before today, in Vietnamese', () => {
    const r = check({ ngay_sinh: '2026-11-28', tu_ngay: '2026-11-26' });
    expect(r.errors).toEqual([
      {
        path: 'form.ngay_sinh',
        message: 'Ngày sinh: không được sau ngày hôm nay (27/11/2026)',
        reason: 'date_after_today',
        params: { label: 'Ngày sinh', date: '27/11/2026' },
      },
      {
        path: 'form.tu_ngay',
        message: 'Từ ngày: không được trước ngày hôm nay (27/11/2026)',
        reason: 'date_before_today',
        params: { label: 'Từ ngày', date: '27/11/2026' },
      },
    ]);
  });

  it('counts today in Asia/Ho_Chi_Minh, not in UTC', () => {
    // At 23:59 on 26/11 in Hà Nội (16:59 UTC) a birth on 27/11 is still tomorrow.
    expect(check({ ngay_sinh: '2026-11-27' }, new Date('2026-11-26T16:59:59Z')).errors.map((e) => e.path)).toEqual(['form.ngay_sinh']);
    expect(check({ ngay_sinh: '2026-11-27' }, new Date('2026-11-26T17:00:00Z')).errors).toEqual([]);
  });

  it('checks drafts too, and leaves a field without a rule alone', () => {
    const r = validateForm(f, { ngay_sinh: '2030-01-01', ngay_khac: '2030-01-01' }, { partial: true, now });
    expect(r.errors.map((e) => e.path)).toEqual(['form.ngay_sinh']);
    // A malformed date gets the format message, not the range one.
    expect(check({ ngay_sinh: '2026-02-30' }).errors[0]?.message).toBe('Ngày sinh: ngày không hợp lệ (định dạng năm-tháng-ngày)');
  });

  it('does not hold an answer a submitted dossier already has to the range again, but does a changed one', () => {
    // Submitted on 20/11 with a start date of 24/11; on 27/11 the citizen corrects another answer.
    const settled = { ngay_sinh: '1990-01-31', tu_ngay: '2026-11-24' };
    const edit = (answers: Record<string, unknown>) => validateForm(f, answers, { partial: true, now, settled }).errors.map((e) => e.path);
    expect(edit({ ...settled, ngay_khac: '2026-01-01' })).toEqual([]);
    expect(edit({ ...settled, tu_ngay: '2026-11-25' })).toEqual(['form.tu_ngay']);
    expect(edit({ ...settled, ngay_sinh: '2026-12-01' })).toEqual(['form.ngay_sinh']);
    // Without what was settled, the passed start date is refused as for a new dossier.
    expect(validateForm(f, settled, { partial: true, now }).errors.map((e) => e.path)).toEqual(['form.tu_ngay']);
  });
});
