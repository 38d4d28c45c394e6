import { randomBytes } from 'node:crypto';
import type { DossierView } from '../modules/dossiers/dossiers.schemas.ts';
import { RESULT_COMPONENT } from '../modules/documents/index.ts';
import type { ProcedureRecord } from '../modules/procedures/procedures.repo.ts';
import type { FormField } from '../modules/procedures/procedures.schemas.ts';
import { formatDay, formatVnDateTime, vnDate } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import { catalogues, formatNumber, type MessageKey } from './i18n.ts';
import { csrfField, layout, messageHtml, nameWithData, scrollTable, tr, vi, viAttr, type PageCtx } from './layout.ts';

/** Pages of the citizen application flow: start, the draft form, check your answers, confirmation, my applications. */

export type ApplicantKind = 'citizen' | 'organisation';

/** What the applicant fields hold, as typed (strings). */
export interface ApplicantInput {
  fullName: string;
  idNumber: string;
  organisationName: string;
  taxCode: string;
  phone: string;
  email: string;
}
export const APPLICANT_KEYS = ['fullName', 'idNumber', 'organisationName', 'taxCode', 'phone', 'email'] as const;
export type ApplicantKey = (typeof APPLICANT_KEYS)[number];
/** The applicant details that are words (names), marked Vietnamese on an English page; the others are numbers, a phone and an email. */
export const NAME_KEYS: ReadonlySet<string> = new Set<ApplicantKey>(['fullName', 'organisationName']);

/**
 * One error: the anchor id of the field it belongs to, and the message. A service's field error
 * also brings its `reason` and values (platform/errors.ts FieldError): the page words it from the
 * catalogue's `form.err.<reason>` in its own language (errorText); `message` is the fallback.
 */
export interface PageError {
  anchor: string;
  /** Plain text, or markup when it holds words of another language (`lang="vi"` inside an English page). */
  message: string | SafeHtml;
  reason?: string | undefined;
  params?: Record<string, string | number> | undefined;
}

export type FormInputValues = Record<string, string | boolean>;

export const fieldAnchor = (key: string) => `f-${key}`;
export const applicantAnchor = (key: string) => `a-${key}`;
export const componentAnchor = (code: string) => `c-${code}`;

/** Maps a service error path (`form.ho_ten`, `applicant.idNumber`, `components.to_khai`) to the anchor of its field. */
export function anchorOfPath(path: string): string {
  const [head, key = ''] = path.split('.');
  if (head === 'form' && key) return fieldAnchor(key);
  if (head === 'applicant' && key) return applicantAnchor(key === 'address' ? 'fullName' : key);
  if (head === 'components' && key) return componentAnchor(key);
  return 'main';
}

export { messageHtml, nameWithData, vi, viAttr } from './layout.ts';

/** Values of a field error that are procedure data, in Vietnamese: marked lang="vi" inside an English sentence. */
const DATA_PARAMS: ReadonlySet<string> = new Set(['label', 'name', 'units']);

/**
 * An error in the page's language: a reason the catalogue knows (`form.err.<reason>`) filled with
 * its values, the procedure's own words marked with their language; else the message as it came.
 */
export function errorText(p: PageCtx, e: PageError): SafeHtml | string {
  const key = `form.err.${e.reason ?? ''}`;
  if (!e.reason || !(key in catalogues.vi)) return e.message;
  const params = e.params ?? {};
  const parts = catalogues[p.locale][key as MessageKey].split(/\{(\w+)\}/);
  // Odd parts are parameter names; a value missing means the reason and values do not match: say the message.
  if (parts.some((part, i) => i % 2 === 1 && params[part] === undefined)) return e.message;
  return html`${parts.map((part, i) => (i % 2 === 0 ? part : DATA_PARAMS.has(part) ? vi(p, String(params[part])) : String(params[part])))}`;
}

export function errorSummary(p: PageCtx, errors: PageError[]): SafeHtml | null {
  if (!errors.length) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1" autofocus><h2 id="err-title">${tr(p)('error.summaryTitle')}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.anchor}">${errorText(p, e)}</a></li>`)}</ul></div>`;
}

export const errorFor = (errors: PageError[], anchor: string) => errors.filter((e) => e.anchor === anchor);

export interface InputSpec {
  id: string;
  label: string | SafeHtml;
  required: boolean;
  hint?: string | SafeHtml | undefined;
  errors: PageError[];
  control: (describedBy: string | null, invalid: boolean) => SafeHtml;
  /** Checkboxes put the label after the box. */
  checkbox?: boolean;
}

