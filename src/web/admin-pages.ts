/**
 * The administrators' pages (`/quan-tri`): plain server-rendered forms that work without
 * JavaScript. Each page takes what to show and returns HTML; admin.routes.ts does the work.
 */
import type { YearCalendar } from '../modules/calendar/index.ts';
import { FormFieldType, type ProcedureDefinition } from '../modules/procedures/procedures.schemas.ts';
import { html, type SafeHtml } from './html.ts';
import { type MessageKey } from './i18n.ts';
import { csrfField, layout, scrollTable, tr, type PageCtx } from './layout.ts';
import { messageHtml, vi, viAttr } from './application-pages.ts';
import { APPLICANT_TYPES, CHANNELS, DATE_RANGES, inputId, ROW_GROUPS, rowCount, type EditorValues, type RowGroup } from './procedure-editor.ts';

export interface AdminError {
  anchor: string;
  message: string;
}
export interface Choice {
  value: string;
  label: string;
  /** The label is Vietnamese data (an agency's or a field's name) shown on an English page: marked `lang="vi"`. */
  vi?: boolean;
}

/** Choices whose labels are data (Vietnamese), marked on an English page; a Vietnamese page keeps them as they are. */
export const viChoices = (p: PageCtx, choices: Choice[]): Choice[] => (p.locale === 'vi' ? choices : choices.map((c) => ({ ...c, vi: true })));

const errorsFor = (errors: AdminError[], id: string) => errors.filter((e) => e.anchor === id);

