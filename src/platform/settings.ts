import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sql, type Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import { customIssueReason } from './schemas.ts';

/**
 * Settings an administrator can change ([config] items of DOMAIN.md). Each has a schema and a
 * default; the stored value wins. Values are cached per process for a few seconds.
 */
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ dạng HH:MM');

/**
 * The reason of each custom rule of the settings' schemas (the issue's `params.reason`), for a page
 * to word it in its own language without reading the message, which stays Vietnamese (the API's)
 * and may be reworded.
 */
export const SETTING_RULE_REASONS = ['periods_order', 'pattern_chars', 'pattern_seq4', 'pattern_parts', 'duplicate_role'] as const;
export type SettingRuleReason = (typeof SETTING_RULE_REASONS)[number];

/** A custom rule's issue: its message (the API's) and its reason. */
const rule = (reason: SettingRuleReason, message: string) => ({ message, params: { reason } });

/** The reason of an issue raised by one of the settings' custom rules; undefined for any other issue. */
export function settingRuleReason(issue: z.core.$ZodIssue): SettingRuleReason | undefined {
  return customIssueReason(issue, SETTING_RULE_REASONS);
}

/**
 * The object values are strict at every level, as the API's bodies are: a member the schema does not
 * know (`{ start, end, lunch }`) is an issue naming it ("có trường không được phép: lunch"), so
 * `PUT /settings/{key}` refuses it (SETTING_INVALID) and a stored value holding one is set aside
 * for the default like any other that does not fit (`readSetting`).
 */
export const SettingSchemas = {
  office_hours: z.strictObject({
    periods: z
      .array(z.strictObject({ start: HHMM, end: HHMM }))
      .min(1)
      .refine(
        (ps) => ps.every((p, i) => p.start < p.end && (i === 0 || ps[i - 1]!.end <= p.start)),
        rule('periods_order', 'các khoảng giờ phải theo thứ tự và không chồng lên nhau'),
      ),
  }),
  /**
   * Dossier code pattern: {agency} identity code, {yymmdd} date of receipt, {seq4} daily sequence.
   * The sequence restarts each day for each agency, so all three are needed for codes to stay
   * unique; other characters are letters, digits, '.', '-' and '_' (a code goes into URLs).
   */
  dossier_code_pattern: z
    .string()
    .max(80)
    .refine(
      (p) => /^([A-Za-z0-9._-]|\{(agency|yymmdd|seq4)\})+$/.test(p),
      rule('pattern_chars', 'chỉ gồm chữ, số, dấu . - _ và các trường {agency}, {yymmdd}, {seq4}'),
    )
    .refine((p) => p.split('{seq4}').length === 2, rule('pattern_seq4', '{seq4} phải xuất hiện đúng một lần'))
    .refine(
      (p) => p.includes('{agency}') && p.includes('{yymmdd}'),
      rule('pattern_parts', 'cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan'),
    ),
  upload_max_bytes: z
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024),
  /** Roles that must sign in with a second factor (TOTP); null = the environment's default (docs/IDENTITY.md). */
  mfa_required_roles: z
    .array(z.enum(['citizen', 'organisation', 'reception', 'specialist', 'leader', 'admin']))
    .max(6)
    .nullable(),
  /** The officers' worklist: a dossier is "due soon" within this many working days (the officer may change it per view). */
  worklist_soon_days: z.number().int().min(1).max(30),
  /**
   * Extending a late dossier (form 04; DOMAIN section 4: limits and approvers [config]): who
   * grants it, how many times per dossier, how many working days one extension may add after
   * the current due date, and how close to the due date (in working days) it may be asked;
   * null = no limit.
   */
  dossier_extension: z.strictObject({
    approverRoles: z
      .array(z.enum(['reception', 'specialist', 'leader']))
      .min(1)
      .max(3)
      .refine((rs) => new Set(rs).size === rs.length, rule('duplicate_role', 'vai trò bị lặp')),
    maxExtensions: z.number().int().min(1).max(20).nullable(),
    maxWorkingDaysEach: z.number().int().min(1).max(365).nullable(),
    withinWorkingDaysOfDue: z.number().int().min(0).max(60).nullable(),
  }),
} as const;

export type SettingKey = keyof typeof SettingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SettingSchemas)[K]>;

export const SETTING_DEFAULTS: { [K in SettingKey]: SettingValue<K> } = {
  office_hours: {
    periods: [
      { start: '07:30', end: '11:30' },
      { start: '13:30', end: '17:00' },
    ],
  },
  dossier_code_pattern: '{agency}-{yymmdd}-{seq4}',
  upload_max_bytes: 10 * 1024 * 1024,
  mfa_required_roles: null,
  worklist_soon_days: 2,
  dossier_extension: { approverRoles: ['leader'], maxExtensions: null, maxWorkingDaysEach: null, withinWorkingDaysOfDue: null },
};

/** One reason a stored value does not fit its schema (zod's issue: a path inside the value and a message). */
export type SettingIssue = z.core.$ZodIssue;

