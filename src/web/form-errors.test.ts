import { describe, expect, it } from 'vitest';
import { FORM_ERROR_REASONS, validateForm } from '../modules/procedures/form-validation.ts';
import type { FormField } from '../modules/procedures/procedures.schemas.ts';
import { errorText, formField, type PageError } from './application-pages.ts';
import { catalogues, t } from './i18n.ts';
import type { PageCtx } from './layout.ts';

// The generated form's field errors in the page's language: the Vietnamese catalogue says exactly
// what the services say (the API's messages), the English one says it in English with the
// procedure's own words (labels, document names) marked lang="vi".

const vi: PageCtx = { locale: 'vi', userName: null, csrf: null, path: '/' };
const en: PageCtx = { ...vi, locale: 'en' };

const fields: FormField[] = [
  { key: 'ho_ten', label: 'Họ tên đối tượng', type: 'text', required: true },
  { key: 'so_ban', label: 'Số bản sao', type: 'number', required: true, min: 1, max: 10 },
  { key: 'so_ban_them', label: 'Số bản cấp thêm', type: 'number', required: false },
  { key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true, dateRange: 'past' },
  { key: 'tu_ngay', label: 'Từ ngày', type: 'date', required: false, dateRange: 'future' },
  { key: 'gioi_tinh', label: 'Giới tính', type: 'select', required: true, options: [{ value: 'nam', label: 'Nam' }] },
  { key: 'cam_ket', label: 'Tôi cam đoan', type: 'checkbox', required: true },
  { key: 'email', label: 'Thư điện tử', type: 'email', required: false },
  { key: 'sdt', label: 'Điện thoại', type: 'phone', required: false },
  { key: 'cccd', label: 'Số CCCD', type: 'id_number', required: false },
  { key: 'mst', label: 'Mã số thuế', type: 'tax_code', required: false },
  { key: 'xa', label: 'Xã nơi cư trú', type: 'unit_code', required: false },
  { key: 'ma', label: 'Mã hồ sơ cũ', type: 'text', required: false, pattern: '[A-Z]{2}\\d{3}' },
  { key: 'ghi_chu', label: 'Ghi chú', type: 'textarea', required: false },
];
// 27/11/2026 in Hà Nội.
const now = new Date('2026-11-27T03:00:00Z');
const check = (input: Record<string, unknown>, partial = true) =>
  validateForm(fields, input, { partial, now, fees: [{ perFormField: 'so_ban_them' }] }).errors.map((e) => ({ ...e, anchor: e.path }) as PageError);

/** Every reason validateForm gives, each at least once. */
const every: PageError[] = [
  ...check({}, false),
  ...check({ la: 'x', so_ban: '0', so_ban_them: '1.5', ngay_sinh: '2026-11-28', tu_ngay: '2026-11-26', gioi_tinh: 'nu', cam_ket: 'maybe' }),
  ...check({ so_ban: '11', ngay_sinh: '2026-02-30', email: 'a@b', sdt: '123', cccd: '12345', mst: '12', xa: '1366', ma: 'ab123', ho_ten: 'x'.repeat(501) }),
  ...check({ so_ban: 'hai', ghi_chu: ['x'] }),
];

const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;
const outsideVi = (s: string) => s.replace(/<span lang="vi">[^<]*<\/span>/g, '');