export function summary(p: PageCtx, errors: AdminError[], lead?: string): SafeHtml | null {
  if (!errors.length) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1" autofocus><h2 id="err-title">${tr(p)('error.summaryTitle')}</h2>
${lead ? html`<p>${lead}</p>` : null}
<ul>${errors.map((e) => html`<li><a href="#${e.anchor}">${e.message}</a></li>`)}</ul></div>`;
}

export const notice = (text: string | undefined) => (text ? html`<div class="notice" role="status"><p>${text}</p></div>` : null);

export interface InputOpts {
  name: string;
  label: string;
  value: string | undefined;
  errors: AdminError[];
  hint?: string | undefined;
  id?: string;
  type?: string;
  rows?: number;
  choices?: Choice[];
  /** Extra attributes (already safe). */
  extra?: SafeHtml | undefined;
  narrow?: boolean;
}

/** A labelled input, textarea or select with its hint and error messages. */
export function input(o: InputOpts): SafeHtml {
  const id = o.id ?? inputId(o.name);
  const errs = errorsFor(o.errors, id);
  const hintId = o.hint ? `${id}-hint` : null;
  const errId = errs.length ? `${id}-error` : null;
  // One id per message (a field may have several), all of them describing the field.
  const errIds = errs.map((_e, i) => (i === 0 ? `${id}-error` : `${id}-error-${i + 1}`));
  const described = [hintId, ...errIds].filter(Boolean).join(' ');
  const a = html`${described ? html` aria-describedby="${described}"` : null}${errId ? html` aria-invalid="true"` : null}${o.extra ?? null}`;
  const value = o.value ?? '';
  let control: SafeHtml;
  if (o.choices) {
    control = html`<select id="${id}" name="${o.name}"${a}>${o.choices.map((c) => html`<option value="${c.value}"${c.value === value ? html` selected` : null}${c.vi ? html` lang="vi"` : null}>${c.label}</option>`)}</select>`;
  } else if (o.rows) {
    control = html`<textarea id="${id}" name="${o.name}" rows="${o.rows}"${a}>${value}</textarea>`;
  } else {
    control = html`<input type="${o.type ?? 'text'}" id="${id}" name="${o.name}" value="${value}"${o.narrow ? html` class="narrow"` : null}${a}>`;
  }
  return html`<div class="field${errId ? ' field-error' : ''}"><label for="${id}">${o.label}</label>
${hintId ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : null}
${errs.map((e, i) => html`<p class="error-message" id="${errIds[i]}">${e.message}</p>`)}
${control}</div>`;
}

function checkbox(name: string, label: string | SafeHtml, checked: boolean, id = inputId(name)): SafeHtml {
  return html`<div class="check"><input type="checkbox" id="${id}" name="${name}" value="on"${checked ? html` checked` : null}> <label for="${id}">${label}</label></div>`;
}

function checkGroup(p: PageCtx, id: string, legend: string, errors: AdminError[], items: SafeHtml[]): SafeHtml {
  const errs = errorsFor(errors, id);
  return html`<fieldset id="${id}" tabindex="-1" class="${errs.length ? 'field-error' : ''}"><legend>${legend}</legend>
${errs.map((e) => html`<p class="error-message">${e.message}</p>`)}${items}</fieldset>`;
}

export const adminLayout = (p: PageCtx, title: string, body: SafeHtml) =>
  layout(p, title, html`<p class="back"><a href="/quan-tri">${tr(p)('admin.back')}</a></p>${body}`);

export function adminHomePage(p: PageCtx): string {
  const _ = tr(p);
  const items: [string, MessageKey, MessageKey][] = [
    ['/quan-tri/thu-tuc', 'admin.nav.procedures', 'admin.nav.proceduresHint'],
    ['/quan-tri/lich', 'admin.nav.calendar', 'admin.nav.calendarHint'],
    ['/quan-tri/tai-khoan', 'admin.nav.users', 'admin.nav.usersHint'],
    ['/quan-tri/co-quan', 'admin.nav.agencies', 'admin.nav.agenciesHint'],
    ['/quan-tri/don-vi', 'admin.nav.units', 'admin.nav.unitsHint'],
    ['/quan-tri/cau-hinh', 'admin.set.nav', 'admin.set.navHint'],
  ];
  return layout(
    p,
    _('admin.title'),
    html`<h1>${_('admin.title')}</h1><p class="lead">${_('admin.lead')}</p>
<ul class="cards">${items.map(([href, title, hint]) => html`<li><h2><a href="${href}">${_(title)}</a></h2><p>${_(hint)}</p></li>`)}</ul>`,
  );
}

// ------------------------------------------------------------------ procedures

export interface ProcedureListRow {
  code: string;
  name: string;
  currentVersion: number | null;
  latestVersion: number;
  latestStatus: string;
}

export function procedureListPage(p: PageCtx, v: { q: string; rows: ProcedureListRow[] }): string {
  const _ = tr(p);
  return adminLayout(
    p,
    _('admin.procs.title'),
    html`<h1>${_('admin.procs.title')}</h1>
<p><a class="button" href="/quan-tri/thu-tuc/moi">${_('admin.procs.new')}</a></p>
<form method="get" action="/quan-tri/thu-tuc" class="inline-search" role="search">
<label for="q">${_('admin.procs.search')}</label> <input type="search" id="q" name="q" value="${v.q}"${viAttr(p)}> <button type="submit" class="secondary">${_('admin.procs.find')}</button></form>
<p>${_('admin.procs.count', { n: v.rows.length })}</p>
${scrollTable(
  _('admin.procs.title'),
  html`<table><thead><tr><th scope="col">${_('admin.code')}</th><th scope="col">${_('admin.name')}</th><th scope="col">${_('admin.procs.current')}</th><th scope="col">${_('admin.procs.latest')}</th></tr></thead>
<tbody>${v.rows.map(
    (
      r,
    ) => html`<tr><td><a href="/quan-tri/thu-tuc/${r.code}">${r.code}</a></td><td${viAttr(p)}>${r.name}</td><td>${r.currentVersion ?? _('admin.procs.notPublished')}</td>
<td>${r.latestVersion} (${statusName(p, r.latestStatus)})</td></tr>`,
  )}</tbody></table>`,
)}`,
  );
}

const statusName = (p: PageCtx, s: string) => {
  const key = `admin.proc.status.${s}`;
  return key === 'admin.proc.status.draft' || key === 'admin.proc.status.published' || key === 'admin.proc.status.superseded' ? tr(p)(key) : s;
};

export interface VersionRow {
  version: number;
  status: string;
  createdAt: string;
  publishedAt: string | null;
  decisionRef: string | null;
}

export function procedureVersionsPage(
  p: PageCtx,
  v: { code: string; name: string; versions: VersionRow[]; notice?: string | undefined; errors: AdminError[] },
): string {
  const _ = tr(p);
  return adminLayout(
    p,
    `${v.code} — ${v.name}`,
    html`<h1><span class="caption">${v.code}</span> ${vi(p, v.name)}</h1>
${notice(v.notice)}${summary(p, v.errors)}
<p><a class="button" href="/quan-tri/thu-tuc/${v.code}/phien-ban-moi">${_('admin.proc.newVersion')}</a> <a href="/thu-tuc/${v.code}">${_('admin.proc.publicPage')}</a></p>
<h2>${_('admin.proc.versions')}</h2>
${scrollTable(
  _('admin.proc.versions'),
  html`<table><thead><tr><th scope="col">${_('admin.proc.version')}</th><th scope="col">${_('admin.proc.status')}</th><th scope="col">${_('admin.proc.createdAt')}</th>
<th scope="col">${_('admin.proc.publishedAt')}</th><th scope="col">${_('admin.proc.decisionRef')}</th><th scope="col">${_('admin.actions')}</th></tr></thead>
<tbody>${v.versions.map(
    (
      r,
    ) => html`<tr><td>${r.version}</td><td>${statusName(p, r.status)}</td><td>${r.createdAt}</td><td>${r.publishedAt ?? ''}</td><td${r.decisionRef ? viAttr(p) : null}>${r.decisionRef ?? ''}</td>
<td><a href="/quan-tri/thu-tuc/${v.code}/${r.version}/xem-truoc">${_('admin.proc.preview')}<span class="visually-hidden"> ${_('admin.proc.version')} ${r.version}</span></a>
${
  r.status === 'draft'
    ? html`<form method="post" action="/quan-tri/thu-tuc/${v.code}/${r.version}/cong-bo" class="inline">${csrfField(p)}<button type="submit">${_('admin.proc.publish', { v: r.version })}</button></form>`
    : null
}</td></tr>`,
  )}</tbody></table>`,
)}`,
  );
}

export interface EditorView {
  mode: 'new' | 'version';
  code: string;
  values: EditorValues;
  errors: AdminError[];
  fields: Choice[];
  agencies: Choice[];
  /** Rows to show beyond the filled ones in each group. */
  extraRows: Partial<Record<RowGroup, number>>;
}

/** A form field type in words, with its name in the definition: `Số (number)`. */
const FIELD_TYPE_LABELS: Record<FormFieldType, MessageKey> = {
  text: 'admin.edit.type.text',
  textarea: 'admin.edit.type.textarea',
  number: 'admin.edit.type.number',
  date: 'admin.edit.type.date',
  select: 'admin.edit.type.select',
  checkbox: 'admin.edit.type.checkbox',
  email: 'admin.edit.type.email',
  phone: 'admin.edit.type.phone',
  id_number: 'admin.edit.type.id_number',
  tax_code: 'admin.edit.type.tax_code',
  unit_code: 'admin.edit.type.unit_code',
};

export function procedureEditorPage(p: PageCtx, v: EditorView): string {
  const _ = tr(p);
  const val = v.values;
  const e = v.errors;
  const title = v.mode === 'new' ? _('admin.edit.titleNew') : _('admin.edit.titleVersion', { code: v.code });
  const action = v.mode === 'new' ? '/quan-tri/thu-tuc/moi' : `/quan-tri/thu-tuc/${v.code}/phien-ban-moi`;
  const choice = (keys: [string, MessageKey][]): Choice[] => keys.map(([value, key]) => ({ value, label: _(key) }));
  // A text area shows its text as content, not as a value: the catalogue's Vietnamese is marked on an English page.
  const viText = viAttr(p) ?? undefined;
  const rowsOf = (g: RowGroup) => rowCount(val, g) + (v.extraRows[g] ?? 0);

  const rowSet = (g: RowGroup, legendKey: MessageKey, hintKey: MessageKey | null, cells: (i: number) => SafeHtml) => {
    const n = rowsOf(g);
    const errs = errorsFor(e, `sec-${g}`);
    return html`<section id="sec-${g}" tabindex="-1" aria-labelledby="h-${g}"><h2 id="h-${g}">${_(legendKey)}</h2>
${hintKey ? html`<p class="hint">${_(hintKey)}</p>` : null}${errs.map((x) => html`<p class="error-message">${x.message}</p>`)}
<input type="hidden" name="rows.${g}" value="${n}">
${Array.from({ length: n }, (_x, i) => html`<fieldset class="row-set"><legend>${_('admin.edit.row', { n: i + 1 })}</legend><div class="row-grid">${cells(i)}</div></fieldset>`)}
<button type="submit" name="op" value="add-${g}" class="secondary">${_('admin.edit.addRows')}<span class="visually-hidden">: ${_(legendKey)}</span></button></section>`;
  };
  const cell = (g: RowGroup, i: number, f: string, label: MessageKey, extra: Partial<InputOpts> = {}) =>
    input({ name: `${g}.${i}.${f}`, label: _(label), value: val[`${g}.${i}.${f}`], errors: e, ...extra });
  const rowCheck = (g: RowGroup, i: number) => checkbox(`${g}.${i}.required`, _('admin.col.required'), val[`${g}.${i}.required`] === 'on');

  const typeChoices = FormFieldType.options.map((t) => ({ value: t, label: _(FIELD_TYPE_LABELS[t]) }));
  // Enter in a text field presses the form's first submit button (HTML implicit submission, with or
  // without JavaScript): a hidden copy of "save" comes first, so Enter saves rather than adds rows.
  const defaultSave = html`<button type="submit" name="op" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">${_('admin.edit.save')}</button>`;
  const body = html`<h1>${title}</h1><p class="lead">${_('admin.edit.lead')}</p>
${summary(p, e, e.length ? _('admin.edit.invalid') : undefined)}
<form method="post" action="${action}" novalidate>${csrfField(p)}
${defaultSave}
<section aria-labelledby="h-general"><h2 id="h-general">${_('admin.edit.general')}</h2>
${v.mode === 'new' ? input({ name: 'code', id: 'p-code', label: _('admin.edit.code'), hint: _('admin.edit.codeHint'), value: v.code, errors: e, narrow: true }) : html`<input type="hidden" name="code" value="${v.code}">`}
${input({ name: 'name', label: _('admin.edit.name'), value: val.name, errors: e, rows: 2, extra: viText })}
${input({ name: 'fieldCode', label: _('admin.edit.field'), value: val.fieldCode, errors: e, choices: [{ value: '', label: '—' }, ...viChoices(p, v.fields)] })}
${input({
  name: 'tier',
  label: _('admin.edit.tier'),
  value: val.tier,
  errors: e,
  choices: choice([
    ['province', 'tier.province'],
    ['commune', 'tier.commune'],
  ]),
})}
${input({ name: 'competentAgencyCode', label: _('admin.edit.competent'), value: val.competentAgencyCode, errors: e, choices: [{ value: '', label: '—' }, ...viChoices(p, v.agencies)] })}
${checkGroup(
  p,
  'sec-recv',
  _('admin.edit.receiving'),
  e,
  v.agencies.map((a) => checkbox(`recv.${a.value}`, vi(p, a.label), val[`recv.${a.value}`] === 'on')),
)}
${input({
  name: 'onlineLevel',
  label: _('admin.edit.level'),
  value: val.onlineLevel,
  errors: e,
  choices: choice([
    ['full', 'level.full'],
    ['partial', 'level.partial'],
  ]),
})}
${checkGroup(
  p,
  'sec-channels',
  _('admin.edit.channels'),
  e,
  CHANNELS.map((c) => checkbox(`channel.${c}`, _(`channel.${c}`), val[`channel.${c}`] === 'on')),
)}
${checkGroup(
  p,
  'sec-applicants',
  _('admin.edit.applicants'),
  e,
  APPLICANT_TYPES.map((a) => checkbox(`applicant.${a}`, _(`applicant.${a}`), val[`applicant.${a}`] === 'on')),
)}
<div class="row-grid">
${input({ name: 'durationValue', label: _('admin.edit.duration'), value: val.durationValue, errors: e, type: 'text', extra: html` inputmode="decimal"`, narrow: true })}
${input({
  name: 'durationUnit',
  label: _('admin.edit.durationUnit'),
  value: val.durationUnit,
  errors: e,
  choices: choice([
    ['working_days', 'admin.unit.working_days'],
    ['days', 'admin.unit.days'],
    ['hours', 'admin.unit.hours'],
    ['months', 'admin.unit.months'],
  ]),
})}
</div>
${input({ name: 'steps', label: _('admin.edit.steps'), value: val.steps, errors: e, rows: 5, extra: viText })}
${input({ name: 'eligibility', label: _('admin.edit.eligibility'), value: val.eligibility, errors: e, rows: 3, extra: viText })}
${input({
  name: 'resultKind',
  label: _('admin.edit.resultKind'),
  value: val.resultKind,
  errors: e,
  choices: choice([
    ['electronic', 'admin.edit.resultKind.electronic'],
    ['paper', 'admin.edit.resultKind.paper'],
    ['both', 'admin.edit.resultKind.both'],
  ]),
})}
${input({ name: 'resultDescription', label: _('admin.edit.resultDescription'), value: val.resultDescription, errors: e, rows: 2, extra: viText })}
${input({ name: 'resultDelivery', label: _('admin.edit.resultDelivery'), value: val.resultDelivery, errors: e, rows: 2, extra: viText })}
${input({ name: 'legalBasis', label: _('admin.edit.legalBasis'), hint: _('admin.edit.legalBasisHint'), value: val.legalBasis, errors: e, rows: 4, extra: viText })}
${input({ name: 'popularity', label: _('admin.edit.popularity'), value: val.popularity, errors: e, extra: html` inputmode="numeric"`, narrow: true })}
${input({ name: 'decisionRef', label: _('admin.edit.decisionRef'), value: val.decisionRef, errors: e, narrow: true })}
</section>
${rowSet(
  'form',
  'admin.edit.formFields',
  'admin.edit.formFieldsHint',
  (
    i,
  ) => html`${cell('form', i, 'key', 'admin.col.key', { narrow: true, extra: html` spellcheck="false"` })}${cell('form', i, 'label', 'admin.col.label', { extra: viText })}
${cell('form', i, 'type', 'admin.col.type', { choices: typeChoices })}${rowCheck('form', i)}
${cell('form', i, 'options', 'admin.col.options', { rows: 2, extra: viText })}${cell('form', i, 'min', 'admin.col.min', { narrow: true })}${cell('form', i, 'max', 'admin.col.max', { narrow: true })}
${cell('form', i, 'pattern', 'admin.col.pattern', { extra: html` spellcheck="false"` })}${cell('form', i, 'dateRange', 'admin.col.dateRange', { choices: [{ value: '', label: _('admin.dateRange.none') }, ...DATE_RANGES.map((r) => ({ value: r, label: _(`admin.dateRange.${r}`) }))] })}${cell('form', i, 'help', 'admin.col.help', { extra: viText })}${cell('form', i, 'step', 'admin.col.step', { narrow: true })}`,
)}
${rowSet(
  'comp',
  'admin.edit.components',
  null,
  (
    i,
  ) => html`${cell('comp', i, 'code', 'admin.col.compCode', { narrow: true, extra: html` spellcheck="false"` })}${cell('comp', i, 'name', 'admin.col.compName', { extra: viText })}
${cell('comp', i, 'form', 'admin.col.compForm', {
  choices: (['original_or_copy', 'original', 'copy'] as const).map((f) => ({ value: f, label: _(`admin.compForm.${f}`) })),
})}${cell('comp', i, 'copies', 'admin.col.copies', { narrow: true })}${rowCheck('comp', i)}${cell('comp', i, 'note', 'admin.col.note', { extra: viText })}`,
)}
${rowSet(
  'wf',
  'admin.edit.workflow',
  'admin.edit.workflowHint',
  (
    i,
  ) => html`${cell('wf', i, 'key', 'admin.col.stepKey', { narrow: true, extra: html` spellcheck="false"` })}${cell('wf', i, 'name', 'admin.col.stepName', { extra: viText })}
${cell('wf', i, 'role', 'admin.col.role', {
  choices: [
    { value: 'specialist', label: _('admin.role.specialist') },
    { value: 'leader', label: _('admin.role.leader') },
  ],
})}${cell('wf', i, 'share', 'admin.col.share', { narrow: true })}`,
)}
${rowSet(
  'fee',
  'admin.edit.fees',
  'admin.edit.feesHint',
  (
    i,
  ) => html`${cell('fee', i, 'code', 'admin.col.feeCode', { narrow: true, extra: html` spellcheck="false"` })}${cell('fee', i, 'name', 'admin.col.feeName', { extra: viText })}
${cell('fee', i, 'amount', 'admin.col.amount', { narrow: true, extra: html` inputmode="numeric"` })}${cell('fee', i, 'perFormField', 'admin.col.perField', { narrow: true })}`,
)}
<p><button type="submit" name="op" value="save">${_('admin.edit.save')}</button></p>
</form>`;
  return adminLayout(p, title, body);
}

