import { describe, expect, it } from 'vitest';
import { newId, randomPoolBytes, UUID_RE } from './ids.ts';

describe('newId (UUID version 7)', () => {
  it('is a version 7, RFC 9562 variant UUID carrying its millisecond', () => {
    const now = Date.UTC(2026, 10, 27, 5, 0, 0, 123);
    const id = newId(now);
    expect(id).toMatch(UUID_RE);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts by creation, within one millisecond and across many, and never repeats', () => {
    const ids: string[] = [];
    const start = Date.UTC(2026, 10, 27);
    for (let ms = 0; ms < 50; ms++) for (let i = 0; i < 200; i++) ids.push(newId(start + ms));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws fresh random bits for each id (not one repeated pool slice)', () => {
    const tails = new Set(Array.from({ length: 2000 }, () => newId(Date.UTC(2026, 0, 1)).slice(19)));
    expect(tails.size).toBe(2000);
  });
});

describe('randomPoolBytes', () => {
  it('never hands out the same bytes twice, across pool refills, and serves any length', () => {
    const seen = new Set(Array.from({ length: 3000 }, () => randomPoolBytes(12).toString('hex')));
    expect(seen.size).toBe(3000);
    expect(randomPoolBytes(5000)).toHaveLength(5000);
    expect(randomPoolBytes(0)).toHaveLength(0);
  });
});
