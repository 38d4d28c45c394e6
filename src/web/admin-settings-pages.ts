/**
 * The administrators' settings page (`/quan-tri/cau-hinh`): every setting of
 * platform/settings.ts with its value, whether it is the default, and one form per setting.
 * The forms work on plain strings (what the browser sent) so that a refused form comes back
 * exactly as it was typed; admin-settings.routes.ts turns them into values and errors.
 */
import type { SettingKey } from '../platform/settings.ts';
import { adminLayout, input, notice, summary, type AdminError } from './admin-pages.ts';
import { html, type SafeHtml } from './html.ts';
import { type MessageKey } from './i18n.ts';
import { csrfField, scrollTable, tr, type PageCtx } from './layout.ts';
import { messageHtml, vi } from './application-pages.ts';

/** Each setting's address on the page and in its form's action (`/quan-tri/cau-hinh/<slug>`). */
export const SETTING_SLUGS = {
  office_hours: 'gio-lam-viec',
  dossier_code_pattern: 'ma-ho-so',
  upload_max_bytes: 'tep-tai-len',
  mfa_required_roles: 'xac-thuc-hai-buoc',
  worklist_soon_days: 'sap-den-han',
  dossier_extension: 'gia-han',
} as const satisfies Record<SettingKey, string>;

export const SETTINGS_PATH = '/quan-tri/cau-hinh';

/** The roles offered for the second factor and for approving extensions (the schemas' enums). */
export const MFA_ROLES = ['citizen', 'organisation', 'reception', 'specialist', 'leader', 'admin'] as const;
export const APPROVER_ROLES = ['reception', 'specialist', 'leader'] as const;

/** Rows of office periods shown: the filled ones plus this many blank ones to add a period. */
export const BLANK_PERIOD_ROWS = 2;
export const MAX_PERIOD_ROWS = 12;

/** A form's values as the browser sends them, by input name. */
export type Fields = Record<string, string>;

/** The id of a setting's input (unique on the page, so error links land on the right form). */
export const fieldId = (key: SettingKey, name: string) => `${SETTING_SLUGS[key]}-${name.replace(/\./g, '-')}`;

export interface SettingView {
  key: SettingKey;
  /** The value in force, in words. */
  valueText: string;
  defaultText: string;
  isDefault: boolean;
  /** When it was last changed ("08:00 01/05/2026") and by whom ("Lê Thị Lan", null when unknown), or null when never changed. */
  updated: { at: string; by: string | null } | null;
  /** What the form shows: the value in force, or what was typed when the form was refused. */
  fields: Fields;
  /** A stored value set aside because it no longer fits (the default is in force): as stored, and why, in words. */
  invalidStored: { valueText: string; reasons: string[] } | null;
}

export interface SettingsPageView {
  settings: SettingView[];
  /** The setting whose form was refused, with its errors (anchors are `fieldId`s). */
  failed: SettingKey | null;
  errors: AdminError[];
  notice?: string | undefined;
  /** The first code of today at the provincial centre under the pattern in force (and under the one being tried). */
  codeExample: { agency: string; date: string; code: string; tried?: { pattern: string; code: string } | undefined } | null;
  /** The roles that need a second factor when the setting is left to the environment. */
  envMfaText: string;
}

const roleLabel = (p: PageCtx, r: string): string =>
  (MFA_ROLES as readonly string[]).includes(r) ? tr(p)(`admin.roleName.${r as (typeof MFA_ROLES)[number]}`) : r;

/** A group of checkboxes `${prefix}.${i}` whose value is the role (the names differ, so each is sent). */
function roleChecks(
  p: PageCtx,
  key: SettingKey,
  prefix: string,
  roles: readonly string[],
  fields: Fields,
  legend: string,
  errors: AdminError[],
  hint?: string,
): SafeHtml {
  const id = fieldId(key, prefix);
  const chosen = new Set(Object.entries(fields).flatMap(([k, v]) => (k.startsWith(`${prefix}.`) ? [v] : [])));
  const errs = errors.filter((e) => e.anchor === id);
  return html`<fieldset id="${id}" tabindex="-1" class="${errs.length ? 'field-error' : ''}"><legend>${legend}</legend>
${hint ? html`<p class="hint">${hint}</p>` : null}${errs.map((e) => html`<p class="error-message">${e.message}</p>`)}
${roles.map((r, i) => {
  const cid = `${id}-${r}`;
  return html`<div class="check"><input type="checkbox" id="${cid}" name="${prefix}.${i}" value="${r}"${chosen.has(r) ? html` checked` : null}> <label for="${cid}">${roleLabel(p, r)}</label></div>`;
})}</fieldset>`;
}