export function fieldBlock(p: PageCtx, s: InputSpec): SafeHtml {
  const _ = tr(p);
  const hintId = s.hint ? `${s.id}-hint` : null;
  const errId = s.errors.length ? `${s.id}-error` : null;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || null;
  const mark = html` <span class="meta">(${s.required ? _('app.required') : _('app.optional')})</span>`;
  const label = html`<label for="${s.id}">${s.label}${mark}</label>`;
  return html`<div class="field${errId ? ' field-error' : ''}">
${s.checkbox ? null : label}
${s.hint ? html`<p class="hint" id="${hintId}">${s.hint}</p>` : null}
${s.errors.map((e) => html`<p class="error-message" id="${errId}">${errorText(p, e)}</p>`)}
${s.control(describedBy, !!errId)}${s.checkbox ? html` ${label}` : null}
</div>`;
}

export const aria = (describedBy: string | null, invalid: boolean) =>
  html`${describedBy ? html` aria-describedby="${describedBy}"` : null}${invalid ? html` aria-invalid="true"` : null}`;

/** One input generated from a procedure's form field definition. */
export function formField(p: PageCtx, f: FormField, value: string | boolean | undefined, errors: PageError[]): SafeHtml {
  const id = fieldAnchor(f.key);
  const _ = tr(p);
  const str = typeof value === 'string' ? value : value === undefined || value === false ? '' : String(value);
  const text =
    (type: string, extra: SafeHtml | null = null) =>
    (d: string | null, inv: boolean) =>
      html`<input type="${type}" id="${id}" name="${id}" value="${str}"${extra}${f.type === 'text' ? viAttr(p) : null}${aria(d, inv)}>`;
  let control: InputSpec['control'];
  switch (f.type) {
    case 'textarea':
      control = (d, inv) => html`<textarea id="${id}" name="${id}" rows="5" maxlength="5000"${viAttr(p)}${aria(d, inv)}>${str}</textarea>`;
      break;
    case 'number':
      control = text(
        'number',
        html`${f.min !== undefined ? html` min="${f.min}"` : null}${f.max !== undefined ? html` max="${f.max}"` : null} step="any" inputmode="decimal"`,
      );
      break;
    case 'date':
      // Only help for the date picker: the server checks the rule on the day the answer arrives (form-validation.ts).
      control = text(
        'date',
        f.dateRange === 'past' ? html` max="${vnDate(new Date())}"` : f.dateRange === 'future' ? html` min="${vnDate(new Date())}"` : null,
      );
      break;
    case 'email':
      control = text('email', html` autocomplete="email" spellcheck="false" maxlength="254"`);
      break;
    case 'phone':
      control = text('tel', html` autocomplete="tel" maxlength="20"`);
      break;
    case 'id_number':
    case 'tax_code':
    case 'unit_code':
      control = text('text', html` inputmode="numeric" spellcheck="false" autocomplete="off" maxlength="20"`);
      break;
    case 'select':
      control = (d, inv) =>
        html`<select id="${id}" name="${id}"${aria(d, inv)}><option value="">${_('app.choose')}</option>${(f.options ?? []).map(
          (o) => html`<option value="${o.value}"${o.value === str ? html` selected` : null}${viAttr(p)}>${o.label}</option>`,
        )}</select>`;
      break;
    case 'checkbox':
      control = (d, inv) => html`<input type="checkbox" id="${id}" name="${id}" value="true"${value === true ? html` checked` : null}${aria(d, inv)}>`;
      break;
    case 'text':
      control = text('text', html` maxlength="500"`);
      break;
  }
  // A date rule is said before any error (the date picker's min/max are not announced).
  const rule = f.type === 'date' && f.dateRange ? _(f.dateRange === 'past' ? 'form.hint.past' : 'form.hint.future') : null;
  const help = f.help ? vi(p, f.help) : undefined;
  const hint = rule && help ? html`${help}<br>${rule}` : (rule ?? help);
  return fieldBlock(p, { id, label: vi(p, f.label), required: f.required, hint, errors: errorFor(errors, id), control, checkbox: f.type === 'checkbox' });
}

export function applicantFields(p: PageCtx, kind: ApplicantKind, a: ApplicantInput, errors: PageError[]): SafeHtml {
  const _ = tr(p);
  const input = (key: ApplicantKey, label: MessageKey, required: boolean, type: string, extra: SafeHtml | null, hint?: MessageKey) => {
    const id = applicantAnchor(key);
    return fieldBlock(p, {
      id,
      label: _(label),
      required,
      hint: hint ? _(hint) : undefined,
      errors: errorFor(errors, id),
      control: (d, inv) =>
        html`<input type="${type}" id="${id}" name="${id}" value="${a[key]}"${extra}${NAME_KEYS.has(key) ? viAttr(p) : null}${aria(d, inv)}>`,
    });
  };
  return html`<fieldset><legend><h2>${_('app.applicant')}</h2></legend>
<p>${_('app.applicantType')}: <strong>${_(`applicant.one.${kind}`)}</strong></p>
${input('fullName', 'app.fullName', true, 'text', html` autocomplete="name" maxlength="200"`)}
${input('idNumber', 'app.idNumber', true, 'text', html` inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="12"`, 'app.idNumberHint')}
${kind === 'organisation' ? input('organisationName', 'app.organisationName', true, 'text', html` autocomplete="organization" maxlength="300"`) : null}
${kind === 'organisation' ? input('taxCode', 'app.taxCode', true, 'text', html` inputmode="numeric" spellcheck="false" maxlength="14"`, 'app.taxCodeHint') : null}
${input('phone', 'app.phone', false, 'tel', html` autocomplete="tel" maxlength="20"`)}
${input('email', 'app.email', false, 'email', html` autocomplete="email" spellcheck="false" maxlength="254"`)}
</fieldset>`;
}

