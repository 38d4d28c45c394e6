import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { queryRows } from '../db/client.ts';
import { formatDossierCode } from '../modules/dossiers/dossiers.service.ts';
import { envMfaRoles } from '../modules/identity/identity.service.ts';
import { listSettingStates, updateSetting } from '../modules/settings/settings.service.ts';
import { adminGuard } from './admin.routes.ts';
import { serviceErrorText } from './service-errors.ts';
import { AppError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import { SETTING_DEFAULTS, SettingSchemas, settingRuleReason, type SettingKey, type SettingRuleReason, type SettingValue } from '../platform/settings.ts';
import { formatDay, formatVnDateTime, vnDate } from '../platform/time.ts';
import type { AdminError } from './admin-pages.ts';
import {
  APPROVER_ROLES,
  fieldId,
  MAX_PERIOD_ROWS,
  MFA_ROLES,
  SETTING_SLUGS,
  SETTINGS_PATH,
  settingsPage,
  type Fields,
  type SettingsPageView,
  type SettingView,
} from './admin-settings-pages.ts';
import { record, str, type WebHelpers } from './application.routes.ts';
import { formatNumber, t, type Locale, type MessageKey } from './i18n.ts';
import { errorPage } from './pages.ts';

type Issue = z.core.$ZodIssue;
const MB = 1024 * 1024;
/** Checkbox groups are read up to this index (the schemas allow at most 6 and 3 roles). */
const MAX_CHECKS = 10;
/** A stored value set aside is shown up to this many characters. */
const STORED_TEXT_MAX = 500;
const KEYS = Object.keys(SETTING_SLUGS) as SettingKey[];
const keyOfSlug = (slug: string): SettingKey | null => KEYS.find((k) => SETTING_SLUGS[k] === slug) ?? null;

// ------------------------------------------------------------ values and forms

const roleName = (locale: Locale, r: string) =>
  (MFA_ROLES as readonly string[]).includes(r) ? t(locale, `admin.roleName.${r as (typeof MFA_ROLES)[number]}`) : r;
const roleList = (locale: Locale, roles: readonly string[]) =>
  roles.length ? roles.map((r) => roleName(locale, r)).join(', ') : t(locale, 'admin.set.mfa.noRole');
const megabytes = (locale: Locale, bytes: number) => formatNumber(locale, Math.round((bytes / MB) * 1000) / 1000);

/** A setting's value in words, as the page lists it. */
export function valueText(key: SettingKey, value: unknown, locale: Locale, env: string): string {
  switch (key) {
    case 'office_hours':
      return (value as SettingValue<'office_hours'>).periods.map((p) => `${p.start}–${p.end}`).join(', ');
    case 'dossier_code_pattern':
      return value as string;
    case 'upload_max_bytes': {
      const bytes = value as number;
      const mb = `${megabytes(locale, bytes)} MB`;
      return bytes % MB === 0 ? mb : t(locale, 'admin.set.upload.bytes', { size: mb, bytes: formatNumber(locale, bytes) });
    }
    case 'mfa_required_roles': {
      const roles = value as SettingValue<'mfa_required_roles'>;
      return roles === null ? t(locale, 'admin.set.mfa.envValue', { roles: roleList(locale, envMfaRoles(env)) }) : roleList(locale, roles);
    }
    case 'worklist_soon_days':
      return t(locale, 'admin.set.soon.value', { n: value as number });
    case 'dossier_extension': {
      const x = value as SettingValue<'dossier_extension'>;
      const limit = (n: number | null, days: boolean) =>
        n === null ? t(locale, 'admin.set.ext.noLimit') : days ? t(locale, 'admin.set.soon.value', { n }) : t(locale, 'admin.set.ext.times', { n });
      return t(locale, 'admin.set.ext.value', {
        roles: roleList(locale, x.approverRoles),
        max: limit(x.maxExtensions, false),
        each: limit(x.maxWorkingDaysEach, true),
        within: limit(x.withinWorkingDaysOfDue, true),
      });
    }
  }
}

/** What a setting's form shows for a value. */
export function fieldsOfValue(key: SettingKey, value: unknown, locale: Locale): Fields {
  const checks = (prefix: string, all: readonly string[], chosen: readonly string[]) =>
    Object.fromEntries(all.flatMap((r, i) => (chosen.includes(r) ? [[`${prefix}.${i}`, r]] : [])));
  switch (key) {
    case 'office_hours':
      return Object.fromEntries(
        (value as SettingValue<'office_hours'>).periods.flatMap((p, i) => [
          [`p.${i}.start`, p.start],
          [`p.${i}.end`, p.end],
        ]),
      );
    case 'dossier_code_pattern':
      return { pattern: value as string };
    case 'upload_max_bytes':
      return { mb: megabytes(locale, value as number) };
    case 'mfa_required_roles': {
      const roles = value as SettingValue<'mfa_required_roles'>;
      return roles === null ? { mode: 'env' } : { mode: 'list', ...checks('role', MFA_ROLES, roles) };
    }
    case 'worklist_soon_days':
      return { days: String(value as number) };
    case 'dossier_extension': {
      const x = value as SettingValue<'dossier_extension'>;
      const n = (v: number | null) => (v === null ? '' : String(v));
      return {
        ...checks('approver', APPROVER_ROLES, x.approverRoles),
        maxExtensions: n(x.maxExtensions),
        maxWorkingDaysEach: n(x.maxWorkingDaysEach),
        withinWorkingDaysOfDue: n(x.withinWorkingDaysOfDue),
      };
    }
  }
}

/** The inputs of a setting's form, read from a posted body (anything else is left out). */
export function fieldsOfBody(key: SettingKey, body: Record<string, unknown>): Fields {
  const names: string[] = {
    office_hours: Array.from({ length: MAX_PERIOD_ROWS }, (_x, i) => [`p.${i}.start`, `p.${i}.end`]).flat(),
    dossier_code_pattern: ['pattern'],
    upload_max_bytes: ['mb'],
    mfa_required_roles: ['mode', ...Array.from({ length: MAX_CHECKS }, (_x, i) => `role.${i}`)],
    worklist_soon_days: ['days'],
    dossier_extension: [...Array.from({ length: MAX_CHECKS }, (_x, i) => `approver.${i}`), 'maxExtensions', 'maxWorkingDaysEach', 'withinWorkingDaysOfDue'],
  }[key];
  return Object.fromEntries(names.flatMap((n) => (str(body[n], 200) ? [[n, str(body[n], 200)]] : [])));
}

const err = (locale: Locale, key: SettingKey, name: string, label: string, message: string): AdminError => ({
  anchor: fieldId(key, name),
  message: t(locale, 'admin.errInvalid', { label, message }),
});

/** "7:30" and "07:30:00" (some browsers send seconds) are 07:30; anything else is left for the schema to refuse. */
const timeOf = (s: string) => {
  const m = /^(\d{1,2}):(\d{2})(?::00)?$/.exec(s);
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : s;
};

export interface FormReading {
  /** What to hand to the settings service. */
  value: unknown;
  /** Inputs that cannot be read at all (not a number, half a period): nothing is sent then. */
  errors: AdminError[];
  /** office_hours: the form row of each period sent (periods go in order of their start). */
  rowOf: number[];
}

/** The value a form stands for. The settings service decides whether it is allowed. */
export function readFields(key: SettingKey, f: Fields, locale: Locale): FormReading {
  const errors: AdminError[] = [];
  const label = (k: Parameters<typeof t>[1], params?: Record<string, string | number>) => t(locale, k, params);
  const chosen = (prefix: string) => Array.from({ length: MAX_CHECKS }, (_x, i) => f[`${prefix}.${i}`]).filter((v): v is string => !!v);
  const integer = (name: string, l: string, optional: boolean): number | null => {
    const s = f[name] ?? '';
    if (!s && optional) return null;
    if (!/^[-+]?\d{1,9}$/.test(s)) {
      errors.push(err(locale, key, name, l, t(locale, s ? 'admin.set.err.integer' : 'admin.set.err.required')));
      return null;
    }
    return Number(s);
  };
  switch (key) {
    case 'office_hours': {
      const rows: { row: number; start: string; end: string }[] = [];
      for (let i = 0; i < MAX_PERIOD_ROWS; i++) {
        const start = timeOf(f[`p.${i}.start`] ?? '');
        const end = timeOf(f[`p.${i}.end`] ?? '');
        if (!start && !end) continue;
        if (!start || !end) {
          const which = start ? 'end' : 'start';
          errors.push(
            err(
              locale,
              key,
              `p.${i}.${which}`,
              label(which === 'start' ? 'admin.set.oh.startOf' : 'admin.set.oh.endOf', { n: i + 1 }),
              t(locale, 'admin.set.oh.half'),
            ),
          );
          continue;
        }
        rows.push({ row: i, start, end });
      }
      rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.row - b.row));
      return { value: { periods: rows.map((r) => ({ start: r.start, end: r.end })) }, errors, rowOf: rows.map((r) => r.row) };
    }
    case 'dossier_code_pattern':
      return { value: f.pattern ?? '', errors, rowOf: [] };
    case 'upload_max_bytes': {
      const s = (f.mb ?? '').replace(',', '.');
      if (!/^[-+]?\d{1,6}(\.\d{1,6})?$/.test(s)) {
        errors.push(err(locale, key, 'mb', label('admin.set.upload.label'), t(locale, s ? 'admin.set.err.number' : 'admin.set.err.required')));
        return { value: null, errors, rowOf: [] };
      }
      return { value: Math.round(Number(s) * MB), errors, rowOf: [] };
    }
    case 'mfa_required_roles': {
      if (f.mode === 'env') return { value: null, errors, rowOf: [] };
      if (f.mode !== 'list') errors.push(err(locale, key, 'mode', label('admin.set.mfa.mode'), t(locale, 'admin.set.mfa.chooseMode')));
      return { value: chosen('role'), errors, rowOf: [] };
    }
    case 'worklist_soon_days':
      return { value: integer('days', label('admin.set.soon.label'), false), errors, rowOf: [] };
    case 'dossier_extension':
      return {
        value: {
          approverRoles: chosen('approver'),
          maxExtensions: integer('maxExtensions', label('admin.set.ext.maxExtensions'), true),
          maxWorkingDaysEach: integer('maxWorkingDaysEach', label('admin.set.ext.maxWorkingDaysEach'), true),
          withinWorkingDaysOfDue: integer('withinWorkingDaysOfDue', label('admin.set.ext.within'), true),
        },
        errors,
        rowOf: [],
      };
  }
}