/** A stored value that no longer fits its schema (stored before a rule was added, or written by hand). */
export interface InvalidStoredSetting {
  value: unknown;
  issues: readonly SettingIssue[];
}

/** A setting as read: the value in force, and the stored value that was set aside for the default, if any. */
export interface SettingReading<K extends SettingKey> {
  value: SettingValue<K>;
  invalidStored: InvalidStoredSetting | null;
}

/** What is said when a stored value is set aside: the key and the reasons, never the value (short, and a setting may one day hold a secret). */
export interface InvalidSettingWarning {
  key: SettingKey;
  errors: { path: string; message: string }[];
}

export type SettingsReporter = (warning: InvalidSettingWarning) => void;

/** Until the app sets its logger (buildApp), a warning goes to Node's process warnings (stderr), e.g. in the admin CLI. */
const processWarning: SettingsReporter = (w) =>
  process.emitWarning(
    `setting ${w.key}: the stored value does not fit its schema, the default is in force (${w.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})`,
    {
      code: 'TINHSO_SETTING_INVALID',
    },
  );

/** The reporters set, latest last: the latest one still set hears the warnings (processWarning when none is). */
const reporters: SettingsReporter[] = [];
/** Key and stored value (hashed) already reported: each is said once per process, not at every cache refresh. */
const reported = new Set<string>();

/**
 * Where warnings about stored values set aside go (the app's logger); the new reporter hears each
 * again once. Returns what takes it away again: an app calls it when it closes, so a closed app's
 * logger is never the one told, and the app set before it (or the process warning) hears them
 * again (the settings themselves, like their cache, are the process's: one process serves one
 * database). `null` forgets every reporter.
 */
export function setSettingsReporter(r: SettingsReporter | null): () => void {
  if (r === null) reporters.length = 0;
  else reporters.push(r);
  reported.clear();
  return () => {
    const at = r === null ? -1 : reporters.lastIndexOf(r);
    if (at !== -1) reporters.splice(at, 1);
  };
}

/** Zod's issues as `{path, message}`, the path inside the value prefixed with `value` (as SETTING_INVALID's field errors). */
export const settingIssueErrors = (issues: readonly SettingIssue[]): { path: string; message: string }[] =>
  issues.map((i) => ({ path: ['value', ...i.path.map(String)].join('.'), message: i.message.slice(0, 200) }));

function reportInvalid(key: SettingKey, stored: unknown, issues: readonly SettingIssue[]): void {
  const id = `${key}:${createHash('sha256')
    .update(JSON.stringify(stored) ?? 'undefined')
    .digest('base64url')}`;
  if (reported.has(id)) return;
  reported.add(id);
  try {
    (reporters.at(-1) ?? processWarning)({ key, errors: settingIssueErrors(issues) });
  } catch {
    // A failing logger must not make the setting unreadable.
  }
}

const CACHE_MS = 5_000;
const cache = new Map<string, { reading: SettingReading<SettingKey>; at: number }>();

/**
 * A setting with what stands behind it: the stored value when it fits the schema, else the
 * default. A stored value that no longer fits (a pattern stored before a rule was added) is set
 * aside, reported once (setSettingsReporter) and returned as `invalidStored`, so the settings
 * page and API can show it and an administrator can correct it.
 */
export async function readSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingReading<K>> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.reading as SettingReading<K>;
  const res = (await db.execute(sql`SELECT value FROM settings WHERE key = ${key}`)) as unknown as { rows: { value: unknown }[] };
  const stored = res.rows[0]?.value;
  // Both drivers decode jsonb.
  const parsed = stored === undefined ? null : SettingSchemas[key].safeParse(stored);
  let reading: SettingReading<K>;
  if (parsed?.success) reading = { value: parsed.data as SettingValue<K>, invalidStored: null };
  else if (parsed) {
    reportInvalid(key, stored, parsed.error.issues);
    reading = { value: SETTING_DEFAULTS[key], invalidStored: { value: stored, issues: parsed.error.issues } };
  } else reading = { value: SETTING_DEFAULTS[key], invalidStored: null };
  cache.set(key, { reading, at: Date.now() });
  return reading;
}

/** The value in force: the stored value, or the default when none is stored or the stored one does not fit (readSetting). */
export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingValue<K>> {
  return (await readSetting(db, key)).value;
}

export async function putSetting<K extends SettingKey>(db: Db, key: K, value: SettingValue<K>, by: string | null, now: Date): Promise<void> {
  const parsed = SettingSchemas[key].parse(value);
  // A null value (mfa_required_roles: the environment's default) is the jsonb value null: the column is NOT NULL.
  const v = parsed === null ? sql`'null'::jsonb` : parsed;
  await db
    .insert(settings)
    .values({ key, value: v, updatedAt: now, updatedBy: by })
    .onConflictDoUpdate({ target: settings.key, set: { value: v, updatedAt: now, updatedBy: by } });
  cache.delete(key);
}

export function clearSettingsCache(): void {
  cache.clear();
}
