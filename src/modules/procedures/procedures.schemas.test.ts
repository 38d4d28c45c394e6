import { describe, expect, it } from 'vitest';
import { FormField } from './procedures.schemas.ts';

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