export function startPage(
  p: PageCtx,
  v: { proc: ProcedureRecord; kind: ApplicantKind; applicant: ApplicantInput; nonce: string; errors: PageError[] },
): string {
  const _ = tr(p);
  return layout(
    p,
    _('app.startTitle'),
    html`${errorSummary(p, v.errors)}
<p class="meta">${_('app.startTitle')}</p>
<h1>${vi(p, v.proc.name)}</h1>
<p class="lead">${_('app.startLead')}</p>
<form method="post" action="/ho-so/moi" novalidate>
${csrfField(p)}
<input type="hidden" name="thu-tuc" value="${v.proc.code}">
<input type="hidden" name="nonce" value="${v.nonce}">
${applicantFields(p, v.kind, v.applicant, v.errors)}
<button type="submit">${_('app.start')}</button>
</form>`,
  );
}

/** Who fills the form: the applicant online, or the one-stop desk for a walk-in applicant. */
export type FlowMode = 'citizen' | 'desk';

/** Where a dossier's form, uploads and removals are posted, by mode. */
export const flowBase = (mode: FlowMode, id: string) => (mode === 'desk' ? `/can-bo/tiep-nhan/${id}` : `/ho-so/${id}`);

export interface DraftView {
  dossier: DossierView;
  proc: ProcedureRecord;
  kind: ApplicantKind;
  applicant: ApplicantInput;
  values: FormInputValues;
  errors: PageError[];
  /** A message not tied to a field (stale version...), shown at the top. */
  notice?: string | undefined;
  saved?: boolean;
  /** The upload limit in words (`10 MB`). */
  maxSize: string;
  /** The upload limit in bytes, for the script's early size check (the server checks anyway). */
  maxBytes?: number | undefined;
  mode?: FlowMode | undefined;
}

export const sizeText = (p: PageCtx, bytes: number) =>
  bytes >= 1048576
    ? `${formatNumber(p.locale, Math.round((bytes / 1048576) * 10) / 10)} MB`
    : `${formatNumber(p.locale, Math.max(1, Math.round(bytes / 1024)))} KB`;

/** A link that opens an attached file inline (same access checks as the API). */
export const fileHref = (dossierId: string, fileId: string) => `/ho-so/${dossierId}/tep/${fileId}`;

/** A sealed result of a dossier, as the documents module lists it (`listDossierResults`). */
export interface SealedResultItem {
  documentId: string;
  fileId: string | null;
  title: string;
  fileName: string;
  issuedAt: string;
  issuer: { name: string };
}

/** dd/mm/yyyy HH:mm in Vietnam's time. */
const dayThenTime = (iso: string) => {
  const s = formatVnDateTime(new Date(iso));
  return `${s.slice(6)} ${s.slice(0, 5)}`;
};

/**
 * The sealed results of a dossier: title, when and by whom sealed, the file (through the dossier's
 * file route, with its access checks), the public verification page and the verification code.
 */
export function sealedResultsList(p: PageCtx, dossierId: string, items: readonly SealedResultItem[]): SafeHtml {
  const _ = tr(p);
  return html`<ul class="files results">${items.map(
    (
      r,
    ) => html`<li><strong>${vi(p, r.title)}</strong><br><span class="meta">${_('doc.res.sealedAt', { at: dayThenTime(r.issuedAt) })} · ${vi(p, r.issuer.name)}</span><br>
<a href="${r.fileId ? fileHref(dossierId, r.fileId) : `/api/v1/public/documents/${r.documentId}/file`}">${nameWithData(p, _('doc.res.download'), 'doc.res.downloadLabel', { name: vi(p, r.fileName) })}</a> ·
<a href="/xac-thuc/${r.documentId}">${nameWithData(p, _('doc.res.verify'), 'doc.res.verifyLabel', { title: vi(p, r.title) })}</a><br>
<span class="meta">${_('doc.verify.documentId')}: <code>${r.documentId}</code></span></li>`,
  )}</ul>`;
}

/**
 * The documents of a dossier, one upload form per component (no JavaScript needed). `removable`
 * says which files may still be removed (all in a draft; in a supplement, only the new ones).
 * Each upload form carries a one-time token (`nonce`): the same form posted twice stores its file once.
 */
