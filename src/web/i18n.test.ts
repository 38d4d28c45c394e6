import { describe, expect, it } from 'vitest';
import { catalogues, formatDuration, formatMoney, t } from './i18n.ts';

const paramNames = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('has the same keys in every catalogue, none empty, with the same {parameters}', () => {
    const vi = Object.keys(catalogues.vi).sort();
    expect(Object.keys(catalogues.en).sort()).toEqual(vi);
    for (const k of vi) {
      const key = k as keyof typeof catalogues.vi;
      expect(catalogues.vi[key].trim(), k).not.toBe('');
      expect(catalogues.en[key].trim(), k).not.toBe('');
      expect(paramNames(catalogues.en[key]), k).toEqual(paramNames(catalogues.vi[key]));
    }
  });

  it('fills parameters', () => {
    expect(t('vi', 'search.count', { n: 3 })).toBe('Tìm thấy 3 thủ tục');
    expect(t('en', 'auth.signedInAs', { name: 'An' })).toBe('Signed in as An');
  });

  it('formats money in đồng and durations in words', () => {
    expect(formatMoney(1_250_000)).toBe('1.250.000\u00a0₫');
    expect(formatMoney(0)).toBe('0\u00a0₫');
    expect(formatDuration('vi', { value: 5, unit: 'working_days' })).toBe('5 ngày làm việc');
    expect(formatDuration('en', { value: 1, unit: 'working_days' })).toBe('1 working day');
    expect(formatDuration('en', { value: 2, unit: 'months' })).toBe('2 months');
    // The legal clock counts hours of office time, not clock hours.
    expect(formatDuration('vi', { value: 8, unit: 'hours' })).toBe('8 giờ làm việc');
    expect(formatDuration('en', { value: 1, unit: 'hours' })).toBe('1 working hour');
    expect(formatDuration('en', { value: 8, unit: 'hours' })).toBe('8 working hours');
    expect(formatDuration('vi', { value: 15, unit: 'days' })).toBe('15 ngày');
  });
});
