import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.ts';
import { IsoDay, isRealDay, queryInt, queryPositiveNumber } from './schemas.ts';

describe('isRealDay', () => {
  it('knows 29 February only in leap years (every 4th year, but not a century unless divisible by 400)', () => {
    expect(isRealDay('2024-02-29')).toBe(true);
    expect(isRealDay('2000-02-29')).toBe(true);
    expect(isRealDay('2025-02-29')).toBe(false);
    expect(isRealDay('1900-02-29')).toBe(false);
    expect(isRealDay('1900-02-28')).toBe(true);
    expect(isRealDay('2025-02-28')).toBe(true);
  });

  it('refuses months and days outside the calendar', () => {
    expect(isRealDay('2025-13-01')).toBe(false);
    expect(isRealDay('2025-00-10')).toBe(false);
    expect(isRealDay('2025-01-00')).toBe(false);
    expect(isRealDay('2025-01-32')).toBe(false);
    expect(isRealDay('2025-04-31')).toBe(false);
    expect(isRealDay('2025-01-31')).toBe(true);
    expect(isRealDay('2025-12-31')).toBe(true);
  });

  it('refuses any other shape', () => {
    for (const bad of [
      '',
      '2025-1-05',
      '2025-01-5',
      '25-01-05',
      '2025-01-05T00:00',
      ' 2025-01-05',
      '2025-01-05 ',
      '2025-01-05\n',
      '2025/01/05',
      '20250105',
      '٢٠٢٥-٠١-٠٥',
    ])
      expect(isRealDay(bad), JSON.stringify(bad)).toBe(false);
  });

  it('refuses years before 0100, which Date.UTC would read as 19xx', () => {
    expect(isRealDay('0050-01-01')).toBe(false);
    expect(isRealDay('0000-01-01')).toBe(false);
    expect(isRealDay('0100-03-01')).toBe(true);
  });
});

describe('IsoDay', () => {
  it('accepts days that exist and refuses the rest', () => {
    expect(isRealDay('2024-02-29')).toBe(true);
    expect(isRealDay('2026-02-29')).toBe(false);
    expect(isRealDay('2026-02-30')).toBe(false);
    expect(isRealDay('2026-13-01')).toBe(false);
    expect(isRealDay('2026-00-10')).toBe(false);
    expect(isRealDay('2026-1-10')).toBe(false);
    expect(IsoDay.safeParse('2026-12-31').success).toBe(true);
    expect(IsoDay.safeParse('2026-04-31').success).toBe(false);
  });
});

describe('queryInt and queryPositiveNumber', () => {
  it('read decimal digits only', () => {
    const page = queryInt(1, 100);
    expect(page.parse('16')).toBe(16);
    expect(page.parse('007')).toBe(7);
    for (const bad of ['0x10', '1e1', ' 5', '5 ', '', '+5', '-5', '5.0', '0b11', 'Infinity', '٣']) expect(page.safeParse(bad).success, bad).toBe(false);
    expect(page.safeParse('0').success).toBe(false);
    expect(page.safeParse('101').success).toBe(false);
    expect(queryInt(-10, 10).parse('-3')).toBe(-3);
    expect(queryInt(-10, 10).safeParse('--3').success).toBe(false);
    expect(page.default(1).parse(undefined)).toBe(1);
    const value = queryPositiveNumber(10_000);
    expect(value.parse('1.5')).toBe(1.5);
    expect(value.parse('5')).toBe(5);
    for (const bad of ['0x10', '1e3', '.5', '5.', '-1', '0', '0.0', '10000.5', ' 2']) expect(value.safeParse(bad).success, bad).toBe(false);
  });
});

