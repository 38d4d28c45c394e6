import { describe, expect, it } from 'vitest';
import { backoffSeconds } from './jobs.ts';

describe('backoffSeconds', () => {
  it('doubles from 10 s and caps at one hour', () => {
    expect([1, 2, 3, 4].map(backoffSeconds)).toEqual([10, 20, 40, 80]);
    expect(backoffSeconds(30)).toBe(3600);
  });
});
