import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { clearSettingsCache, getSetting, readSetting, SETTING_DEFAULTS, SettingSchemas, setSettingsReporter, type InvalidSettingWarning } from './settings.ts';

/** A database whose settings table holds `rows` (key → stored jsonb, already decoded), counting the reads. */
function fakeDb(rows: Record<string, unknown>) {
  const db = {
    reads: 0,
    execute: async (q: { queryChunks?: unknown[] }) => {
      db.reads++;
      // The key is the one parameter of `SELECT value FROM settings WHERE key = $1`.
      const key = (q.queryChunks ?? []).find((c): c is string => typeof c === 'string');
      return { rows: key !== undefined && key in rows ? [{ value: rows[key] }] : [] };
    },
  };
  return db;
}
const asDb = (db: ReturnType<typeof fakeDb>) => db as unknown as Db;

afterEach(() => {
  setSettingsReporter(null);
  clearSettingsCache();
});

describe('getSetting with a stored value that no longer fits its schema', () => {
  it('falls back to the default, keeps the stored value and the reasons, and reports the key once', async () => {
    const warnings: InvalidSettingWarning[] = [];
    setSettingsReporter((w) => warnings.push(w));
    // Stored before the rule "{agency}, {yymmdd} and one {seq4}": no {agency}.
    const db = fakeDb({ dossier_code_pattern: 'HS-{yymmdd}-{seq4}' });
    const r = await readSetting(asDb(db), 'dossier_code_pattern');
    expect(r.value).toBe('{agency}-{yymmdd}-{seq4}');
    expect(r.invalidStored?.value).toBe('HS-{yymmdd}-{seq4}');
    expect(r.invalidStored?.issues.map((i) => i.message)).toEqual(['cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan']);
    expect(warnings).toEqual([
      { key: 'dossier_code_pattern', errors: [{ path: 'value', message: 'cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan' }] },
    ]);
    // The warning names the key and the reasons, never the value.
    expect(JSON.stringify(warnings)).not.toContain('HS-');

    // Read again after the cache expires: the same stored value is not reported again.
    clearSettingsCache();
    expect(await getSetting(asDb(db), 'dossier_code_pattern')).toBe('{agency}-{yymmdd}-{seq4}');
    expect(db.reads).toBe(2);
    expect(warnings).toHaveLength(1);
  });

  it('reports another stored value of the same key, and the path inside the value', async () => {
    const warnings: InvalidSettingWarning[] = [];
    setSettingsReporter((w) => warnings.push(w));
    const rows: Record<string, unknown> = { office_hours: { periods: [{ start: '07.30', end: '17:00' }] } };
    expect(await getSetting(asDb(fakeDb(rows)), 'office_hours')).toEqual(SETTING_DEFAULTS.office_hours);
    clearSettingsCache();
    rows.office_hours = { periods: [{ start: '08:00', end: '24:00' }] };
    expect(await getSetting(asDb(fakeDb(rows)), 'office_hours')).toEqual(SETTING_DEFAULTS.office_hours);
    expect(warnings.map((w) => w.errors.map((e) => `${w.key} ${e.path}`))).toEqual([
      ['office_hours value.periods.0.start'],
      ['office_hours value.periods.0.end'],
    ]);
    expect(warnings[0]!.errors[0]!.message).toBe('giờ dạng HH:MM');
  });

  it('sets aside a stored value with a member the schema does not know (written before the schemas became strict), naming it', async () => {
    const warnings: InvalidSettingWarning[] = [];
    setSettingsReporter((w) => warnings.push(w));
    const periods = [{ start: '07:00', end: '11:00', lunch: true }];
    const hours = await readSetting(asDb(fakeDb({ office_hours: { periods } })), 'office_hours');
    expect(hours.value).toEqual(SETTING_DEFAULTS.office_hours);
    expect(hours.invalidStored?.value).toEqual({ periods });
    const extension = { ...SETTING_DEFAULTS.dossier_extension, approverRoles: ['leader'], maxDays: 5 };
    const ext = await readSetting(asDb(fakeDb({ dossier_extension: extension })), 'dossier_extension');
    expect(ext.value).toEqual(SETTING_DEFAULTS.dossier_extension);
    expect(warnings).toEqual([
      { key: 'office_hours', errors: [{ path: 'value.periods.0', message: 'có trường không được phép: lunch' }] },
      { key: 'dossier_extension', errors: [{ path: 'value', message: 'có trường không được phép: maxDays' }] },
    ]);
  });

  it('reports a wrong kind of value too, and a failing reporter does not make the setting unreadable', async () => {
    setSettingsReporter(() => {
      throw new Error('logger down');
    });
    const r = await readSetting(asDb(fakeDb({ upload_max_bytes: '10MB' })), 'upload_max_bytes');
    expect(r.value).toBe(10 * 1024 * 1024);
    expect(r.invalidStored?.issues[0]?.code).toBe('invalid_type');
  });

  it('tells the latest reporter still set: when an app closes and takes its own away, the one set before hears again', async () => {
    const first: InvalidSettingWarning[] = [];
    const second: InvalidSettingWarning[] = [];
    const db = asDb(fakeDb({ upload_max_bytes: '10MB' }));
    const removeFirst = setSettingsReporter((w) => first.push(w));
    const removeSecond = setSettingsReporter((w) => second.push(w));
    await readSetting(db, 'upload_max_bytes');
    expect([first.length, second.length]).toEqual([0, 1]);
    // Taken away out of order: the first app closes first, the second still hears.
    removeFirst();
    removeFirst();
    clearSettingsCache();
    setSettingsReporter((w) => second.push(w))();
    await readSetting(db, 'upload_max_bytes');
    expect([first.length, second.length]).toEqual([0, 2]);
    removeSecond();
    const emitted: string[] = [];
    const onWarning = (w: Error) => emitted.push(w.message);
    process.on('warning', onWarning);
    try {
      clearSettingsCache();
      setSettingsReporter((w) => first.push(w))();
      await readSetting(db, 'upload_max_bytes');
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(first).toHaveLength(0);
    expect(emitted).toEqual([expect.stringContaining('setting upload_max_bytes: the stored value does not fit its schema')]);
  });

  it('uses a stored value that fits (null included where the schema allows it), and the default when none is stored, without a warning', async () => {
    const warnings: InvalidSettingWarning[] = [];
    setSettingsReporter((w) => warnings.push(w));
    const db = asDb(fakeDb({ worklist_soon_days: 5, mfa_required_roles: null }));
    expect(await readSetting(db, 'worklist_soon_days')).toEqual({ value: 5, invalidStored: null });
    expect(await readSetting(db, 'mfa_required_roles')).toEqual({ value: null, invalidStored: null });
    expect(await readSetting(db, 'upload_max_bytes')).toEqual({ value: 10 * 1024 * 1024, invalidStored: null });
    expect(warnings).toEqual([]);
  });
});

describe('the object-valued settings', () => {
  it('are strict at every level: a member the schema does not know is an issue at its object, naming it', () => {
    const said = (r: { error?: { issues: { code: string; path: PropertyKey[]; message: string }[] } }) =>
      r.error?.issues.map((i) => [i.code, i.path.join('.'), i.message]);
    expect(said(SettingSchemas.office_hours.safeParse({ ...SETTING_DEFAULTS.office_hours, timezone: '+07:00' }))).toEqual([
      ['unrecognized_keys', '', 'có trường không được phép: timezone'],
    ]);
    expect(said(SettingSchemas.office_hours.safeParse({ periods: [{ start: '07:30', end: '11:30', label: 'Sáng' }] }))).toEqual([
      ['unrecognized_keys', 'periods.0', 'có trường không được phép: label'],
    ]);
    expect(said(SettingSchemas.dossier_extension.safeParse({ ...SETTING_DEFAULTS.dossier_extension, maxExtension: 2 }))).toEqual([
      ['unrecognized_keys', '', 'có trường không được phép: maxExtension'],
    ]);
    for (const key of ['office_hours', 'dossier_extension'] as const) expect(SettingSchemas[key].safeParse(SETTING_DEFAULTS[key]).success, key).toBe(true);
  });
});