/** Checked lists of the definition's rows: every group gets at least `n` rows shown. */
export const ROW_GROUP_NAMES = Object.keys(ROW_GROUPS) as RowGroup[];

export function previewPage(p: PageCtx, v: { code: string; version: number; def: ProcedureDefinition; procedureHtml: SafeHtml; formHtml: SafeHtml[] }): string {
  const _ = tr(p);
  const title = _('admin.preview.title', { name: v.def.name, v: v.version });
  return layout(
    p,
    title,
    html`<p class="back"><a href="/quan-tri/thu-tuc/${v.code}">${v.code}</a></p>
<div class="notice" role="status"><p>${_('admin.preview.notice')}</p></div>
<h1>${messageHtml(p, 'admin.preview.title', { name: vi(p, v.def.name), v: v.version })}</h1>
<div class="preview">${v.procedureHtml}</div>
<h2>${_('admin.preview.form')}</h2>
${v.formHtml.length ? html`<form class="preview-form" action="#" aria-label="${_('admin.preview.form')}">${v.formHtml}</form>` : html`<p>${_('admin.preview.noForm')}</p>`}`,
  );
}

// -------------------------------------------------------------------- calendar

const WEEKDAYS: MessageKey[] = ['admin.cal.wd.0', 'admin.cal.wd.1', 'admin.cal.wd.2', 'admin.cal.wd.3', 'admin.cal.wd.4', 'admin.cal.wd.5', 'admin.cal.wd.6'];
const weekday = (p: PageCtx, iso: string) => tr(p)(WEEKDAYS[new Date(`${iso}T00:00:00Z`).getUTCDay()]!);

