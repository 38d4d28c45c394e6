import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { demoProcedures } from '../db/demo/catalogue.ts';
import { Component, Fee, FormField, PROCEDURE_RULE_REASONS, ProcedureDefinition, WorkflowStep } from '../modules/procedures/procedures.schemas.ts';
import { t } from './i18n.ts';
import {
  definitionErrors,
  definitionToValues,
  filledRows,
  inputIdOfPath,
  issueWords,
  placeOfPath,
  rowCount,
  valuesFromBody,
  valuesToDefinition,
} from './procedure-editor.ts';

/** Checkbox groups are sets: the editor lists them in its own order. */
const sets = (d: Record<string, unknown>) => ({
  ...d,
  channels: [...(d.channels as string[])].sort(),
  applicantTypes: [...(d.applicantTypes as string[])].sort(),
  receivingAgencyCodes: [...(d.receivingAgencyCodes as string[])].sort(),
});

const AGENCIES = [...new Set(demoProcedures.flatMap((p) => [p.competentAgencyCode, ...p.receivingAgencyCodes]))];

describe('procedure editor form ↔ definition', () => {
  it('round-trips every demo procedure through the form values unchanged', () => {
    for (const demo of demoProcedures) {
      const { code: _code, ...rest } = demo;
      const def = ProcedureDefinition.parse(rest);
      const values = definitionToValues(def);
      // A browser sends the form back: blank rows added by the page are dropped again.
      values['rows.form'] = String(def.form.length + 3);
      const { input } = valuesToDefinition(values, AGENCIES);
      expect(sets(ProcedureDefinition.parse(input)), demo.code).toEqual(sets(def));
    }
  });

  it('drops blank rows, keeps the original row numbers for error messages, and converts numbers and options', () => {
    const values = valuesFromBody({
      name: '  Thủ tục  ',
      'rows.form': '4',
      'form.0.key': 'a',
      'form.0.label': 'A',
      'form.0.type': 'text',
      'form.1.type': 'text',
      'form.2.key': 'b',
      'form.2.label': 'B',
      'form.2.type': 'select',
      'form.2.options': 'x | Lựa chọn X\ny',
      'form.2.min': '1,5',
      'form.2.required': 'on',
      'wf.0.share': 'abc',
      'bad key!': 'ignored',
      csrf: ['t1', 't2'],
    });
    expect(values.name).toBe('Thủ tục');
    expect(values['bad key!']).toBeUndefined();
    expect(values.csrf).toBe('t1');
    expect(rowCount(values, 'form')).toBe(4);
    expect(filledRows(values, 'form')).toEqual([0, 2]);
    const { input, rowOf } = valuesToDefinition(values, []);
    expect(input.form).toEqual([
      { key: 'a', label: 'A', type: 'text', required: false },
      {
        key: 'b',
        label: 'B',
        type: 'select',
        required: true,
        options: [
          { value: 'x', label: 'Lựa chọn X' },
          { value: 'y', label: 'y' },
        ],
        min: 1.5,
      },
    ]);
    expect((input.workflow as { share: number }[])[0]!.share).toBeNaN();
    expect(inputIdOfPath('definition.form.1.options', rowOf)).toBe('p-form-2-options');
    expect(inputIdOfPath('definition.form.1.nonsense', rowOf)).toBe('p-form-2-key');
    expect(inputIdOfPath('definition.workflow', rowOf)).toBe('sec-wf');
    expect(inputIdOfPath('definition.duration.value', rowOf)).toBe('p-durationValue');
    expect(inputIdOfPath('definition.name', rowOf)).toBe('p-name');
  });

  it('takes checkbox groups from one name per choice and only known agencies', () => {
    const { input } = valuesToDefinition({ 'recv.A': 'on', 'recv.Z': 'on', 'channel.online': 'on', 'channel.post': '', 'applicant.organisation': 'on' }, [
      'A',
      'B',
    ]);
    expect(input.receivingAgencyCodes).toEqual(['A']);
    expect(input.channels).toEqual(['online']);
    expect(input.applicantTypes).toEqual(['organisation']);
  });
});

