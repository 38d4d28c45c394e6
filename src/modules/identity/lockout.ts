/**
 * Throttling and temporary lockout after failed sign-in attempts (pure; the attempts come from
 * the `auth_attempts` table, so every instance sees the same count).
 *
 * An account is locked for `lockMs` from the moment it collects `maxFailures` failures within
 * `windowMs` (counting only failures after its last successful sign-in). Attempts refused while
 * locked are not failures, so waiting out the lock always works. An address is blocked the same
 * way with its own, larger, threshold; a success from an address does not clear its count (one
 * valid account must not give an attacker fresh guesses at others).
 */
export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const ACCOUNT_POLICY: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const ADDRESS_POLICY: LockoutPolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export interface Attempt {
  at: Date;
  outcome: 'success' | 'failure' | 'locked' | 'blocked';
}

/** How far back attempts matter for a policy. */
export const lookback = (p: LockoutPolicy): number => p.windowMs + p.lockMs;

/**
 * When the lock ends, or null when not locked at `now`. `attempts` may be in any order;
 * `resetOnSuccess` is true for accounts, false for addresses.
 */
export function lockedUntil(attempts: readonly Attempt[], now: Date, p: LockoutPolicy, resetOnSuccess: boolean): Date | null {
  const sorted = [...attempts].filter((a) => a.at.getTime() <= now.getTime()).sort((a, b) => a.at.getTime() - b.at.getTime());
  let failures: number[] = [];
  let until = 0;
  for (const a of sorted) {
    const t = a.at.getTime();
    if (a.outcome === 'success' && resetOnSuccess) {
      failures = [];
      until = 0;
      continue;
    }
    if (a.outcome !== 'failure' || t < until) continue;
    failures.push(t);
    failures = failures.filter((f) => t - f < p.windowMs);
    if (failures.length >= p.maxFailures) {
      until = t + p.lockMs;
      failures = [];
    }
  }
  return until > now.getTime() ? new Date(until) : null;
}

/** Whole seconds until `until` (at least 1), for Retry-After. */
export function retryAfterSeconds(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
