import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, ADDRESS_POLICY, lockedUntil, retryAfterSeconds, type Attempt } from './lockout.ts';

const T0 = Date.parse('2026-11-26T08:00:00+07:00');
const at = (min: number, outcome: Attempt['outcome'] = 'failure'): Attempt => ({ at: new Date(T0 + min * 60_000), outcome });
const now = (min: number) => new Date(T0 + min * 60_000);

describe('account lockout (5 failures in 15 min → 15 min)', () => {
  it('four failures do not lock; the fifth locks for 15 minutes from itself', () => {
    const four = [at(0), at(1), at(2), at(3)];
    expect(lockedUntil(four, now(4), ACCOUNT_POLICY, true)).toBeNull();
    const five = [...four, at(4)];
    expect(lockedUntil(five, now(4), ACCOUNT_POLICY, true)?.toISOString()).toBe(new Date(T0 + 19 * 60_000).toISOString());
    expect(lockedUntil(five, now(18.99), ACCOUNT_POLICY, true)).not.toBeNull();
    expect(lockedUntil(five, now(19), ACCOUNT_POLICY, true)).toBeNull();
  });

  it('failures spread over more than the window do not lock', () => {
    const spread = [at(0), at(4), at(8), at(12), at(16)]; // the first has left the window at 16
    expect(lockedUntil(spread, now(16), ACCOUNT_POLICY, true)).toBeNull();
    // 4, 8, 12, 16, 17: five within 13 minutes → locked until 17 + 15 = 32.
    expect(lockedUntil([...spread, at(17)], now(17), ACCOUNT_POLICY, true)?.getTime()).toBe(T0 + 32 * 60_000);
  });

  it('a success clears earlier failures; refused attempts while locked do not extend the lock', () => {
    expect(lockedUntil([at(0), at(1), at(2), at(3), at(3.5, 'success'), at(4)], now(4), ACCOUNT_POLICY, true)).toBeNull();
    const locked = [at(0), at(1), at(2), at(3), at(4), at(5, 'locked'), at(10, 'locked')];
    expect(lockedUntil(locked, now(10), ACCOUNT_POLICY, true)?.getTime()).toBe(T0 + 19 * 60_000);
  });

  it('after the lock ends, one more failure does not lock again at once', () => {
    const a = [at(0), at(1), at(2), at(3), at(4), at(20)];
    expect(lockedUntil(a, now(20), ACCOUNT_POLICY, true)).toBeNull();
  });

  it('Retry-After is whole seconds, at least one', () => {
    expect(retryAfterSeconds(new Date(T0 + 90_500), new Date(T0))).toBe(91);
    expect(retryAfterSeconds(new Date(T0), new Date(T0))).toBe(1);
  });
});

describe('address block (20 failures in 15 min)', () => {
  it('blocks on the twentieth failure, and a success does not clear it', () => {
    const nineteen = Array.from({ length: 19 }, (_, i) => at(i * 0.5));
    expect(lockedUntil(nineteen, now(10), ADDRESS_POLICY, false)).toBeNull();
    const twenty = [...nineteen, at(9.5, 'success'), at(10)];
    expect(lockedUntil(twenty, now(10), ADDRESS_POLICY, false)?.getTime()).toBe(T0 + 25 * 60_000);
    expect(lockedUntil(twenty, now(10), ADDRESS_POLICY, true)).toBeNull();
  });
});
