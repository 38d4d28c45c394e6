import { describe, expect, it } from 'vitest';
import { sqlLiteral } from './client.ts';

describe('sqlLiteral (arguments of EXECUTE on PGlite)', () => {
  it('quotes strings by doubling their quotes and writes other scalars as SQL', () => {
    expect(sqlLiteral("O'Brien \\ 'x'")).toBe("'O''Brien \\ ''x'''");
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(-1.5)).toBe('-1.5');
    expect(sqlLiteral(12n)).toBe('12');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(new Date(Date.UTC(2026, 10, 27, 3, 4, 5)))).toBe("'2026-11-27T03:04:05.000Z'");
  });

  it('has no literal for what it cannot write exactly (the statement then runs unprepared)', () => {
    expect(sqlLiteral(Number.NaN)).toBeNull();
    expect(sqlLiteral(Infinity)).toBeNull();
    expect(sqlLiteral(new Date(Number.NaN))).toBeNull();
    expect(sqlLiteral('a\0b')).toBeNull();
    expect(sqlLiteral(Buffer.from('x'))).toBeNull();
    expect(sqlLiteral({ a: 1 })).toBeNull();
  });
});