export function calendarPage(
  p: PageCtx,
  v: {
    year: number;
    cal: YearCalendar;
    daysOffText: string;
    workingDaysText: string;
    errors: AdminError[];
    notice?: string | undefined;
    /** The year as typed when it was not one (`?nam=abc`): kept in the box, with its error. */
    yearInput?: string | undefined;
  },
): string {
  const _ = tr(p);
  const title = _('admin.cal.title', { year: v.year });
  const yearErrors = errorsFor(v.errors, 'nam');
  const yearBox = html`<input type="text" inputmode="numeric" id="nam" name="nam" value="${v.yearInput ?? String(v.year)}" class="narrow"${
    yearErrors.length ? html` aria-invalid="true" aria-describedby="nam-error"` : null
  }>`;
  const viText = viAttr(p) ?? undefined;
  const days = (label: string, list: { date: string; name: string }[]) =>
    scrollTable(
      label,
      html`<table><thead><tr><th scope="col">${_('admin.cal.date')}</th><th scope="col">${_('admin.cal.weekday')}</th><th scope="col">${_('admin.cal.reason')}</th></tr></thead>
<tbody>${list.map((d) => html`<tr><td>${d.date}</td><td>${weekday(p, d.date)}</td><td${viAttr(p)}>${d.name}</td></tr>`)}</tbody></table>`,
    );
  return adminLayout(
    p,
    title,
    html`<h1>${title}</h1>${notice(v.notice)}${summary(p, v.errors)}
<form method="get" action="/quan-tri/lich" class="inline-search">${
      yearErrors.length
        ? html`<div class="field field-error"><label for="nam">${_('admin.cal.year')}</label><p class="error-message" id="nam-error">${yearErrors.map((e) => e.message)}</p>${yearBox}</div>`
        : html`<label for="nam">${_('admin.cal.year')}</label> ${yearBox}`
    } <button type="submit" class="secondary">${_('admin.cal.show')}</button></form>
<h2>${_('admin.cal.daysOff')}</h2>${v.cal.daysOff.length ? days(_('admin.cal.daysOff'), v.cal.daysOff) : html`<p>${_('admin.none')}</p>`}
<h2>${_('admin.cal.workingDays')}</h2>${v.cal.workingDays.length ? days(_('admin.cal.workingDays'), v.cal.workingDays) : html`<p>${_('admin.none')}</p>`}
<h2>${_('admin.cal.overrides', { year: v.year })}</h2>
<form method="post" action="/quan-tri/lich?nam=${v.year}" novalidate>${csrfField(p)}
${input({ name: 'daysOff', id: 'cal-daysOff', label: _('admin.cal.extraDaysOff'), hint: _('admin.cal.daysOffHint'), value: v.daysOffText, errors: v.errors, rows: 5, extra: viText })}
${input({ name: 'workingDays', id: 'cal-workingDays', label: _('admin.cal.extraWorkingDays'), hint: _('admin.cal.overridesHint'), value: v.workingDaysText, errors: v.errors, rows: 4, extra: viText })}
<button type="submit">${_('admin.save')}</button></form>`,
  );
}