describe('procedure editor errors in the page’s words', () => {
  const KNOWN = { fields: ['HT'], agencies: ['TTPVHCC', 'SO-TP'] };
  /** What the QA engineer sent: a code and little else (popularity "abc", a form row with min "x"). */
  const sparse = (extra: Record<string, string> = {}) =>
    valuesFromBody({
      tier: 'province',
      onlineLevel: 'full',
      durationUnit: 'working_days',
      resultKind: 'electronic',
      popularity: 'abc',
      'channel.online': 'on',
      'applicant.citizen': 'on',
      'form.0.key': 'ho_ten',
      'form.0.label': 'Họ tên',
      'form.0.type': 'text',
      'form.0.min': 'x',
      'wf.0.key': 'phe_duyet',
      'wf.0.name': 'Lãnh đạo phê duyệt',
      'wf.0.role': 'leader',
      'wf.0.share': '1',
      ...extra,
    });
  const errorsOf = (locale: 'vi' | 'en', v: ReturnType<typeof sparse>) => {
    const { input, rowOf } = valuesToDefinition(v, KNOWN.agencies);
    return definitionErrors(locale, v, input, rowOf, KNOWN);
  };

  it('names every problem by its label in Vietnamese, linked to its input, all at once', () => {
    const errors = errorsOf('vi', sparse({ 'form.2.key': 'ho_ten', 'form.2.label': 'Họ tên lần nữa', 'form.2.type': 'text' }));
    expect(errors).toEqual([
      { anchor: 'p-name', message: 'Tên thủ tục: bắt buộc' },
      { anchor: 'p-fieldCode', message: 'Lĩnh vực: bắt buộc' },
      { anchor: 'p-competentAgencyCode', message: 'Cơ quan có thẩm quyền giải quyết: bắt buộc' },
      { anchor: 'sec-recv', message: 'Nơi tiếp nhận hồ sơ: chọn ít nhất 1' },
      { anchor: 'p-durationValue', message: 'Thời hạn giải quyết: nhập một số, ví dụ 10 hoặc 2,5' },
      { anchor: 'p-steps', message: 'Trình tự thực hiện: bắt buộc' },
      { anchor: 'p-eligibility', message: 'Yêu cầu, điều kiện: bắt buộc' },
      { anchor: 'p-resultDescription', message: 'Kết quả thực hiện: bắt buộc' },
      { anchor: 'p-resultDelivery', message: 'Nơi và cách trả kết quả: bắt buộc' },
      { anchor: 'p-legalBasis', message: 'Căn cứ pháp lý: cần ít nhất 1 dòng' },
      { anchor: 'p-form-0-min', message: 'Biểu mẫu điện tử, dòng 1, Nhỏ nhất: nhập một số, ví dụ 10 hoặc 2,5' },
      { anchor: 'p-popularity', message: 'Độ phổ biến (xếp hạng trên trang chủ): nhập một số, ví dụ 10 hoặc 2,5' },
      // The schema reports a repeated key only when all else is valid, and for the whole list: here at once, at the row.
      { anchor: 'p-form-2-key', message: 'Biểu mẫu điện tử, dòng 3, Mã trường: mã ho_ten đã dùng ở dòng 1' },
    ]);
  });

  it('words the same problems in English on the English page', () => {
    const messages = errorsOf('en', sparse()).map((e) => e.message);
    expect(messages).toContain('Field: required');
    expect(messages).toContain('Online form, row 1, Minimum: enter a number, e.g. 10 or 2.5');
    expect(messages).toContain('Where dossiers are received: choose at least 1');
  });

  it('words the schema’s own rules (custom checks, numbers, choices, keys) without its English text or paths', () => {
    const v = sparse({
      name: 'Thủ tục',
      fieldCode: 'HT',
      competentAgencyCode: 'KHONG-CO',
      'recv.SO-TP': 'on',
      durationValue: '1,5',
      durationUnit: 'days',
      steps: 'B',
      eligibility: 'E',
      resultDescription: 'R',
      resultDelivery: 'R',
      legalBasis: 'Luật',
      popularity: '2.5',
      'form.0.min': '5',
      'form.0.max': '1',
      'form.0.pattern': '(',
      'form.1.key': 'Chon',
      'form.1.label': 'Chọn',
      'form.1.type': 'select',
      'form.1.step': '1,5',
      'comp.0.code': 'giay',
      'comp.0.name': 'Giấy',
      'comp.0.copies': '0',
      'wf.0.share': '0.5',
      'wf.0.role': 'specialist',
      'fee.0.code': 'le_phi',
      'fee.0.name': 'Lệ phí',
      'fee.0.amount': '-1',
    });
    expect(errorsOf('vi', v)).toEqual([
      { anchor: 'p-fee-0-amount', message: 'Phí, lệ phí (đồng), dòng 1, Mức thu (đồng): ít nhất là 0' },
      { anchor: 'p-comp-0-copies', message: 'Thành phần hồ sơ, dòng 1, Số bản: ít nhất là 1' },
      // A row that is otherwise valid gets its own rules checked even while other rows fail.
      { anchor: 'p-form-0-min', message: 'Biểu mẫu điện tử, dòng 1, Nhỏ nhất: không được lớn hơn giá trị lớn nhất' },
      { anchor: 'p-form-0-pattern', message: 'Biểu mẫu điện tử, dòng 1, Mẫu kiểm tra (biểu thức chính quy): không phải biểu thức chính quy hợp lệ' },
      {
        anchor: 'p-form-1-key',
        message: 'Biểu mẫu điện tử, dòng 2, Mã trường: chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái, ví dụ ho_ten',
      },
      { anchor: 'p-form-1-step', message: 'Biểu mẫu điện tử, dòng 2, Bước: nhập một số nguyên, ví dụ 5' },
      { anchor: 'p-popularity', message: 'Độ phổ biến (xếp hạng trên trang chủ): nhập một số nguyên, ví dụ 5' },
      { anchor: 'p-competentAgencyCode', message: 'Cơ quan có thẩm quyền giải quyết: không có trong danh sách, hãy chọn lại' },
    ]);
    // Once the base shape is right, the refinements: each at its input, in words.
    const next = { ...v, popularity: '2', 'fee.0.amount': '0', 'comp.0.copies': '1', 'form.1.key': 'chon', 'form.1.step': '', competentAgencyCode: 'SO-TP' };
    expect(errorsOf('vi', next)).toEqual([
      { anchor: 'p-form-0-min', message: 'Biểu mẫu điện tử, dòng 1, Nhỏ nhất: không được lớn hơn giá trị lớn nhất' },
      { anchor: 'p-form-0-pattern', message: 'Biểu mẫu điện tử, dòng 1, Mẫu kiểm tra (biểu thức chính quy): không phải biểu thức chính quy hợp lệ' },
      { anchor: 'p-form-1-options', message: 'Biểu mẫu điện tử, dòng 2, Lựa chọn: danh sách chọn cần ít nhất một lựa chọn' },
      { anchor: 'p-durationValue', message: 'Thời hạn giải quyết: thời hạn tính theo ngày hoặc tháng phải là số nguyên' },
      { anchor: 'sec-wf', message: 'Quy trình xử lý sau khi tiếp nhận: tổng tỷ lệ thời gian các bước phải bằng 1 (hiện là 0,5)' },
      { anchor: 'sec-wf', message: 'Quy trình xử lý sau khi tiếp nhận: bước cuối cùng phải là lãnh đạo phê duyệt' },
    ]);
    const en = errorsOf('en', next).map((e) => e.message);
    expect(en).toContain('Processing steps after reception: the steps’ shares of time must add up to 1 (now 0.5)');
  });

  it('has a label and an input for every path the schema can report, in both languages', () => {
    const rowOf = { form: [0, 2], comp: [1], wf: [0], fee: [3] };
    const groups = { form: FormField.shape, components: Component.shape, workflow: WorkflowStep.shape, fees: Fee.shape };
    for (const locale of ['vi', 'en'] as const) {
      const general = t(locale, 'admin.edit.general');
      for (const key of Object.keys(ProcedureDefinition.shape)) {
        const place = placeOfPath(locale, [key], rowOf);
        expect(place.label, key).not.toBe(general);
        expect(place.label, key).not.toBe(key);
        if (locale === 'vi') expect(place.label, key).not.toContain(key);
        expect(place.anchor, key).toMatch(/^(p|sec)-/);
      }
      for (const [list, shape] of Object.entries(groups)) {
        for (const column of Object.keys(shape)) {
          const place = placeOfPath(locale, [list, 1, column], rowOf);
          expect(place.label, `${list}.${column}`).toMatch(locale === 'vi' ? /, dòng \d+, / : /, row \d+, /);
          if (locale === 'vi') expect(place.label, `${list}.${column}`).not.toContain(column);
          expect(place.anchor, `${list}.${column}`).toMatch(new RegExp(`^p-(form|comp|wf|fee)-\\d+-${column}$`));
        }
      }
      expect(placeOfPath(locale, ['duration', 'unit'], rowOf)).toEqual({ anchor: 'p-durationUnit', label: t(locale, 'admin.edit.durationUnit') });
      expect(placeOfPath(locale, ['form', 1, 'options', 0, 'value'], rowOf).anchor).toBe('p-form-2-options');
    }
    // Every kind of issue the schema raises has its own words; none is passed through.
    for (const code of ['too_small', 'too_big', 'invalid_type', 'invalid_value', 'invalid_format', 'unrecognized_keys', 'custom'] as const) {
      const words = issueWords('en', {
        code,
        path: ['name'],
        message: 'RAW',
        input: '',
        origin: 'string',
        minimum: 2,
        maximum: 3,
        expected: 'string',
        values: [],
        format: 'regex',
        inclusive: true,
        keys: ['requried'],
      } as never);
      expect(words, code).not.toContain('RAW');
    }
  });

  it('names a key the strict schema does not know at the row it is in (a definition built elsewhere than this form)', () => {
    const v = sparse();
    const { input, rowOf } = valuesToDefinition(v, KNOWN.agencies);
    const form = input.form as Record<string, unknown>[];
    const odd = { ...input, form: [{ ...form[0], requried: true }] };
    expect(definitionErrors('vi', v, odd, rowOf, KNOWN)).toContainEqual({
      anchor: 'p-form-0-key',
      message: 'Biểu mẫu điện tử, dòng 1: có trường không được phép: requried',
    });
    expect(definitionErrors('en', v, odd, rowOf, KNOWN).filter((e) => e.message.includes('requried'))).toEqual([
      { anchor: 'p-form-0-key', message: expect.stringMatching(/, row 1: has fields that are not allowed: requried$/) },
    ]);
  });

  it('words each custom rule by its reason and values, never by its message', () => {
    const custom = (message: string, params?: Record<string, unknown>): z.core.$ZodIssueCustom => ({
      code: 'custom',
      path: ['workflow'],
      message,
      input: null,
      params,
    });
    for (const locale of ['vi', 'en'] as const) {
      const generic = t(locale, 'admin.err.invalid');
      // duplicate_key is worded at the repeating row (definitionErrors), not from the list's issue.
      const reasons = PROCEDURE_RULE_REASONS.filter((r) => r !== 'duplicate_key');
      const words = reasons.map((reason) => issueWords(locale, custom('RAW', { reason, total: 0.5 })));
      words.forEach((w, i) => {
        expect(w, reasons[i]).not.toBe(generic);
        expect(w, reasons[i]).not.toContain('RAW');
      });
      expect(new Set(words).size, locale).toBe(reasons.length);
      // Without a reason it knows, a custom issue gets the generic words, even with a rule's message.
      expect(issueWords(locale, custom('bước cuối cùng phải là lãnh đạo phê duyệt'))).toBe(generic);
      expect(issueWords(locale, custom('bước cuối cùng phải là lãnh đạo phê duyệt', { reason: 'no_such_rule' }))).toBe(generic);
      expect(issueWords(locale, custom('trùng mã bước duyet', { reason: 'duplicate_key', key: 'duyet' }))).toBe(generic);
    }
    // The sum comes from the issue's values, not from its message.
    const sum = custom('tổng tỷ lệ thời gian các bước phải bằng 1 (hiện là 9)', { reason: 'shares_sum', total: 0.1 + 0.2 });
    expect(issueWords('vi', sum)).toBe('tổng tỷ lệ thời gian các bước phải bằng 1 (hiện là 0,3)');
    expect(issueWords('en', sum)).toBe('the steps’ shares of time must add up to 1 (now 0.3)');
  });

  it('drops the schema’s list-wide duplicate key and says it at the repeating row instead', () => {
    const { code: _code, ...rest } = demoProcedures.find((p) => p.workflow.length === 2)!;
    const v = definitionToValues(ProcedureDefinition.parse(rest));
    // The last step again, each with half its share: only the repeated key is wrong.
    v['rows.wf'] = '3';
    for (const column of ['key', 'name', 'role']) v[`wf.2.${column}`] = v[`wf.1.${column}`]!;
    v['wf.1.share'] = v['wf.2.share'] = String(Number(v['wf.1.share']) / 2);
    const { input, rowOf } = valuesToDefinition(v, AGENCIES);
    const key = v['wf.1.key'];
    expect(ProcedureDefinition.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['workflow', `trùng mã bước ${key}`]]);
    expect(definitionErrors('vi', v, input, rowOf, { fields: [v.fieldCode!], agencies: AGENCIES })).toEqual([
      { anchor: 'p-wf-2-key', message: `Quy trình xử lý sau khi tiếp nhận, dòng 3, Mã bước: mã ${key} đã dùng ở dòng 2` },
    ]);
  });
});