export function componentsSection(
  p: PageCtx,
  v: {
    dossier: DossierView;
    proc: ProcedureRecord;
    errors: PageError[];
    maxSize: string;
    maxBytes?: number | undefined;
    base: string;
    removable: (f: DossierView['files'][number]) => boolean;
  },
): SafeHtml {
  const _ = tr(p);
  const comps = v.proc.definition.components;
  if (!comps.length) return html``;
  // The words the portal's script needs for upload progress (it carries no text of its own).
  return html`<h2>${_('app.components')}</h2>
<p class="hint">${_('app.uploadLimits', { size: v.maxSize })}</p>
<div class="uploads" data-uploads${v.maxBytes ? html` data-max-bytes="${v.maxBytes}"` : null} data-msg-size="${_('app.err.fileSize', { size: v.maxSize })}" data-msg-progress="${_('enh.up.progress')}" data-msg-label="${_('enh.up.progressLabel')}" data-msg-done="${_('enh.up.done')}" data-msg-failed="${_('enh.up.failed')}" data-msg-busy="${_('enh.up.busy')}">
${comps.map((c) => {
  const anchor = componentAnchor(c.code);
  const files = v.dossier.files.filter((f) => f.component === c.code);
  const errs = errorFor(v.errors, anchor);
  return html`<div class="component${errs.length ? ' field-error' : ''}">
<h3>${vi(p, c.name)} <span class="meta">(${c.required ? _('app.required') : _('app.optional')})</span></h3>
${c.note ? html`<p class="hint"${viAttr(p)}>${c.note}</p>` : null}
${
  files.length
    ? html`<ul class="files">${files.map(
        (f) => html`<li><a href="${fileHref(v.dossier.id, f.fileId)}">${vi(p, f.fileName)}</a> <span class="meta">(${sizeText(p, f.size)})</span>
${v.removable(f) ? html`<form method="post" action="${v.base}/tep/${f.fileId}/xoa">${csrfField(p)}<button type="submit" class="link">${nameWithData(p, _('app.remove'), 'app.removeFile', { name: vi(p, f.fileName) })}</button></form>` : null}</li>`,
      )}</ul>`
    : html`<p class="meta">${_('app.noFiles')}</p>`
}
<form method="post" action="${v.base}/tep" enctype="multipart/form-data">
${csrfField(p)}
<input type="hidden" name="component" value="${c.code}">
<input type="hidden" name="nonce" value="${randomBytes(12).toString('hex')}">
<div class="field">
<label for="${anchor}">${messageHtml(p, 'app.chooseFile', { name: vi(p, c.name) })}</label>
${errs.map((e) => html`<p class="error-message" id="${anchor}-error">${errorText(p, e)}</p>`)}
<input type="file" id="${anchor}" name="file" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"${errs.length ? html` aria-describedby="${anchor}-error" aria-invalid="true"` : null}>
</div>
<button type="submit" class="secondary">${_('app.upload')}</button>
</form></div>`;
})}
</div>`;
}