// ----------------------------------------------------------------------- users

export interface UserRow {
  username: string;
  displayName: string;
  kind: string;
  isActive: boolean;
  roles: { role: string; agencyCode: string | null; includeChildren: boolean }[];
}

export const ROLE_NAMES = ['citizen', 'organisation', 'reception', 'specialist', 'leader', 'admin', 'security'] as const;
/** A role's name in the page's language (the code itself for a role it does not know). */
export const roleName = (p: PageCtx, r: string) =>
  (ROLE_NAMES as readonly string[]).includes(r) ? tr(p)(`admin.roleName.${r as (typeof ROLE_NAMES)[number]}`) : r;
const kindName = (p: PageCtx, k: string) => (k === 'citizen' || k === 'organisation' || k === 'staff' ? tr(p)(`admin.users.kind.${k}`) : k);

export function usersPage(p: PageCtx, v: { rows: UserRow[]; role: string; notice?: string | undefined }): string {
  const _ = tr(p);
  return adminLayout(
    p,
    _('admin.users.title'),
    html`<h1>${_('admin.users.title')}</h1>${notice(v.notice)}
<p><a class="button" href="/quan-tri/tai-khoan/moi">${_('admin.users.new')}</a></p>
<form method="get" action="/quan-tri/tai-khoan" class="inline-search">${input({
      name: 'vai-tro',
      id: 'f-role',
      label: _('admin.users.filterRole'),
      value: v.role,
      errors: [],
      choices: [{ value: '', label: _('admin.users.all') }, ...ROLE_NAMES.map((r) => ({ value: r, label: roleName(p, r) }))],
    })} <button type="submit" class="secondary">${_('admin.cal.show')}</button></form>
${scrollTable(
  _('admin.users.title'),
  html`<table><thead><tr><th scope="col">${_('admin.users.username')}</th><th scope="col">${_('admin.users.displayName')}</th><th scope="col">${_('admin.users.kind')}</th>
<th scope="col">${_('admin.users.roles')}</th><th scope="col">${_('admin.users.setActive')}</th></tr></thead>
<tbody>${v.rows.map(
    (u) => html`<tr><td><a href="/quan-tri/tai-khoan/${u.username}">${u.username}</a></td><td${viAttr(p)}>${u.displayName}</td><td>${kindName(p, u.kind)}</td>
<td>${u.roles.map((r) => html`${roleName(p, r.role)}${r.agencyCode ? html` (${r.agencyCode}${r.includeChildren ? '+' : ''})` : null}<br>`)}</td>
<td>${u.isActive ? _('admin.users.active') : _('admin.users.locked')}</td></tr>`,
  )}</tbody></table>`,
)}`,
  );
}

