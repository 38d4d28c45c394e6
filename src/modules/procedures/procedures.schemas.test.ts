import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { demoProcedures } from '../../db/demo/catalogue.ts';
import { FormField, PROCEDURE_RULE_REASONS, ProcedureDefinition, ProcedureDefinitionView, procedureRuleReason } from './procedures.schemas.ts';

describe('FormField', () => {
  it('takes a pattern only on the types whose answers are checked against it', () => {
    for (const type of ['text', 'textarea', 'email', 'phone', 'id_number', 'tax_code', 'unit_code'] as const) {
      expect(FormField.safeParse({ key: 'f', label: 'F', type, required: true, pattern: '\\d+' }).success, type).toBe(true);
    }
    for (const type of ['number', 'date', 'checkbox'] as const) {
      const r = FormField.safeParse({ key: 'f', label: 'F', type, required: true, pattern: '\\d+' });
      expect(r.success, type).toBe(false);
      expect(
        r.error?.issues.map((i) => i.path.join('.')),
        type,
      ).toEqual(['pattern']);
    }
    expect(FormField.safeParse({ key: 'f', label: 'F', type: 'select', required: true, options: [{ value: 'a', label: 'A' }], pattern: 'a' }).success).toBe(
      false,
    );
  });

  it('refuses two options with the same value (after trimming)', () => {
    const r = FormField.safeParse({
      key: 'f',
      label: 'F',
      type: 'select',
      required: true,
      options: [
        { value: 'nam', label: 'Nam' },
        { value: ' nam ', label: 'Nam 2' },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('có hai lựa chọn trùng giá trị');
  });
});

describe('FormField dateRange', () => {
  it('is taken on date fields only, as past or future', () => {
    expect(FormField.safeParse({ key: 'f', label: 'F', type: 'date', required: true, dateRange: 'past' }).success).toBe(true);
    expect(FormField.safeParse({ key: 'f', label: 'F', type: 'date', required: true, dateRange: 'future' }).success).toBe(true);
    expect(FormField.safeParse({ key: 'f', label: 'F', type: 'date', required: true }).success).toBe(true);
    const odd = FormField.safeParse({ key: 'f', label: 'F', type: 'date', required: true, dateRange: 'yesterday' });
    expect(odd.error?.issues.map((i) => i.path.join('.'))).toEqual(['dateRange']);
    for (const type of ['text', 'number', 'checkbox'] as const) {
      const r = FormField.safeParse({ key: 'f', label: 'F', type, required: true, dateRange: 'past' });
      expect(
        r.error?.issues.map((i) => [i.path.join('.'), i.message]),
        type,
      ).toEqual([['dateRange', 'dateRange chỉ dùng cho trường kiểu ngày (date)']]);
    }
  });
});

describe('custom rules', () => {
  const field = { key: 'f', label: 'F', type: 'text', required: false };
  const { code: _code, ...base } = demoProcedures[0]!;
  const def = ProcedureDefinition.parse(base);
  const number = { key: 'so_luong', label: 'Số lượng', type: 'number', required: true };
  const leader = { key: 'duyet', name: 'Duyệt', role: 'leader', share: 0.5 };
  /** Each rule broken once (the definition's own rules run once its rows are valid), with the message the API gives. */
  const broken: [string, z.ZodSafeParseResult<unknown>][] = [
    ['danh sách chọn cần ít nhất một lựa chọn', FormField.safeParse({ ...field, type: 'select' })],
    ['min không được lớn hơn max', FormField.safeParse({ ...number, min: 5, max: 1 })],
    [
      'có hai lựa chọn trùng giá trị',
      FormField.safeParse({
        ...field,
        type: 'select',
        options: [
          { value: 'a', label: 'A' },
          { value: 'a', label: 'B' },
        ],
      }),
    ],
    ['pattern chỉ dùng cho trường kiểu text, textarea, email, phone, id_number, tax_code, unit_code', FormField.safeParse({ ...number, pattern: '\\d' })],
    ['không phải biểu thức chính quy hợp lệ', FormField.safeParse({ ...field, pattern: '(' })],
    ['dateRange chỉ dùng cho trường kiểu ngày (date)', FormField.safeParse({ ...field, dateRange: 'past' })],
    ['trùng mã trường f', ProcedureDefinition.safeParse({ ...def, form: [field, field] })],
    [
      'trùng mã thành phần giay',
      ProcedureDefinition.safeParse({ ...def, components: [1, 2].map(() => ({ code: 'giay', name: 'Giấy', form: 'copy', copies: 1, required: true })) }),
    ],
    ['trùng mã bước duyet', ProcedureDefinition.safeParse({ ...def, workflow: [leader, leader] })],
    ['thời hạn tính theo ngày hoặc tháng phải là số nguyên', ProcedureDefinition.safeParse({ ...def, duration: { value: 1.5, unit: 'days' } })],
    ['tổng tỷ lệ thời gian các bước phải bằng 1 (hiện là 0.5)', ProcedureDefinition.safeParse({ ...def, workflow: [leader] })],
    ['bước cuối cùng phải là lãnh đạo phê duyệt', ProcedureDefinition.safeParse({ ...def, workflow: [{ ...leader, role: 'specialist', share: 1 }] })],
    [
      'phải là mã của một trường kiểu số trong biểu mẫu',
      ProcedureDefinition.safeParse({ ...def, form: [field], fees: [{ code: 'phi', name: 'Phí', amount: 1000, perFormField: 'f' }] }),
    ],
  ];

  it('each carries a stable reason, and every reason is raised by a rule', () => {
    const seen = new Set<string>();
    for (const [message, result] of broken) {
      const issues = result.error?.issues ?? [];
      // The API's message is unchanged; the page reads the reason, not the message.
      expect(
        issues.map((i) => [i.code, i.message]),
        message,
      ).toEqual([['custom', message]]);
      const reason = procedureRuleReason(issues[0]!);
      expect(reason, message).toBeDefined();
      seen.add(reason!);
    }
    expect([...seen].sort()).toEqual([...PROCEDURE_RULE_REASONS].sort());
  });

  it('carries the values a page needs: the shares’ sum, the repeated key', () => {
    const params = (i: number) => {
      const issue = broken[i]![1].error?.issues[0];
      return issue?.code === 'custom' ? issue.params : undefined;
    };
    expect(params(10)).toEqual({ reason: 'shares_sum', total: 0.5 });
    expect(params(6)).toEqual({ reason: 'duplicate_key', key: 'f' });
    expect(params(8)).toEqual({ reason: 'duplicate_key', key: 'duyet' });
  });

  it('knows no reason for another issue, nor for a custom issue without one of its reasons', () => {
    const issue: z.core.$ZodIssueCustom = { code: 'custom', path: [], message: 'min không được lớn hơn max', input: null };
    expect(procedureRuleReason(issue)).toBeUndefined();
    expect(procedureRuleReason({ ...issue, params: { reason: 'nope' } })).toBeUndefined();
    expect(procedureRuleReason({ ...issue, params: { reason: 'min_above_max' } })).toBe('min_above_max');
    expect(procedureRuleReason(FormField.safeParse({ ...field, key: 'F' }).error!.issues[0]!)).toBeUndefined();
  });
});

/** Each object of a schema by its path (`form[]`, `duration`), with its member names: what strictness and the answer's schema are about. */
function objectsOf(schema: z.core.$ZodType, path = '(definition)', out = new Map<string, string[]>()): Map<string, string[]> {
  const def = schema._zod.def as z.core.$ZodTypeDef & { shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType; innerType?: z.core.$ZodType };
  if (def.type === 'object' && def.shape) {
    out.set(path, Object.keys(def.shape).sort());
    for (const [k, v] of Object.entries(def.shape)) objectsOf(v, path === '(definition)' ? k : `${path}.${k}`, out);
  } else if (def.type === 'array' && def.element) objectsOf(def.element, `${path}[]`, out);
  else if (def.innerType) objectsOf(def.innerType, path, out);
  return out;
}

describe('a definition is strict at every level', () => {
  const { code: _code, ...demo } = demoProcedures.find((p) => p.fees.some((f) => f.perFormField) && p.form.some((f) => f.options))!;
  const def = ProcedureDefinition.parse(demo);

  it('takes every procedure of the demo catalogue as it is', () => {
    for (const { code, ...d } of demoProcedures) expect(ProcedureDefinition.safeParse(d).error?.issues, code).toBeUndefined();
  });

  it('refuses a key it does not know in the definition, its duration, a form field and its options, a component, a step and a fee, naming where', () => {
    const f = def.form.findIndex((x) => x.options);
    const fee = def.fees.findIndex((x) => x.perFormField);
    const misspelt: [unknown, string, string][] = [
      [{ ...def, legalBasics: ['x'] }, '', 'legalBasics'],
      [{ ...def, duration: { ...def.duration, units: 'days' } }, 'duration', 'units'],
      [{ ...def, form: def.form.map((x, i) => (i === 0 ? { ...x, requried: true } : x)) }, 'form.0', 'requried'],
      [
        { ...def, form: def.form.map((x, i) => (i === f ? { ...x, options: [{ ...x.options![0]!, labell: 'x' }, ...x.options!.slice(1)] } : x)) },
        `form.${f}.options.0`,
        'labell',
      ],
      [{ ...def, components: def.components.map((x, i) => (i === 0 ? { ...x, copy: 1 } : x)) }, 'components.0', 'copy'],
      [{ ...def, workflow: def.workflow.map((x, i) => (i === 0 ? { ...x, shareOfTime: 0.5 } : x)) }, 'workflow.0', 'shareOfTime'],
      [{ ...def, fees: def.fees.map((x, i) => (i === fee ? { ...x, perField: 'x' } : x)) }, `fees.${fee}`, 'perField'],
    ];
    for (const [input, path, key] of misspelt) {
      const r = ProcedureDefinition.safeParse(input);
      expect(
        r.error?.issues.map((i) => [i.code, i.path.join('.'), i.message]),
        key,
      ).toEqual([['unrecognized_keys', path, `có trường không được phép: ${key}`]]);
    }
    expect(objectsOf(ProcedureDefinition).size).toBe(misspelt.length);
  });

  it('is answered (GET /procedures/{code}) with the same members at every level, neither strict nor checked', () => {
    expect(Object.fromEntries(objectsOf(ProcedureDefinitionView))).toEqual(Object.fromEntries(objectsOf(ProcedureDefinition)));
    // A version stored under older rules (or with a member since removed) is still answered as stored.
    const stored = { ...def, name: 'x'.repeat(3000), workflow: [{ ...def.workflow[0]!, share: 0.4 }], retired: true };
    const answered = ProcedureDefinitionView.parse(stored);
    expect(answered.name).toHaveLength(3000);
    expect(answered).not.toHaveProperty('retired');
  });
});