/** The draft form: the citizen's application, or the desk's counter intake (`mode: 'desk'`). */
export function draftPage(p: PageCtx, v: DraftView): string {
  const _ = tr(p);
  const id = v.dossier.id;
  const desk = v.mode === 'desk';
  const base = flowBase(v.mode ?? 'citizen', id);
  return layout(
    p,
    v.dossier.procedureName,
    html`${v.notice ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus><p>${v.notice}</p><p><a href="${base}">${_('app.reload')}</a></p></div>` : null}
${errorSummary(p, v.errors)}
${v.saved ? html`<div class="notice" role="status"><p>${_('app.saved')}</p></div>` : null}
<p class="meta">${desk ? _('staff.in.caption') : _('app.draftCaption')} · ${_('proc.code')}: ${v.dossier.procedureCode}</p>
<h1>${vi(p, v.dossier.procedureName)}</h1>
<form method="post" action="${base}" id="dossier-form" novalidate>
${csrfField(p)}
<input type="hidden" name="version" value="${v.dossier.version}">
${applicantFields(p, v.kind, v.applicant, v.errors)}
<h2>${_('app.formTitle')}</h2>
${v.proc.definition.form.map((f) => formField(p, f, v.values[f.key], v.errors))}
<div class="actions">
${desk ? null : html`<button type="submit" name="action" value="continue">${_('app.continue')}</button>`}
<button type="submit" name="action" value="save" class="secondary">${_('app.save')}</button>
</div>
</form>
${componentsSection(p, { dossier: v.dossier, proc: v.proc, errors: v.errors, maxSize: v.maxSize, maxBytes: v.maxBytes, base, removable: () => true })}
${
  desk
    ? html`<h2>${_('staff.in.receive')}</h2>
<p>${_('staff.in.receiveLead')}</p>
<div class="actions"><button type="submit" form="dossier-form" name="action" value="receive">${_('staff.in.receive')}</button></div>`
    : html`<p><a href="/ho-so/${id}/kiem-tra">${_('app.checkLink')}</a></p>`
}`,
  );
}

/** Names of administrative unit codes (`13669` → `Phường Nam Định`), for answers of type unit_code. */
export type UnitNames = ReadonlyMap<string, string>;

/** The unit codes a dossier's answers name, to look their names up before rendering them. */
export const unitCodesOf = (proc: ProcedureRecord, form: Record<string, unknown>): string[] =>
  proc.definition.form.filter((f) => f.type === 'unit_code' && typeof form[f.key] === 'string').map((f) => form[f.key] as string);

/**
 * One answer as people read it, wherever answers are shown (check page, desk pages): dates
 * dd/mm/yyyy, a unit code with its name, a choice by its label, a box as yes or no.
 */
export function answerText(p: PageCtx, f: FormField, value: unknown, units?: UnitNames): string {
  const _ = tr(p);
  if (f.type === 'checkbox') return value === true ? _('app.yes') : _('app.no');
  if (value === undefined || value === null || value === '') return _('app.notAnswered');
  if (f.type === 'select') return f.options?.find((o) => o.value === value)?.label ?? String(value);
  if (f.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDay(value);
  if (f.type === 'number' && typeof value === 'number') return formatNumber(p.locale, value);
  if (f.type === 'unit_code' && typeof value === 'string') {
    const name = units?.get(value);
    return name ? `${name} (${value})` : value;
  }
  return String(value);
}

/**
 * Whether an answer as `answerText` gives it is words from the data (typed text, a choice's label,
 * a unit's name), to be marked Vietnamese on an English page; not the page's own words (yes, no,
 * not answered) nor dates, numbers and codes.
 */
export function answerIsWords(f: FormField, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return f.type === 'text' || f.type === 'textarea' || f.type === 'select' || f.type === 'unit_code';
}

export function checkPage(
  p: PageCtx,
  v: {
    dossier: DossierView;
    proc: ProcedureRecord;
    kind: ApplicantKind;
    applicant: ApplicantInput;
    notice?: string | undefined;
    unitNames?: UnitNames | undefined;
  },
): string {
  const _ = tr(p);
  const id = v.dossier.id;
  const change = (anchor: string, what: string | SafeHtml) =>
    html`<a href="/ho-so/${id}#${anchor}">${nameWithData(p, _('app.change'), 'app.changeWhat', { what })}</a>`;
  // `data`: the label (a form field's, a document's) and the answer are the procedure's words or what was typed.
  const row = (label: string, value: string | SafeHtml, anchor: string, data: { label: boolean; value: boolean } = { label: false, value: false }) =>
    html`<div><dt${data.label ? viAttr(p) : null}>${label}</dt><dd${data.value ? viAttr(p) : null}>${value}</dd><dd>${change(anchor, data.label ? vi(p, label) : label)}</dd></div>`;
  const a = v.applicant;
  const applicantRows: [ApplicantKey, MessageKey][] = [
    ['fullName', 'app.fullName'],
    ['idNumber', 'app.idNumber'],
    ...(v.kind === 'organisation'
      ? ([
          ['organisationName', 'app.organisationName'],
          ['taxCode', 'app.taxCode'],
        ] as [ApplicantKey, MessageKey][])
      : []),
    ['phone', 'app.phone'],
    ['email', 'app.email'],
  ];
  return layout(
    p,
    _('app.checkTitle'),
    html`${v.notice ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus><p>${v.notice}</p><p><a href="/ho-so/${id}/kiem-tra">${_('app.reload')}</a></p></div>` : null}
<p class="meta">${vi(p, v.dossier.procedureName)}</p>
<h1>${_('app.checkTitle')}</h1>
<h2>${_('app.applicant')}</h2>
<dl class="summary">
${applicantRows.map(([k, label]) => row(_(label), a[k] || _('app.notAnswered'), applicantAnchor(k), { label: false, value: !!a[k] && NAME_KEYS.has(k) }))}
</dl>
<h2>${_('app.formTitle')}</h2>
<dl class="summary">
${v.proc.definition.form.map((f) =>
  row(f.label, answerText(p, f, v.dossier.form[f.key], v.unitNames), fieldAnchor(f.key), { label: true, value: answerIsWords(f, v.dossier.form[f.key]) }),
)}
</dl>
${
  v.proc.definition.components.length
    ? html`<h2>${_('app.components')}</h2>
<dl class="summary">
${v.proc.definition.components.map((c) => {
  const files = v.dossier.files.filter((f) => f.component === c.code);
  return row(
    c.name,
    files.length ? html`${files.map((f, i) => html`${i > 0 ? html`<br>` : null}${vi(p, f.fileName)}`)}` : _('app.noFiles'),
    componentAnchor(c.code),
    {
      label: true,
      value: false,
    },
  );
})}
</dl>`
    : null
}
<h2>${_('app.submitHeading')}</h2>
<p>${_('app.submitLead')}</p>
<form method="post" action="/ho-so/${id}/nop" novalidate>
${csrfField(p)}
<input type="hidden" name="version" value="${v.dossier.version}">
<div class="actions"><button type="submit">${_('app.submit')}</button> <a href="/ho-so/${id}">${_('app.backToForm')}</a></div>
</form>`,
  );
}