export interface UserForm {
  username: string;
  displayName: string;
  kind: string;
  password: string;
  idNumber: string;
  email: string;
  phone: string;
  isActive: boolean;
  roles: { role: string; agencyCode: string; includeChildren: boolean }[];
}

/** Role rows shown on the account forms (filled ones plus blanks). */
export const ROLE_ROWS = 4;

function roleRows(p: PageCtx, roles: UserForm['roles'], agencies: Choice[], errors: AdminError[]): SafeHtml {
  const _ = tr(p);
  const rows = [...roles];
  while (rows.length < Math.max(ROLE_ROWS, roles.length + 1)) rows.push({ role: '', agencyCode: '', includeChildren: false });
  return html`<fieldset id="sec-roles" tabindex="-1"><legend>${_('admin.users.roles')}</legend>
${errorsFor(errors, 'sec-roles').map((x) => html`<p class="error-message">${x.message}</p>`)}
${rows.map(
  (r, i) => html`<fieldset class="row-set"><legend>${_('admin.edit.row', { n: i + 1 })}</legend><div class="row-grid">
${input({ name: `role.${i}.role`, label: _('admin.users.role'), value: r.role, errors, choices: [{ value: '', label: _('admin.users.noRole') }, ...ROLE_NAMES.map((x) => ({ value: x, label: roleName(p, x) }))] })}
${input({ name: `role.${i}.agency`, label: _('admin.users.agency'), value: r.agencyCode, errors, choices: [{ value: '', label: '—' }, ...viChoices(p, agencies)] })}
${checkbox(`role.${i}.children`, _('admin.users.children'), r.includeChildren)}</div></fieldset>`,
)}</fieldset>`;
}

