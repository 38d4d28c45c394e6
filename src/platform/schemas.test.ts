import { describe, expect, it } from 'vitest';
import { IsoDay, isRealDay } from './schemas.ts';

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
