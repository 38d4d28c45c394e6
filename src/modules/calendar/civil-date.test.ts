import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate, toDayNumber } from './civil-date.ts';

describe('parseIsoDate', () => {
  it('reads a real day as its day number', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    expect(parseIsoDate('2024-02-29')).toBe(toDayNumber(2024, 2, 29));
    expect(formatIsoDate(parseIsoDate('2000-02-29'))).toBe('2000-02-29');
    expect(parseIsoDate('2025-03-01') - parseIsoDate('2025-02-28')).toBe(1);
  });

  it('throws for what isRealDay refuses, instead of rolling over to the next month', () => {
    for (const bad of ['2025-02-29', '1900-02-29', '2025-13-01', '2025-01-00', '2025-01-32', '2025-1-05', '2025-01-05T00:00', ''])
      expect(() => parseIsoDate(bad), JSON.stringify(bad)).toThrow(RangeError);
  });
});