function radios(key: SettingKey, name: string, legend: string, value: string, options: [string, string][], errors: AdminError[]): SafeHtml {
  const id = fieldId(key, name);
  const errs = errors.filter((e) => e.anchor === id);
  return html`<fieldset id="${id}" tabindex="-1" class="${errs.length ? 'field-error' : ''}"><legend>${legend}</legend>
${errs.map((e) => html`<p class="error-message">${e.message}</p>`)}
${options.map(
  ([v, label]) =>
    html`<div class="choice"><input type="radio" id="${id}-${v}" name="${name}" value="${v}"${value === v ? html` checked` : null}> <label for="${id}-${v}">${label}</label></div>`,
)}</fieldset>`;
}

/** How many office-period rows to show: up to the last one filled in, plus blank ones. */
export function periodRows(fields: Fields): number {
  let last = -1;
  for (let i = 0; i < MAX_PERIOD_ROWS; i++) if (fields[`p.${i}.start`] || fields[`p.${i}.end`]) last = i;
  return Math.min(MAX_PERIOD_ROWS, Math.max(last + 1 + BLANK_PERIOD_ROWS, 3));
}

function settingForm(p: PageCtx, v: SettingsPageView, s: SettingView): SafeHtml {
  const _ = tr(p);
  const key = s.key;
  const f = s.fields;
  const e = v.failed === key ? v.errors : [];
  const text = (name: string, label: MessageKey, hint?: MessageKey, extra?: SafeHtml) =>
    input({
      name,
      id: fieldId(key, name),
      label: _(label),
      hint: hint ? _(hint) : undefined,
      value: f[name],
      errors: e,
      narrow: true,
      ...(extra ? { extra } : {}),
    });
  const numeric = html` inputmode="numeric" autocomplete="off"`;
  switch (key) {
    case 'office_hours':
      return html`<p class="hint">${_('admin.set.oh.hint')}</p>
${Array.from(
  { length: periodRows(f) },
  (_x, i) => html`<fieldset class="row-set"><legend>${_('admin.set.oh.period', { n: i + 1 })}</legend><div class="row-grid">
${input({ name: `p.${i}.start`, id: fieldId(key, `p.${i}.start`), label: _('admin.set.oh.start'), value: f[`p.${i}.start`], errors: e, type: 'time', narrow: true })}
${input({ name: `p.${i}.end`, id: fieldId(key, `p.${i}.end`), label: _('admin.set.oh.end'), value: f[`p.${i}.end`], errors: e, type: 'time', narrow: true })}</div></fieldset>`,
)}`;
    case 'dossier_code_pattern': {
      const ex = v.codeExample;
      return html`${input({ name: 'pattern', id: fieldId(key, 'pattern'), label: _('admin.set.pattern.label'), value: f.pattern, errors: e, extra: html` spellcheck="false" autocomplete="off"` })}
${ex ? html`<p>${messageHtml(p, 'admin.set.pattern.example', { date: ex.date, agency: vi(p, ex.agency) })} <code>${ex.code}</code></p>` : null}
${ex?.tried ? html`<div class="notice" role="status"><p>${_('admin.set.pattern.tried', { pattern: ex.tried.pattern })} <code>${ex.tried.code}</code></p></div>` : null}`;
    }
    case 'upload_max_bytes':
      return text('mb', 'admin.set.upload.label', 'admin.set.upload.hint', html` inputmode="decimal" autocomplete="off"`);
    case 'mfa_required_roles':
      return html`${radios(
        key,
        'mode',
        _('admin.set.mfa.mode'),
        f.mode ?? '',
        [
          ['env', _('admin.set.mfa.env', { roles: v.envMfaText })],
          ['list', _('admin.set.mfa.list')],
        ],
        e,
      )}
${roleChecks(p, key, 'role', MFA_ROLES, f, _('admin.set.mfa.roles'), e, _('admin.set.mfa.rolesHint'))}`;
    case 'worklist_soon_days':
      return text('days', 'admin.set.soon.label', 'admin.set.soon.hint', numeric);
    case 'dossier_extension':
      return html`${roleChecks(p, key, 'approver', APPROVER_ROLES, f, _('admin.set.ext.approvers'), e)}
${text('maxExtensions', 'admin.set.ext.maxExtensions', 'admin.set.ext.maxExtensionsHint', numeric)}
${text('maxWorkingDaysEach', 'admin.set.ext.maxWorkingDaysEach', 'admin.set.ext.maxWorkingDaysEachHint', numeric)}
${text('withinWorkingDaysOfDue', 'admin.set.ext.within', 'admin.set.ext.withinHint', numeric)}`;
  }
}