/** An issue in plain words; a custom rule by its reason (any other custom issue: "not valid"). */
function issueWords(locale: Locale, issue: Issue): string {
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'array'
        ? t(locale, 'admin.set.err.chooseMin', { min: Number(issue.minimum) })
        : t(locale, 'admin.set.err.min', { min: Number(issue.minimum) });
    case 'too_big':
      if (issue.origin === 'array') return t(locale, 'admin.set.err.chooseMax', { max: Number(issue.maximum) });
      if (issue.origin === 'string') return t(locale, 'admin.set.err.maxLength', { max: Number(issue.maximum) });
      return t(locale, 'admin.set.err.max', { max: Number(issue.maximum) });
    case 'invalid_value':
      return t(locale, 'admin.set.err.unknownRole');
    case 'invalid_format':
      return t(locale, 'admin.set.err.time');
    case 'invalid_type':
      return t(locale, 'admin.set.err.integer');
    case 'unrecognized_keys':
      // A stored value with a member the (strict) schema does not know, written by hand or before the schemas became strict.
      return t(locale, 'admin.err.unknownKeys', { keys: issue.keys.join(', ') });
    case 'custom': {
      const reason = settingRuleReason(issue);
      return t(locale, reason ? RULE_WORDS[reason] : 'admin.err.invalid');
    }
    default:
      return issue.message;
  }
}