export function userFormPage(
  p: PageCtx,
  v: { mode: 'new' | 'edit'; form: UserForm; agencies: Choice[]; errors: AdminError[]; notice?: string | undefined },
): string {
  const _ = tr(p);
  const f = v.form;
  const e = v.errors;
  const title = v.mode === 'new' ? _('admin.users.new') : _('admin.users.edit', { username: f.username });
  const action = v.mode === 'new' ? '/quan-tri/tai-khoan/moi' : `/quan-tri/tai-khoan/${f.username}`;
  return adminLayout(
    p,
    title,
    html`<p><a href="/quan-tri/tai-khoan">${_('admin.users.title')}</a></p><h1>${title}</h1>${notice(v.notice)}${summary(p, e)}
<form method="post" action="${action}" novalidate>${csrfField(p)}
${v.mode === 'new' ? input({ name: 'username', label: _('admin.users.username'), value: f.username, errors: e, extra: html` autocomplete="off" spellcheck="false"`, narrow: true }) : null}
${input({ name: 'displayName', label: _('admin.users.displayName'), value: f.displayName, errors: e, extra: viAttr(p) ?? undefined })}
${
  v.mode === 'new'
    ? html`${input({
        name: 'kind',
        label: _('admin.users.kind'),
        value: f.kind,
        errors: e,
        choices: (['staff', 'citizen', 'organisation'] as const).map((k) => ({ value: k, label: _(`admin.users.kind.${k}`) })),
      })}
${input({ name: 'password', label: _('admin.users.password'), hint: _('admin.users.passwordHint'), value: '', type: 'password', errors: e, extra: html` autocomplete="new-password"` })}
${input({ name: 'idNumber', label: _('admin.users.idNumber'), value: f.idNumber, errors: e, extra: html` inputmode="numeric" autocomplete="off"`, narrow: true })}
${input({ name: 'email', label: _('admin.users.email'), value: f.email, errors: e, type: 'email' })}
${input({ name: 'phone', label: _('admin.users.phone'), value: f.phone, errors: e, type: 'tel', narrow: true })}`
    : checkGroup(p, 'sec-active', _('admin.users.setActive'), e, [checkbox('isActive', _('admin.users.active'), f.isActive)])
}
${roleRows(p, f.roles, v.agencies, e)}
<button type="submit">${_('admin.save')}</button></form>`,
  );
}

// -------------------------------------------------------------------- agencies

export interface AgencyRow {
  code: string;
  name: string;
  shortName: string;
  identityCode: string;
  unitCode: string;
  kind: string;
  parentCode: string | null;
}

const AGENCY_KINDS = ['service_centre', 'department', 'commune_committee', 'other'] as const;
const agencyKindName = (p: PageCtx, k: string) =>
  (AGENCY_KINDS as readonly string[]).includes(k) ? tr(p)(`admin.ag.kind.${k as (typeof AGENCY_KINDS)[number]}`) : k;

export function agenciesPage(p: PageCtx, v: { rows: AgencyRow[]; notice?: string | undefined }): string {
  const _ = tr(p);
  return adminLayout(
    p,
    _('admin.ag.title'),
    html`<h1>${_('admin.ag.title')}</h1>${notice(v.notice)}
<p><a class="button" href="/quan-tri/co-quan/moi">${_('admin.ag.new')}</a></p>
${scrollTable(
  _('admin.ag.title'),
  html`<table><thead><tr><th scope="col">${_('admin.code')}</th><th scope="col">${_('admin.name')}</th><th scope="col">${_('admin.ag.identityCode')}</th>
<th scope="col">${_('admin.ag.parent')}</th><th scope="col">${_('admin.ag.kind')}</th></tr></thead>
<tbody>${v.rows.map(
    (a) =>
      html`<tr><td><a href="/quan-tri/co-quan/${a.code}">${a.code}</a></td><td${viAttr(p)}>${a.name}</td><td>${a.identityCode}</td><td>${a.parentCode ?? ''}</td><td>${agencyKindName(p, a.kind)}</td></tr>`,
  )}</tbody></table>`,
)}`,
  );
}

