import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFICE_HOURS } from '../calendar/index.ts';
import { bucketOf, firstBreach, isExport, isLoginFailure, isOutsideOfficeHours, isRoleChange, loginAccount, rolesIn } from './rules.ts';

describe('firstBreach (sliding windows)', () => {
  const min = 60_000;
  it('counts distinct keys inside the window ending at each item', () => {
    const items = [0, 1, 2, 3].map((i) => ({ t: i * min, key: String(i) }));
    expect(firstBreach(items, 15 * min, 5)).toBeNull();
    expect(firstBreach([...items, { t: 4 * min, key: '4' }], 15 * min, 5)).toEqual({ t: 4 * min, keys: ['0', '1', '2', '3', '4'] });
  });
  it('forgets items older than the window (exactly windowMs earlier is outside)', () => {
    const items = [0, 5, 10, 15, 16].map((m) => ({ t: m * min, key: String(m) }));
    // At 15 min the item at 0 is out (window (0, 15]); at 16 min: 5, 10, 15, 16 = 4.
    expect(firstBreach(items, 15 * min, 5)).toBeNull();
    expect(firstBreach(items, 15 * min, 4)).toEqual({ t: 16 * min, keys: ['5', '10', '15', '16'] });
  });
  it('counts a key once however often it repeats (accounts per address), in any input order', () => {
    const items = [
      { t: 3, key: 'a' },
      { t: 1, key: 'a' },
      { t: 2, key: 'b' },
      { t: 4, key: 'a' },
    ];
    expect(firstBreach(items, 100, 3)).toBeNull();
    expect(firstBreach([...items, { t: 5, key: 'c' }], 100, 3)).toEqual({ t: 5, keys: ['a', 'b', 'c'] });
  });
});

describe('what the rules recognise', () => {
  it('sign-in failures: auth.login and auth.login.* not succeeding', () => {
    expect(isLoginFailure({ action: 'auth.login', outcome: 'failure' })).toBe(true);
    expect(isLoginFailure({ action: 'auth.login.totp', outcome: 'denied' })).toBe(true);
    expect(isLoginFailure({ action: 'auth.login', outcome: 'success' })).toBe(false);
    expect(isLoginFailure({ action: 'auth.login.password_ok', outcome: 'success' })).toBe(false);
    expect(isLoginFailure({ action: 'auth.logout', outcome: 'failure' })).toBe(false);
    expect(isLoginFailure({ action: 'auth.loginx', outcome: 'failure' })).toBe(false);
    expect(loginAccount({ details: { username: 'an' }, targetId: 'u-1' })).toBe('an');
    expect(loginAccount({ details: {}, targetId: 'binh' })).toBe('binh');
  });
  it('exports and role changes', () => {
    for (const a of ['report.export', 'reports.export.xlsx', 'me.data_export', 'dossier.exported']) expect(isExport({ action: a }), a).toBe(true);
    for (const a of ['report.view', 'exporter.read', 'dossier.read']) expect(isExport({ action: a }), a).toBe(false);
    for (const a of ['user.create', 'user.roles.replace', 'role.grant', 'permissions.update']) expect(isRoleChange({ action: a }), a).toBe(true);
    for (const a of ['user.update', 'settings.update', 'dossier.assign']) expect(isRoleChange({ action: a }), a).toBe(false);
    expect(rolesIn({ roles: [{ role: 'admin', agencyCode: null }, { role: 'reception' }] }).sort()).toEqual(['admin', 'reception']);
    expect(rolesIn({ roles: ['security'] })).toEqual(['security']);
    expect(rolesIn({})).toEqual([]);
  });
});

describe('isOutsideOfficeHours (Vietnam time, working calendar)', () => {
  const working = (d: string) => !['2026-11-22', '2026-09-02'].includes(d);
  const at = (iso: string) => isOutsideOfficeHours(new Date(iso), DEFAULT_OFFICE_HOURS, working);
  it('inside the periods of a working day is office time; edges are [start, end)', () => {
    expect(at('2026-11-25T07:30:00+07:00')).toBe(false);
    expect(at('2026-11-25T11:29:59+07:00')).toBe(false);
    expect(at('2026-11-25T11:30:00+07:00')).toBe(true);
    expect(at('2026-11-25T12:15:00+07:00')).toBe(true);
    expect(at('2026-11-25T16:59:00+07:00')).toBe(false);
    expect(at('2026-11-25T17:00:00+07:00')).toBe(true);
    expect(at('2026-11-25T07:29:00+07:00')).toBe(true);
  });
  it('uses the Vietnamese date, not UTC: 00:30 UTC is 07:30 in Hà Nội', () => {
    expect(at('2026-11-25T00:30:00Z')).toBe(false);
    expect(at('2026-11-24T23:59:00Z')).toBe(true);
  });
  it('any time of a day off is outside', () => {
    expect(at('2026-11-22T09:00:00+07:00')).toBe(true);
    expect(at('2026-09-02T09:00:00+07:00')).toBe(true);
  });
  it('buckets', () => {
    expect(bucketOf(899_999, 900_000)).toBe(0);
    expect(bucketOf(900_000, 900_000)).toBe(1);
  });
});

describe('badCharacters (the input guard)', async () => {
  const { badCharacters } = await import('../../platform/characters.ts');
  it('finds NUL in strings, keys, arrays and objects of any prototype; not elsewhere', () => {
    expect(badCharacters('a\u0000b')).toBe('nul');
    expect(badCharacters({ a: ['x', { b: '\u0000' }] })).toBe('nul');
    expect(badCharacters({ 'k\u0000': 1 })).toBe('nul');
    const params = Object.create({ inherited: true }) as Record<string, string>;
    params.id = 'a\u0000';
    expect(badCharacters(params)).toBe('nul');
    expect(badCharacters({ a: 'Nguyễn', n: 1, z: null })).toBeNull();
    expect(badCharacters(Buffer.from([0, 0]))).toBeNull();
    expect(badCharacters(undefined)).toBeNull();
  });
  it('finds half of a surrogate pair, high or low, in values and keys; a whole pair (an emoji) is text', () => {
    expect(badCharacters({ a: ['x', 'a\ud800b'] })).toBe('surrogate');
    expect(badCharacters({ '\udc00': 1 })).toBe('surrogate');
    expect(badCharacters('\ude00\ud83d')).toBe('surrogate');
    expect(badCharacters({ a: 'Hồ sơ \ud83d\ude00' })).toBeNull();
  });
});