/** The words of each custom rule of the settings' schemas (platform/settings.ts), by the issue's reason. */
const RULE_WORDS: Record<SettingRuleReason, MessageKey> = {
  periods_order: 'admin.set.err.periodsOrder',
  pattern_chars: 'admin.set.pattern.err.chars',
  pattern_seq4: 'admin.set.pattern.err.seq',
  pattern_parts: 'admin.set.pattern.err.parts',
  duplicate_role: 'admin.set.err.duplicateRole',
};

/** A stored value set aside, as stored (a string as it is, anything else as JSON), cut short if long. */
export function storedText(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > STORED_TEXT_MAX ? `${text.slice(0, STORED_TEXT_MAX)}…` : text;
}

/** Why a stored value does not fit, in the page's language, each reason after its place in the value (`periods.0.start: …`). */
export function storedReasons(locale: Locale, issues: readonly Issue[]): string[] {
  return issues.map((i) => {
    const words = i.code === 'invalid_type' ? t(locale, 'admin.set.err.type') : issueWords(locale, i);
    return i.path.length ? `${i.path.map(String).join('.')}: ${words}` : words;
  });
}

/** The settings service's refusal as messages next to the inputs concerned. */
export function issueErrors(key: SettingKey, issues: readonly Issue[], reading: FormReading, locale: Locale): AdminError[] {
  const out: AdminError[] = [];
  const push = (name: string, label: string, message: string) => {
    const e = err(locale, key, name, label, message);
    if (!out.some((x) => x.anchor === e.anchor && x.message === e.message)) out.push(e);
  };
  for (const issue of issues) {
    const [head, index, leaf] = issue.path;
    switch (key) {
      case 'office_hours': {
        const periods = (reading.value as SettingValue<'office_hours'>).periods;
        const rowName = (i: number, which: 'start' | 'end') =>
          [
            `p.${reading.rowOf[i] ?? 0}.${which}`,
            t(locale, which === 'start' ? 'admin.set.oh.startOf' : 'admin.set.oh.endOf', { n: (reading.rowOf[i] ?? 0) + 1 }),
          ] as const;
        if (typeof index === 'number' && (leaf === 'start' || leaf === 'end')) {
          push(...rowName(index, leaf), issueWords(locale, issue));
        } else if (issue.code === 'too_small') {
          push('p.0.start', t(locale, 'admin.set.oh.startOf', { n: 1 }), t(locale, 'admin.set.oh.none'));
        } else {
          // "Ordered and not overlapping": say which period is wrong.
          periods.forEach((p, i) => {
            if (p.start >= p.end) push(...rowName(i, 'end'), t(locale, 'admin.set.oh.endBeforeStart'));
            else if (i > 0 && periods[i - 1]!.end > p.start)
              push(...rowName(i, 'start'), t(locale, 'admin.set.oh.overlap', { n: (reading.rowOf[i - 1] ?? 0) + 1 }));
          });
        }
        break;
      }
      case 'dossier_code_pattern':
        push('pattern', t(locale, 'admin.set.pattern.label'), issueWords(locale, issue));
        break;
      case 'upload_max_bytes':
        push('mb', t(locale, 'admin.set.upload.label'), t(locale, 'admin.set.upload.range'));
        break;
      case 'mfa_required_roles':
        push('role', t(locale, 'admin.set.mfa.roles'), issueWords(locale, issue));
        break;
      case 'worklist_soon_days':
        push('days', t(locale, 'admin.set.soon.label'), issueWords(locale, issue));
        break;
      case 'dossier_extension': {
        const labels = {
          maxExtensions: 'admin.set.ext.maxExtensions',
          maxWorkingDaysEach: 'admin.set.ext.maxWorkingDaysEach',
          withinWorkingDaysOfDue: 'admin.set.ext.within',
        } as const;
        if (head === 'maxExtensions' || head === 'maxWorkingDaysEach' || head === 'withinWorkingDaysOfDue')
          push(head, t(locale, labels[head]), issueWords(locale, issue));
        else push('approver', t(locale, 'admin.set.ext.approvers'), issueWords(locale, issue));
        break;
      }
    }
  }
  return out;
}