export const when = (p: PageCtx, iso: string | null) => (iso ? formatVnDateTime(new Date(iso)) : tr(p)('app.none'));

export function statusWords(p: PageCtx, status: string): string {
  const key = `status.${status}` as MessageKey;
  return key in catalogues.vi ? tr(p)(key) : status;
}

/** One entry of a dossier's history, as `getHistory` returns it. */
export interface HistoryItem {
  at: string;
  action: string;
  actor: { id: string | null; role: string; name: string | null };
  fromStatus: string | null;
  toStatus: string;
  note: string | null;
}

/** What an action was, in the past tense, for timelines. */
export function historyWords(p: PageCtx, action: string): string {
  const key = `staff.h.${action}` as MessageKey;
  return key in catalogues.vi ? tr(p)(key) : action;
}

export function roleWords(p: PageCtx, role: string): string {
  const key = `staff.role.${role}` as MessageKey;
  return key in catalogues.vi ? tr(p)(key) : role;
}

/** Notes the applicant is meant to read (the others are the agency's internal notes). */
const PUBLIC_NOTES = new Set(['request_supplement', 'refuse', 'stop', 'extend', 'withdraw', 'request_payment', 'supplement']);

/** The history as an ordered list, newest last. `staffView` shows names and every note. */
export function timeline(p: PageCtx, history: HistoryItem[], staffView: boolean): SafeHtml {
  return html`<ol class="timeline">${history.map(
    (
      h,
    ) => html`<li><p class="meta"><time datetime="${h.at}">${formatVnDateTime(new Date(h.at))}</time> · ${roleWords(p, h.actor.role)}${staffView && h.actor.name ? html` · ${vi(p, h.actor.name)}` : null}</p>
<p><strong>${historyWords(p, h.action)}</strong>${h.fromStatus !== h.toStatus ? html` — ${statusWords(p, h.toStatus)}` : null}</p>
${h.note && (staffView || PUBLIC_NOTES.has(h.action)) ? html`<p class="note"${viAttr(p)}>${h.note}</p>` : null}</li>`,
  )}</ol>`;
}

export interface CitizenDossierView {
  dossier: DossierView;
  proc: ProcedureRecord;
  history: HistoryItem[];
  errors: PageError[];
  notice?: string | undefined;
  /** A confirmation after an action (`Đã gửi.`). */
  done?: string | undefined;
  maxSize: string;
  maxBytes?: number | undefined;
  /** The rating form's last answer (after an error). */
  rating?: { value: string; comment: string } | undefined;
  /** The supplement form's note (after an error). */
  supplementNote?: string | undefined;
  /** Official forms of the dossier (01 receipt, 02 supplement request...), printed by the documents module. */
  forms?: { form: string; title: string }[] | undefined;
  /** The dossier's sealed results (shown once it is done or returned). */
  results?: SealedResultItem[] | undefined;
}

const lastNote = (history: HistoryItem[], action: string) => [...history].reverse().find((h) => h.action === action)?.note ?? null;

