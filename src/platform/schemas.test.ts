import { describe, expect, it } from 'vitest';
import { IsoDay, isRealDay, queryInt, queryPositiveNumber } from './schemas.ts';

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