/** The first input of a setting's form, for an error no input explains. */
const FIRST_INPUT: Record<SettingKey, string> = {
  office_hours: 'p.0.start',
  dossier_code_pattern: 'pattern',
  upload_max_bytes: 'mb',
  mfa_required_roles: 'mode',
  worklist_soon_days: 'days',
  dossier_extension: 'approver',
};

// ---------------------------------------------------------------------- routes

/**
 * `/quan-tri/cau-hinh`: every setting of platform/settings.ts with one form each, for
 * administrators only. Saving goes through the settings service (`updateSetting`), the same
 * call as `PUT /api/v1/settings/{key}`, so validation and the `settings.update` audit record
 * are the API's.
 */
export function registerAdminSettingsRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;

  const guard = adminGuard(h);

  /** The provincial service centre (a service centre of the province: the shortest unit code) for the code example. */
  const exampleAgency = async () =>
    (
      await queryRows<{ name: string; identity_code: string }>(
        database.db,
        sql`SELECT name, identity_code FROM agencies WHERE is_active ORDER BY (kind = 'service_centre') DESC, length(unit_code), code LIMIT 1`,
      )
    )[0] ?? null;

  interface Failed {
    key: SettingKey;
    fields: Fields;
    errors: AdminError[];
  }

  const render = async (req: FastifyRequest, reply: FastifyReply, status: number, o: { failed?: Failed; notice?: string; triedPattern?: string }) => {
    const ctx = ctxOf(req, database);
    const locale = h.locale(req);
    const env = h.config.env;
    const states = await listSettingStates(ctx);
    // A refused form and a tried pattern come back as typed; the other forms show the values in force.
    const formFields = (key: SettingKey, value: unknown): Fields =>
      o.failed?.key === key
        ? o.failed.fields
        : key === 'dossier_code_pattern' && o.triedPattern !== undefined
          ? { pattern: o.triedPattern }
          : fieldsOfValue(key, value, locale);
    const settings = states.map((s): SettingView => ({
      key: s.key,
      valueText: valueText(s.key, s.value, locale, env),
      defaultText: valueText(s.key, SETTING_DEFAULTS[s.key], locale, env),
      isDefault: s.isDefault,
      updated: s.updatedAt ? { at: formatVnDateTime(s.updatedAt), by: s.updatedBy ?? null } : null,
      fields: formFields(s.key, s.value),
      invalidStored: s.invalidStored ? { valueText: storedText(s.invalidStored.value), reasons: storedReasons(locale, s.invalidStored.issues) } : null,
    }));
    const agency = await exampleAgency();
    const day = vnDate(ctx.now);
    const pattern = states.find((s) => s.key === 'dossier_code_pattern')!.value as string;
    const view: SettingsPageView = {
      settings,
      failed: o.failed?.key ?? null,
      errors: o.failed?.errors ?? [],
      notice: o.notice,
      envMfaText: roleList(locale, envMfaRoles(env)),
      codeExample: agency
        ? {
            agency: agency.name,
            date: formatDay(day),
            code: formatDossierCode(pattern, agency.identity_code, day, 1),
            tried:
              o.triedPattern !== undefined ? { pattern: o.triedPattern, code: formatDossierCode(o.triedPattern, agency.identity_code, day, 1) } : undefined,
          }
        : null,
    };
    return send(reply, status, settingsPage(h.pageCtx(req, reply), view));
  };

  app.get(SETTINGS_PATH, { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const q = record(req.query);
    const locale = h.locale(req);
    const saved = keyOfSlug(str(q['da-luu'], 40));
    const restored = keyOfSlug(str(q['mac-dinh'], 40));
    const text = saved
      ? t(locale, 'admin.set.saved', { name: t(locale, `admin.set.name.${saved}`) })
      : restored
        ? t(locale, 'admin.set.restored', { name: t(locale, `admin.set.name.${restored}`) })
        : undefined;
    return render(req, reply, 200, text ? { notice: text } : {});
  });

  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    const p = h.pageCtx(req, reply);
    return send(reply, 404, errorPage(p, t(p.locale, 'error.notFoundTitle'), t(p.locale, 'error.notFound')));
  };

  // A form's address opened directly (the language switch on a refused form, the way back after signing in): its section.
  app.get(`${SETTINGS_PATH}/:slug`, { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const key = keyOfSlug(str(record(req.params).slug, 40));
    if (!key) return notFound(req, reply);
    return reply.redirect(`${SETTINGS_PATH}#${SETTING_SLUGS[key]}`, 303);
  });

  app.post(`${SETTINGS_PATH}/:slug`, { schema: { hide: true } }, async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const body = record(req.body);
    if (!h.csrfValid(req, body)) {
      const p = h.pageCtx(req, reply);
      return send(reply, 403, errorPage(p, t(p.locale, 'error.csrfTitle'), t(p.locale, 'error.csrf')));
    }
    const key = keyOfSlug(str(record(req.params).slug, 40));
    if (!key) return notFound(req, reply);
    const locale = h.locale(req);
    const slug = SETTING_SLUGS[key];
    const op = str(body.op, 20);
    if (op === 'default') {
      await updateSetting(ctxOf(req, database), key, SETTING_DEFAULTS[key]);
      return reply.redirect(`${SETTINGS_PATH}?mac-dinh=${slug}#${slug}`, 303);
    }
    const fields = fieldsOfBody(key, body);
    const reading = readFields(key, fields, locale);
    const refuse = (errors: AdminError[]) => render(req, reply, 422, { failed: { key, fields, errors } });
    if (reading.errors.length) return refuse(reading.errors);
    // "See an example" tries a pattern without saving it (the schema the service applies).
    if (op === 'preview' && key === 'dossier_code_pattern') {
      const tried = SettingSchemas.dossier_code_pattern.safeParse(reading.value);
      if (!tried.success) return refuse(issueErrors(key, tried.error.issues, reading, locale));
      return render(req, reply, 200, { triedPattern: tried.data });
    }
    try {
      await updateSetting(ctxOf(req, database), key, reading.value);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'SETTING_INVALID')) throw e;
      const errors = e.cause instanceof z.ZodError ? issueErrors(key, e.cause.issues, reading, locale) : [];
      return refuse(errors.length ? errors : [{ anchor: fieldId(key, FIRST_INPUT[key]), message: serviceErrorText(locale, e) }]);
    }
    return reply.redirect(`${SETTINGS_PATH}?da-luu=${slug}#${slug}`, 303);
  });
}