/** A dossier that is no longer a draft: the confirmation panel right after submission, then its status, what to do, and its history. */
export function dossierPage(p: PageCtx, v: CitizenDossierView): string {
  const _ = tr(p);
  const d = v.dossier;
  const id = d.id;
  const code = d.code ?? '';
  const submitted = d.status === 'submitted' && !d.receivedAt && v.history.filter((h) => h.action === 'submit' || h.action === 'supplement').length <= 1;
  const can = (a: string) => d.allowedActions.includes(a as DossierView['allowedActions'][number]);
  const requestedAt = [...v.history].reverse().find((h) => h.action === 'request_supplement')?.at;
  const version = html`<input type="hidden" name="version" value="${d.version}">`;

  const expected = (): SafeHtml => {
    if (d.status === 'supplement_requested' && can('supplement')) {
      const reason = lastNote(v.history, 'request_supplement');
      return html`<div class="notice"><h3>${_('staff.ct.supplementTitle')}</h3>
${reason ? html`<p>${_('staff.ct.supplementLead')}</p><p class="note"${viAttr(p)}>${reason}</p>` : null}
<p>${_('staff.ct.supplementHow')}</p></div>
${componentsSection(p, { dossier: d, proc: v.proc, errors: v.errors, maxSize: v.maxSize, maxBytes: v.maxBytes, base: `/ho-so/${id}`, removable: (f) => !!requestedAt && f.uploadedAt > requestedAt })}
<form method="post" action="/ho-so/${id}/bo-sung" novalidate>
${csrfField(p)}${version}
<div class="field"><label for="s-note">${_('staff.ct.noteLabel')}</label><textarea id="s-note" name="note" rows="3" maxlength="2000"${viAttr(p)}>${v.supplementNote ?? ''}</textarea></div>
<button type="submit">${_('staff.ct.sendSupplement')}</button>
</form>`;
    }
    if (d.status === 'payment_requested') {
      const note = lastNote(v.history, 'request_payment');
      return html`<div class="notice"><h3>${_('staff.ct.payTitle')}</h3>${note ? html`<p class="note"${viAttr(p)}>${note}</p>` : null}
<p><a class="button" href="/ho-so/${id}/thanh-toan">${_('staff.ct.payLink')}</a></p></div>`;
    }
    if (d.status === 'done') return html`<p>${_('staff.ct.doneWait')}</p>`;
    if (d.status === 'refused' || d.status === 'stopped' || d.status === 'withdrawn') {
      const reason = lastNote(v.history, d.status === 'refused' ? 'refuse' : d.status === 'stopped' ? 'stop' : 'withdraw');
      return html`<p>${_(d.status === 'refused' ? 'staff.ct.refused' : d.status === 'stopped' ? 'staff.ct.stopped' : 'staff.ct.withdrawn')}</p>${reason ? html`<p>${messageHtml(p, 'staff.ct.reasonWas', { reason: vi(p, reason) })}</p>` : null}`;
    }
    if (d.status === 'returned') return html``;
    return html`<p>${_('staff.ct.nothing')}</p>`;
  };

  const ratingSection = (): SafeHtml | null => {
    if (d.status !== 'returned') return null;
    const def = v.proc.definition;
    const result = html`<h2>${_('staff.ct.resultTitle')}</h2>
<p>${_('staff.ct.returnedAt', { at: when(p, d.returnedAt) })}</p>
<dl class="summary"><div><dt>${_('proc.resultKind')}</dt><dd>${_(`result.${def.resultKind}`)}</dd></div>
<div><dt>${_('proc.result')}</dt><dd>${vi(p, def.resultDescription)}</dd></div>
<div><dt>${_('proc.resultDelivery')}</dt><dd>${vi(p, def.resultDelivery)}</dd></div></dl>`;
    if (d.rating)
      return html`${result}<h2>${_('staff.ct.rateTitle')}</h2><p>${_('staff.ct.rated', { rating: _(`staff.ct.rating.${d.rating.rating}` as MessageKey) })}</p>`;
    const errs = errorFor(v.errors, 'r-very_satisfied');
    const options = ['very_satisfied', 'satisfied', 'dissatisfied'] as const;
    return html`${result}<h2 id="rate">${_('staff.ct.rateTitle')}</h2>
<form method="post" action="/ho-so/${id}/danh-gia" novalidate>
${csrfField(p)}
<div class="field${errs.length ? ' field-error' : ''}"><fieldset${errs.length ? html` aria-describedby="r-error"` : null}><legend>${_('staff.ct.rateLegend')}</legend>
${errs.map((e) => html`<p class="error-message" id="r-error">${e.message}</p>`)}
${options.map(
  (o) =>
    html`<div class="choice"><input type="radio" id="r-${o}" name="rating" value="${o}"${v.rating?.value === o ? html` checked` : null}> <label for="r-${o}">${_(`staff.ct.rating.${o}`)}</label></div>`,
)}
</fieldset></div>
<div class="field"><label for="r-comment">${_('staff.ct.comment')}</label><textarea id="r-comment" name="comment" rows="3" maxlength="2000"${viAttr(p)}>${v.rating?.comment ?? ''}</textarea></div>
<button type="submit">${_('staff.ct.rate')}</button>
</form>`;
  };

  const withdrawSection = (): SafeHtml | null => {
    if (!can('withdraw')) return null;
    const errs = errorFor(v.errors, 'w-confirm');
    return html`<h2>${_('staff.ct.withdrawTitle')}</h2>
<p>${_('staff.ct.withdrawLead')}</p>
<form method="post" action="/ho-so/${id}/rut" novalidate>
${csrfField(p)}${version}
<div class="field"><label for="w-reason">${_('staff.ct.withdrawReason')}</label><textarea id="w-reason" name="reason" rows="2" maxlength="2000"${viAttr(p)}></textarea></div>
<div class="field${errs.length ? ' field-error' : ''}">${errs.map((e) => html`<p class="error-message" id="w-confirm-error">${e.message}</p>`)}
<input type="checkbox" id="w-confirm" name="confirm" value="yes"${errs.length ? html` aria-describedby="w-confirm-error" aria-invalid="true"` : null}> <label class="inline-label" for="w-confirm">${_('staff.ct.withdrawConfirm')}</label></div>
<button type="submit" class="warning">${_('staff.ct.withdraw')}</button>
</form>`;
  };

  // Sealed results have their own section (with verification links): the papers list is what was filed.
  const filed = d.files.filter((f) => f.component !== RESULT_COMPONENT);
  const showFiles = !(d.status === 'supplement_requested' && can('supplement')) && filed.length > 0;
  return layout(
    p,
    _('app.dossierTitle', { code }),
    html`${v.notice ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus><p>${v.notice}</p></div>` : null}
${errorSummary(p, v.errors)}
${v.done ? html`<div class="notice" role="status"><p>${v.done}</p></div>` : null}
${
  submitted
    ? html`<div class="panel" role="status"><h1>${_('app.submittedTitle')}</h1><p>${_('app.yourCode')}<strong class="code">${code}</strong></p></div>
<p>${_('app.keepCode')}</p>`
    : html`<h1>${_('app.dossierTitle', { code })}</h1>`
}
<dl class="summary">
<div><dt>${_('app.code')}</dt><dd>${code}</dd></div>
<div><dt>${_('app.procedure')}</dt><dd>${vi(p, d.procedureName)}</dd></div>
<div><dt>${_('app.status')}</dt><dd><strong>${statusWords(p, d.status)}</strong></dd></div>
<div><dt>${_('app.submittedAt')}</dt><dd>${when(p, d.submittedAt)}</dd></div>
<div><dt>${_('app.dueAt')}</dt><dd>${when(p, d.dueAt)}</dd></div>
<div><dt>${_('app.agency')}</dt><dd>${vi(p, d.receivingAgency.name)}</dd></div>
</dl>
${
  submitted
    ? html`<h2>${_('app.nextTitle')}</h2>
<ol><li>${messageHtml(p, 'app.next1', { agency: vi(p, d.receivingAgency.name) })}</li><li>${_('app.next2')}</li><li>${_('app.next3')}</li></ol>`
    : html`<h2>${_('staff.ct.expected')}</h2>${expected()}`
}
${ratingSection()}
${
  // The documents service lists them only once the applicant may have them (resultsVisible).
  v.results?.length
    ? html`<h2 id="ket-qua-dien-tu">${_('doc.res.citizenTitle')}</h2>
<p>${_('doc.res.citizenLead')}</p>
${sealedResultsList(p, id, v.results)}`
    : null
}
${
  showFiles
    ? html`<h2>${_('staff.ct.files')}</h2><ul class="files">${filed.map(
        (f) =>
          html`<li>${vi(p, v.proc.definition.components.find((c) => c.code === f.component)?.name ?? f.component)}: <a href="${fileHref(id, f.fileId)}">${vi(p, f.fileName)}</a> <span class="meta">(${sizeText(p, f.size)})</span></li>`,
      )}</ul>`
    : null
}
${v.forms?.length ? html`<h2>${_('staff.dv.documents')}</h2><ul>${v.forms.map((f) => html`<li><a href="/ho-so/${id}/giay-to/${f.form}">${vi(p, `${f.form}. ${f.title}`)}</a></li>`)}</ul>` : null}
<h2>${_('staff.ct.timeline')}</h2>
${timeline(p, v.history, false)}
${withdrawSection()}
<p><a href="/ho-so">${_('app.mineTitle')}</a> · <a href="/tra-cuu?ma=${encodeURIComponent(code)}">${_('nav.lookup')}</a></p>`,
  );
}

export interface MineItem {
  id: string;
  code: string | null;
  procedureName: string;
  status: string;
  dueAt: string | null;
}

export function minePage(p: PageCtx, v: { items: MineItem[]; total: number }): string {
  const _ = tr(p);
  return layout(
    p,
    _('app.mineTitle'),
    html`<h1>${_('app.mineTitle')}</h1>
${
  v.items.length === 0
    ? html`<p>${_('app.mineNone')}</p><p><a href="/thu-tuc">${_('app.mineFind')}</a></p>`
    : html`<p role="status">${_('app.mineCount', { n: formatNumber(p.locale, v.total) })}</p>
${scrollTable(
  _('app.mineTitle'),
  html`<table>
<thead><tr><th scope="col">${_('app.code')}</th><th scope="col">${_('app.procedure')}</th><th scope="col">${_('app.status')}</th><th scope="col">${_('app.dueAt')}</th></tr></thead>
<tbody>${v.items.map(
    (i) =>
      html`<tr><td><a href="/ho-so/${i.id}">${i.code ?? _('app.draft')}</a></td><td>${vi(p, i.procedureName)}</td><td>${statusWords(p, i.status)}</td><td>${when(p, i.dueAt)}</td></tr>`,
  )}</tbody></table>`,
)}
<p><a href="/thu-tuc">${_('app.mineFind')}</a></p>`
}`,
  );
}
