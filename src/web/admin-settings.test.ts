import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SETTING_RULE_REASONS, SettingSchemas, settingRuleReason } from '../platform/settings.ts';
import { storedReasons } from './admin-settings.routes.ts';
import { t } from './i18n.ts';

/** Each custom rule of the settings' schemas broken once, with the message the API gives. */
const broken = [
  ['các khoảng giờ phải theo thứ tự và không chồng lên nhau', SettingSchemas.office_hours.safeParse({ periods: [{ start: '11:00', end: '08:00' }] })],
  ['chỉ gồm chữ, số, dấu . - _ và các trường {agency}, {yymmdd}, {seq4}', SettingSchemas.dossier_code_pattern.safeParse('{agency}/{yymmdd}-{seq4}')],
  ['{seq4} phải xuất hiện đúng một lần', SettingSchemas.dossier_code_pattern.safeParse('{agency}-{yymmdd}')],
  ['cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan', SettingSchemas.dossier_code_pattern.safeParse('HS-{yymmdd}-{seq4}')],
  [
    'vai trò bị lặp',
    SettingSchemas.dossier_extension.safeParse({
      approverRoles: ['leader', 'leader'],
      maxExtensions: null,
      maxWorkingDaysEach: null,
      withinWorkingDaysOfDue: null,
    }),
  ],
] as const;

describe('settings page: the schemas’ custom rules', () => {
  it('each carries a stable reason, and every reason is raised by a rule', () => {
    const seen = broken.map(([message, result]) => {
      const issues = result.error?.issues ?? [];
      // The API's message is unchanged; the page reads the reason, not the message.
      expect(
        issues.map((i) => [i.code, i.message]),
        message,
      ).toEqual([['custom', message]]);
      return settingRuleReason(issues[0]!);
    });
    expect([...seen].sort()).toEqual([...SETTING_RULE_REASONS].sort());
  });

  it('are worded by their reason in the page’s language, a custom issue without a known reason generically', () => {
    const issues = broken.map(([, result]) => result.error!.issues[0]!);
    for (const locale of ['vi', 'en'] as const) {
      const generic = t(locale, 'admin.err.invalid');
      const words = storedReasons(locale, issues).map((w) => w.replace(/^periods: /, ''));
      expect(new Set(words).size, locale).toBe(SETTING_RULE_REASONS.length);
      for (const w of words) expect(w, locale).not.toBe(generic);
      // Reworded messages do not change the page's words: the reason does.
      expect(
        storedReasons(
          locale,
          issues.map((i) => ({ ...i, message: 'RAW' })),
        ),
      ).toEqual(storedReasons(locale, issues));
      const unknown: z.core.$ZodIssueCustom = { code: 'custom', path: [], input: null, message: 'vai trò bị lặp' };
      expect(storedReasons(locale, [unknown, { ...unknown, params: { reason: 'no_such_rule' } }])).toEqual([generic, generic]);
    }
    expect(storedReasons('en', issues)).toEqual([
      'periods: the periods must be in order and must not overlap',
      'only letters, digits, . - _ and the parts {agency}, {yymmdd}, {seq4}',
      '{seq4} must appear exactly once',
      'needs {agency} and {yymmdd}: the number restarts every day at every agency',
      'approverRoles: a role is listed twice',
    ]);
  });
});

describe('settings page: a stored value with a member the schema does not know', () => {
  it('says which member, in the page’s language, after its place in the value', () => {
    const r = SettingSchemas.office_hours.safeParse({ periods: [{ start: '07:30', end: '11:30', lunch: true }] });
    expect(storedReasons('vi', r.error!.issues)).toEqual(['periods.0: có trường không được phép: lunch']);
    expect(storedReasons('en', r.error!.issues)).toEqual(['periods.0: has fields that are not allowed: lunch']);
  });
});