const statusText = (p: PageCtx, s: SettingView): string =>
  s.invalidStored ? tr(p)('admin.set.stored.status') : s.isDefault ? tr(p)('admin.set.isDefault') : tr(p)('admin.set.changed');

/** A stored value set aside: what was stored and why it does not fit, so the administrator can save a valid one. */
function invalidStoredNote(p: PageCtx, x: NonNullable<SettingView['invalidStored']>): SafeHtml {
  const _ = tr(p);
  return html`<div class="notice warn"><p><strong>${_('admin.set.stored.title')}</strong> ${_('admin.set.stored.fix')}</p>
<dl class="summary"><div><dt>${_('admin.set.stored.value')}</dt><dd><code>${x.valueText}</code></dd></div>
<div><dt>${_('admin.set.stored.reasons')}</dt><dd><ul>${x.reasons.map((r) => html`<li>${r}</li>`)}</ul></dd></div></dl></div>`;
}

function section(p: PageCtx, v: SettingsPageView, s: SettingView): SafeHtml {
  const _ = tr(p);
  const slug = SETTING_SLUGS[s.key];
  const name = _(`admin.set.name.${s.key}`);
  const preview =
    s.key === 'dossier_code_pattern'
      ? html` <button type="submit" name="op" value="preview" class="secondary">${_('admin.set.pattern.preview')}</button>`
      : null;
  return html`<section id="${slug}" tabindex="-1" aria-labelledby="h-${slug}"><h2 id="h-${slug}">${name}</h2>
<p>${_(`admin.set.about.${s.key}`)}</p>
<dl class="summary"><div><dt>${_('admin.set.current')}</dt><dd>${s.valueText} <span class="tag${s.invalidStored ? ' bad' : s.isDefault ? '' : ' partial'}">${statusText(p, s)}</span></dd></div>
${s.isDefault ? null : html`<div><dt>${_('admin.set.default')}</dt><dd>${s.defaultText}</dd></div>`}
${s.updated ? html`<div><dt>${_('admin.set.updated')}</dt><dd>${s.updated.by ? messageHtml(p, 'admin.set.updatedBy', { at: s.updated.at, name: vi(p, s.updated.by) }) : s.updated.at}</dd></div>` : null}</dl>
${s.invalidStored ? invalidStoredNote(p, s.invalidStored) : null}
<form method="post" action="${SETTINGS_PATH}/${slug}" novalidate>${csrfField(p)}
${settingForm(p, v, s)}
<p><button type="submit" name="op" value="save">${_('admin.set.save')}<span class="visually-hidden">: ${name}</span></button>${preview}
<button type="submit" name="op" value="default" class="secondary">${_('admin.set.restore')}<span class="visually-hidden">: ${name}</span></button></p>
</form></section>`;
}

export function settingsPage(p: PageCtx, v: SettingsPageView): string {
  const _ = tr(p);
  const title = _('admin.set.title');
  const lead = v.failed ? _('admin.set.invalid', { name: _(`admin.set.name.${v.failed}`) }) : undefined;
  const invalid = v.settings.filter((s) => s.invalidStored);
  return adminLayout(
    p,
    title,
    html`<h1>${title}</h1>${notice(v.notice)}${summary(p, v.errors, lead)}
<p class="lead">${_('admin.set.lead')}</p>${
      invalid.length
        ? html`<div class="notice warn"><p>${_('admin.set.stored.pageLead')}</p>
<ul>${invalid.map((s) => html`<li><a href="#${SETTING_SLUGS[s.key]}">${_(`admin.set.name.${s.key}`)}</a></li>`)}</ul></div>`
        : null
    }
${scrollTable(
  title,
  html`<table><caption class="visually-hidden">${title}</caption><thead><tr><th scope="col">${_('admin.set.colSetting')}</th><th scope="col">${_('admin.set.current')}</th><th scope="col">${_('admin.set.colStatus')}</th></tr></thead>
<tbody>${v.settings.map(
    (s) => html`<tr><td><a href="#${SETTING_SLUGS[s.key]}">${_(`admin.set.name.${s.key}`)}</a></td><td>${s.valueText}</td><td>${statusText(p, s)}</td></tr>`,
  )}</tbody></table>`,
)}
${v.settings.map((s) => section(p, v, s))}`,
  );
}