export function agencyFormPage(p: PageCtx, v: { mode: 'new' | 'edit'; form: AgencyRow; parents: Choice[]; errors: AdminError[] }): string {
  const _ = tr(p);
  const f = v.form;
  const e = v.errors;
  const title = v.mode === 'new' ? _('admin.ag.new') : _('admin.ag.edit', { code: f.code });
  return adminLayout(
    p,
    title,
    html`<p><a href="/quan-tri/co-quan">${_('admin.ag.title')}</a></p><h1>${title}</h1>${summary(p, e)}
<form method="post" action="${v.mode === 'new' ? '/quan-tri/co-quan/moi' : `/quan-tri/co-quan/${f.code}`}" novalidate>${csrfField(p)}
${v.mode === 'new' ? input({ name: 'code', label: _('admin.code'), value: f.code, errors: e, narrow: true, extra: html` spellcheck="false"` }) : null}
${input({ name: 'name', label: _('admin.name'), value: f.name, errors: e, extra: viAttr(p) ?? undefined })}
${input({ name: 'shortName', label: _('admin.ag.shortName'), value: f.shortName, errors: e, extra: viAttr(p) ?? undefined })}
${input({ name: 'identityCode', label: _('admin.ag.identityCode'), hint: _('admin.ag.identityHint'), value: f.identityCode, errors: e, narrow: true, extra: html` spellcheck="false"` })}
${input({
  name: 'parentCode',
  label: _('admin.ag.parent'),
  value: f.parentCode ?? '',
  errors: e,
  choices: [
    { value: '', label: '—' },
    ...viChoices(
      p,
      v.parents.filter((x) => x.value !== f.code),
    ),
  ],
})}
${input({ name: 'unitCode', label: _('admin.ag.unit'), value: f.unitCode, errors: e, narrow: true, extra: html` inputmode="numeric"` })}
${input({ name: 'kind', label: _('admin.ag.kind'), value: f.kind, errors: e, choices: AGENCY_KINDS.map((k) => ({ value: k, label: agencyKindName(p, k) })) })}
<button type="submit">${_('admin.save')}</button></form>`,
  );
}

// ----------------------------------------------------------------------- units

export interface UnitRow {
  code: string;
  name: string;
  type: string;
  parentCode: string | null;
  validFrom: string;
  validTo: string | null;
}

/** The kinds of administrative unit (reference.service.ts UNIT_TYPES; DOMAIN.md §1), in words. */
const UNIT_TYPE_KEYS: Record<string, MessageKey> = {
  province: 'admin.units.type.province',
  city: 'admin.units.type.city',
  district: 'admin.units.type.district',
  town: 'admin.units.type.town',
  ward: 'admin.units.type.ward',
  commune: 'admin.units.type.commune',
  special_zone: 'admin.units.type.special_zone',
  township: 'admin.units.type.township',
};
/** A unit's type in the page's language; a type without words (written by hand into the table) as it is stored. */
export const unitTypeName = (p: PageCtx, type: string): string => (Object.hasOwn(UNIT_TYPE_KEYS, type) ? tr(p)(UNIT_TYPE_KEYS[type]!) : type);

export function unitsPage(
  p: PageCtx,
  v: {
    at: string;
    rows: UnitRow[];
    errors: AdminError[];
    notice?: string | undefined;
    /** The day as sent when it was not a real one (`?ngay=2025-02-30`): kept in the box, with its error. */
    atInput?: string | undefined;
  },
): string {
  const _ = tr(p);
  const fileErrors = errorsFor(v.errors, 'u-file');
  const atErrors = errorsFor(v.errors, 'ngay');
  const atBox = html`<input type="date" id="ngay" name="ngay" value="${v.atInput ?? v.at}"${
    atErrors.length ? html` aria-invalid="true" aria-describedby="ngay-error"` : null
  }>`;
  return adminLayout(
    p,
    _('admin.units.title'),
    html`<h1>${_('admin.units.title')}</h1>${notice(v.notice)}${summary(p, v.errors)}
<h2>${_('admin.units.import')}</h2>
<form method="post" action="/quan-tri/don-vi/nhap" enctype="multipart/form-data" novalidate>${csrfField(p)}
<div class="field${fileErrors.length ? ' field-error' : ''}"><label for="u-file">${_('admin.units.file')}</label><p class="hint" id="u-file-hint">${_('admin.units.importHint')}</p>
${fileErrors.length ? html`<ul class="error-message" id="u-file-error">${fileErrors.map((e) => html`<li>${e.message}</li>`)}</ul>` : null}
<input type="file" id="u-file" name="file" accept=".csv,text/csv" aria-describedby="u-file-hint${fileErrors.length ? ' u-file-error' : ''}"${fileErrors.length ? html` aria-invalid="true"` : null}></div>
<button type="submit">${_('admin.units.importButton')}</button></form>
<form method="get" action="/quan-tri/don-vi" class="inline-search">${
      atErrors.length
        ? html`<div class="field field-error"><label for="ngay">${_('admin.units.at')}</label><p class="error-message" id="ngay-error">${atErrors.map((e) => e.message)}</p>${atBox}</div>`
        : html`<label for="ngay">${_('admin.units.at')}</label> ${atBox}`
    } <button type="submit" class="secondary">${_('admin.cal.show')}</button></form>
<p>${_('admin.units.count', { n: v.rows.length })}</p>
${scrollTable(
  _('admin.units.table'),
  html`<table><thead><tr><th scope="col">${_('admin.code')}</th><th scope="col">${_('admin.name')}</th><th scope="col">${_('admin.units.type')}</th>
<th scope="col">${_('admin.units.parent')}</th><th scope="col">${_('admin.units.validFrom')}</th><th scope="col">${_('admin.units.validTo')}</th></tr></thead>
<tbody>${v.rows.map((u) => html`<tr><td>${u.code}</td><td${viAttr(p)}>${u.name}</td><td>${unitTypeName(p, u.type)}</td><td>${u.parentCode ?? ''}</td><td>${u.validFrom}</td><td>${u.validTo ?? ''}</td></tr>`)}</tbody></table>`,
)}`,
  );
}