describe("zod's messages in Vietnamese", () => {
  const said = (schema: z.ZodType, input: unknown, params?: Parameters<z.ZodType['safeParse']>[1]) =>
    schema.safeParse(input, params).error?.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));

  it('words each kind of issue without the field (problem+json gives it as the path)', () => {
    expect(said(z.object({ a: z.string(), b: z.number(), c: z.boolean() }), { b: 'x', c: 'true' })).toEqual([
      'a: thiếu giá trị bắt buộc',
      'b: phải là số, không phải chuỗi ký tự',
      'c: phải là true hoặc false, không phải chuỗi ký tự',
    ]);
    expect(said(z.enum(['a', 'b']), 'c')).toEqual(['phải là một trong các giá trị: a, b']);
    expect(said(z.literal('x'), 'y')).toEqual(['phải là x']);
    expect(said(z.number().int(), 1.5)).toEqual(['phải là số nguyên']);
    expect(said(z.number(), Number.NaN)).toEqual(['phải là một số hữu hạn']);
    expect(said(z.number().min(3), 1)).toEqual(['không được nhỏ hơn 3']);
    expect(said(z.number().positive(), 0)).toEqual(['phải lớn hơn 0']);
    expect(said(z.number().max(10), 11)).toEqual(['không được lớn hơn 10']);
    expect(said(z.number().lt(10), 10)).toEqual(['phải nhỏ hơn 10']);
    expect(said(z.string().min(1), '')).toEqual(['không được để trống']);
    expect(said(z.string().min(3), 'ab')).toEqual(['phải có ít nhất 3 ký tự']);
    expect(said(z.string().max(3), 'abcd')).toEqual(['không được quá 3 ký tự']);
    expect(said(z.string().length(3), 'ab')).toEqual(['phải có đúng 3 ký tự']);
    expect(said(z.array(z.string()).min(1), [])).toEqual(['phải có ít nhất một phần tử']);
    expect(said(z.array(z.string()).max(1), ['a', 'b'])).toEqual(['không được quá 1 phần tử']);
    expect(said(z.string().email(), 'x')).toEqual(['không phải địa chỉ email hợp lệ']);
    expect(said(z.string().datetime(), 'x')).toEqual(['không phải thời điểm ISO 8601 hợp lệ']);
    expect(said(z.string().regex(/^\d+$/), 'x')).toEqual(['không đúng định dạng (mẫu /^\\d+$/)']);
    expect(said(z.string().startsWith('HS'), 'x')).toEqual(['phải bắt đầu bằng "HS"']);
    expect(said(z.number().multipleOf(5), 3)).toEqual(['phải là bội số của 5']);
    expect(said(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 })).toEqual(['có trường không được phép: b, c']);
    expect(said(z.union([z.string(), z.number()]), true)).toEqual(['không khớp với dạng nào được chấp nhận']);
    const kinds = z.discriminatedUnion('kind', [z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b') })]);
    expect(said(kinds, { kind: 'c' })).toEqual(['kind: phải là một trong các giá trị: a, b']);
    expect(
      said(
        z.string().refine(() => false),
        'x',
      ),
    ).toEqual(['không hợp lệ']);
  });

  it("keeps a schema's own message and a parse's own error map", () => {
    expect(said(z.string().regex(/^\d+$/, 'chỉ gồm chữ số'), 'x')).toEqual(['chỉ gồm chữ số']);
    expect(said(z.string().min(2, { error: 'ít nhất hai ký tự' }), 'x')).toEqual(['ít nhất hai ký tự']);
    expect(
      said(
        z.string().refine(() => false, 'riêng'),
        'x',
      ),
    ).toEqual(['riêng']);
    expect(said(z.number().max(1), 2, { error: () => 'theo lần kiểm tra' })).toEqual(['theo lần kiểm tra']);
  });

  it("leaves the operator's configuration errors in English", () => {
    let problems: string[] = [];
    try {
      loadConfig({ NODE_ENV: 'test', PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^PORT Too big: expected number to be <=65535/);
    expect(problems[1]).toMatch(/^LOG_LEVEL Invalid option: expected one of/);
  });
});
