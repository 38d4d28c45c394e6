import { describe, expect, it } from 'vitest';
import { ProcedureDefinition } from '../modules/procedures/procedures.schemas.ts';
import { definitionErrors, definitionToValues, valuesFromBody, valuesToDefinition } from './procedure-editor.ts';

const AGENCIES = ['TTPVHCC', 'SO-TP'];
const KNOWN = { fields: ['HT'], agencies: AGENCIES };
/** A complete, valid definition as the editor's form values, with a birth date field in row 2. */
const form = (extra: Record<string, string>) =>
  valuesFromBody({
    name: 'Đăng ký khai sinh',
    fieldCode: 'HT',
    tier: 'commune',
    competentAgencyCode: 'SO-TP',
    'recv.TTPVHCC': 'on',
    onlineLevel: 'full',
    'channel.online': 'on',
    'applicant.citizen': 'on',
    durationValue: '1',
    durationUnit: 'working_days',
    steps: 'Nộp hồ sơ',
    eligibility: 'Công dân',
    resultKind: 'electronic',
    resultDescription: 'Giấy khai sinh',
    resultDelivery: 'Tại Bộ phận Một cửa',
    legalBasis: 'Luật Hộ tịch',
    popularity: '0',
    'form.0.key': 'ho_ten',
    'form.0.label': 'Họ tên',
    'form.0.type': 'text',
    'form.0.required': 'on',
    'form.1.key': 'ngay_sinh',
    'form.1.label': 'Ngày sinh',
    'form.1.type': 'date',
    'form.1.required': 'on',
    'wf.0.key': 'phe_duyet',
    'wf.0.name': 'Lãnh đạo phê duyệt',
    'wf.0.role': 'leader',
    'wf.0.share': '1',
    ...extra,
  });
const errorsOf = (locale: 'vi' | 'en', v: ReturnType<typeof form>) => {
  const { input, rowOf } = valuesToDefinition(v, AGENCIES);
  return definitionErrors(locale, v, input, rowOf, KNOWN);
};

describe('the procedure editor’s date limit', () => {
  it('sets, keeps and clears a date field’s dateRange', () => {
    const set = valuesToDefinition(form({ 'form.1.dateRange': 'past' }), AGENCIES).input;
    const def = ProcedureDefinition.parse(set);
    expect(def.form[1]).toEqual({ key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true, dateRange: 'past' });
    // Editing the version again shows the rule, and sending it back unchanged keeps it.
    const shown = definitionToValues(def);
    expect(shown['form.1.dateRange']).toBe('past');
    expect(shown['form.0.dateRange']).toBe('');
    expect(ProcedureDefinition.parse(valuesToDefinition(shown, AGENCIES).input).form[1]?.dateRange).toBe('past');
    // Choosing "no limit" (the empty choice) removes it.
    const cleared = ProcedureDefinition.parse(valuesToDefinition({ ...shown, 'form.1.dateRange': '' }, AGENCIES).input);
    expect(cleared.form[1]).not.toHaveProperty('dateRange');
    expect(errorsOf('vi', form({ 'form.1.dateRange': 'future' }))).toEqual([]);
  });

  it('refuses a limit on a field that is not a date, and a value not in the list, at the input', () => {
    expect(errorsOf('vi', form({ 'form.0.dateRange': 'past' }))).toEqual([
      { anchor: 'p-form-0-dateRange', message: 'Biểu mẫu điện tử, dòng 1, Giới hạn ngày (trường ngày): chỉ dùng cho trường kiểu ngày' },
    ]);
    expect(errorsOf('en', form({ 'form.0.dateRange': 'past' })).map((e) => e.message)).toEqual([
      'Online form, row 1, Date limit (date fields): applies only to date fields',
    ]);
    expect(errorsOf('vi', form({ 'form.1.dateRange': 'tomorrow' }))).toEqual([
      { anchor: 'p-form-1-dateRange', message: 'Biểu mẫu điện tử, dòng 2, Giới hạn ngày (trường ngày): hãy chọn một mục trong danh sách' },
    ]);
  });
});