describe('form field errors in the page’s language', () => {
  it('has words for every reason validateForm gives, in both languages', () => {
    expect(new Set(every.map((e) => e.reason))).toEqual(new Set(FORM_ERROR_REASONS));
    for (const r of [...FORM_ERROR_REASONS, 'unit_not_in_force', 'unit_replaced', 'component_missing']) {
      expect(`form.err.${r}` in catalogues.vi, r).toBe(true);
    }
  });

  it('says in Vietnamese exactly what the service says', () => {
    for (const e of every) expect(String(errorText(vi, e)), e.reason).toBe(e.message);
    // The lookups of the reference service and the missing documents of the dossier service.
    expect(t('vi', 'form.err.unit_not_in_force', { code: '99999' })).toBe('Mã đơn vị hành chính 99999 không tồn tại hoặc đã hết hiệu lực');
    expect(t('vi', 'form.err.unit_replaced', { code: '13666', units: '13669 (Phường Nam Định)', date: '01/07/2025' })).toBe(
      'Mã đơn vị hành chính 13666 đã được thay bằng 13669 (Phường Nam Định) từ ngày 01/07/2025',
    );
    expect(t('vi', 'form.err.component_missing', { name: 'Tờ khai' })).toBe('Chưa đính kèm: Tờ khai');
    expect(
      String(
        errorText(
          vi,
          every.find((e) => e.reason === 'choice_required')!,
        ),
      ),
    ).toBe('Chưa chọn Giới tính');
  });

  it('says it in English, with the label marked as Vietnamese and the values kept', () => {
    for (const e of every) {
      const text = String(errorText(en, e));
      expect(outsideVi(text), `${e.reason}: ${text}`).not.toMatch(VIETNAMESE);
      if (e.params?.label) expect(text, e.reason).toContain(`<span lang="vi">${String(e.params.label)}</span>`);
    }
    const byReason = (reason: string) =>
      String(
        errorText(
          en,
          every.find((e) => e.reason === reason)!,
        ),
      );
    expect(byReason('required')).toBe('Enter <span lang="vi">Họ tên đối tượng</span>');
    expect(byReason('choice_required')).toBe('Choose <span lang="vi">Giới tính</span>');
    expect(byReason('confirm_required')).toBe('Tick to confirm: <span lang="vi">Tôi cam đoan</span>');
    expect(byReason('date_after_today')).toBe('<span lang="vi">Ngày sinh</span>: must not be after today (27/11/2026)');
    expect(byReason('date_before_today')).toBe('<span lang="vi">Từ ngày</span>: must not be before today (27/11/2026)');
    expect(byReason('min')).toBe('<span lang="vi">Số bản sao</span>: must not be less than 1');
    expect(byReason('max')).toBe('<span lang="vi">Số bản sao</span>: must not be more than 10');
    expect(byReason('too_long')).toBe('<span lang="vi">Họ tên đối tượng</span>: too long (at most 500 characters)');
    expect(byReason('unknown_field')).toBe('This field is not part of the form');
    expect(
      String(
        errorText(en, {
          anchor: 'f-xa',
          message: 'x',
          reason: 'unit_replaced',
          params: { code: '13666', units: '13669 (Phường Nam Định)', date: '01/07/2025' },
        }),
      ),
    ).toBe('The administrative unit code 13666 was replaced by <span lang="vi">13669 (Phường Nam Định)</span> on 01/07/2025');
  });

  it('escapes the values and falls back to the message for an unknown reason or missing values', () => {
    const label = '<b>Tên</b>';
    expect(String(errorText(en, { anchor: 'a', message: 'm', reason: 'required', params: { label } }))).toBe(
      'Enter <span lang="vi">&lt;b&gt;Tên&lt;/b&gt;</span>',
    );
    expect(errorText(en, { anchor: 'a', message: 'Lời gốc', reason: 'no_such_reason', params: { label } })).toBe('Lời gốc');
    expect(errorText(en, { anchor: 'a', message: 'Lời gốc', reason: 'min', params: { label } })).toBe('Lời gốc');
    expect(errorText(en, { anchor: 'a', message: 'Lời gốc' })).toBe('Lời gốc');
  });
});

describe('date rule hints', () => {
  const date = (over: Partial<FormField>): FormField => ({ key: 'ngay', label: 'Ngày sinh', type: 'date', required: true, ...over });
  it('says the rule under the label, joined to the input', () => {
    const past = String(formField(en, date({ dateRange: 'past' }), '', []));
    expect(past).toContain('<p class="hint" id="f-ngay-hint">Not after today</p>');
    expect(past).toMatch(/<input type="date" id="f-ngay" name="f-ngay" value="" max="\d{4}-\d{2}-\d{2}" aria-describedby="f-ngay-hint">/);
    expect(String(formField(vi, date({ dateRange: 'future' }), '', []))).toContain('<p class="hint" id="f-ngay-hint">Không trước ngày hôm nay</p>');
    // With the procedure's own help, both; with an error, the hint and the error.
    const both = String(formField(vi, date({ dateRange: 'past', help: 'Theo giấy chứng sinh' }), '', [{ anchor: 'f-ngay', message: 'Sai' }]));
    expect(both).toContain('<p class="hint" id="f-ngay-hint">Theo giấy chứng sinh<br>Không sau ngày hôm nay</p>');
    expect(both).toContain('aria-describedby="f-ngay-hint f-ngay-error" aria-invalid="true"');
    // No rule, no hint.
    expect(String(formField(en, date({}), '', []))).not.toContain('class="hint"');
  });
});
