import type { DossierAction, DossierStatus } from '../modules/dossiers/dossier-workflow.ts';
import { DOSSIER_STATUSES, FINAL_STATUSES } from '../modules/dossiers/dossier-workflow.ts';
import type { DossierView } from '../modules/dossiers/dossiers.schemas.ts';
import type { WorklistRow, WorklistTab } from '../modules/dossiers/worklist.ts';
import { filingRefusal } from '../modules/dossiers/dossiers.service.ts';
import type { PaymentView, TransactionView } from '../modules/payments/payments.service.ts';
import type { ProcedureRecord } from '../modules/procedures/procedures.repo.ts';
import { scopeOf, type Actor } from '../platform/context.ts';
import { formatVnDateTime } from '../platform/time.ts';
import {
  answerIsWords,
  answerText,
  messageHtml,
  nameWithData,
  NAME_KEYS,
  type UnitNames,
  applicantFields,
  errorFor,
  errorSummary,
  errorText,
  fileHref,
  sealedResultsList,
  sizeText,
  statusWords,
  timeline,
  vi,
  viAttr,
  when,
  type ApplicantInput,
  type ApplicantKind,
  type HistoryItem,
  type PageError,
  type SealedResultItem,
} from './application-pages.ts';
import { html, type SafeHtml } from './html.ts';
import { formatMoney, formatNumber, type MessageKey } from './i18n.ts';
import { csrfField, layout, PAYMENT_REVIEW_ROLES, tr, type PageCtx } from './layout.ts';
import { feeLinesList, paymentStatusText, transferState } from './payment-words.ts';

/** Pages of the one-stop desk and the agencies: the worklist, the dossier view with its actions, counter intake. */

/** Tabs in the order shown, with their Vietnamese URL slugs. */
export const TAB_SLUGS: Record<WorklistTab, string> = {
  receive: 'can-tiep-nhan',
  mine: 'cua-toi',
  supplement: 'cho-bo-sung',
  payment: 'cho-thanh-toan',
  soon: 'sap-den-han',
  overdue: 'qua-han',
  all: 'tat-ca',
};
export const tabOfSlug = (slug: string): WorklistTab | null => (Object.entries(TAB_SLUGS).find(([, s]) => s === slug)?.[0] as WorklistTab | undefined) ?? null;

/**
 * Working days before the due date from which a dossier counts as "due soon", when neither the
 * officer (`han-trong`) nor the administrators (setting `worklist_soon_days`) say otherwise.
 */
export const SOON_WORKING_DAYS = 2;
/** The range an officer may choose for "due within N working days". */
export const SOON_DAYS_MIN = 1;
export const SOON_DAYS_MAX = 30;

export type DueState = { kind: 'none' } | { kind: 'paused' } | { kind: 'finished' } | { kind: 'ok' | 'soon' | 'over'; days: number };

/**
 * Where a dossier stands against its legal deadline, in working days (`daysLeft`: working days
 * from now to the due date, negative when late). Pure, so the rule is tested on its own.
 */
export function dueState(
  d: { status: string; dueAt: Date | null; isPaused: boolean; isOverdue: boolean },
  daysLeft: number | null,
  soonDays: number = SOON_WORKING_DAYS,
): DueState {
  if (!d.dueAt || daysLeft === null) return { kind: 'none' };
  if (FINAL_STATUSES.has(d.status as DossierStatus)) return { kind: 'finished' };
  if (d.isPaused) return d.isOverdue ? { kind: 'over', days: 0 } : { kind: 'paused' };
  if (d.isOverdue || daysLeft < 0) return { kind: 'over', days: Math.max(0, -daysLeft) };
  return { kind: daysLeft <= soonDays ? 'soon' : 'ok', days: daysLeft };
}

const days = (p: PageCtx, n: number) => formatNumber(p.locale, Math.round(n * 10) / 10);
/** English says "1 working day" but "0.5 / 1.5 working days": singular only when the shown number is 1. */
const one = (n: number) => Math.round(n * 10) / 10 === 1;

/** The remaining time in words, with a coloured tag that also says it in words (never colour alone). */
export function dueBadge(p: PageCtx, s: DueState): SafeHtml {
  const _ = tr(p);
  switch (s.kind) {
    case 'none':
      return html`<span class="meta">${_('staff.due.none')}</span>`;
    case 'finished':
      return html`<span class="meta">${_('staff.due.finished')}</span>`;
    case 'paused':
      return html`<span class="due due-paused">${_('staff.due.paused')}</span>`;
    case 'over':
      return html`<span class="due due-over"><strong>${_('staff.due.over')}</strong>${s.days > 0 ? html` · ${_(one(s.days) ? 'staff.due.overByOne' : 'staff.due.overBy', { n: days(p, s.days) })}` : null}</span>`;
    case 'soon':
      return html`<span class="due due-soon"><strong>${_('staff.due.soon')}</strong> · ${_(one(s.days) ? 'staff.due.leftOne' : 'staff.due.left', { n: days(p, s.days) })}</span>`;
    case 'ok':
      return html`<span class="due">${_(one(s.days) ? 'staff.due.leftOne' : 'staff.due.left', { n: days(p, s.days) })}</span>`;
  }
}

/** The URL key of a dossier: its code once it has one, else its id (a counter draft). */
export const dossierKey = (d: { id: string; code: string | null }) => d.code ?? d.id;
export const staffHref = (d: { id: string; code: string | null }) => `/can-bo/ho-so/${encodeURIComponent(dossierKey(d))}`;

// ------------------------------------------------------------------------------------ worklist

export interface WorklistFilters {
  q: string;
  status: string;
  procedure: string;
  overdue: boolean;
  dueWithin: string;
}

export interface WorklistView {
  tab: WorklistTab;
  counts: Record<WorklistTab, number>;
  rows: (WorklistRow & { due: DueState })[];
  total: number;
  page: number;
  pageSize: number;
  filters: WorklistFilters;
  procedures: { code: string; name: string }[];
  errors: PageError[];
  /** N of "due soon" used for this page (the officer's `han-trong`, else the default). */
  soonDays?: number | undefined;
  /** The administrators' default N (setting `worklist_soon_days`). */
  defaultSoonDays?: number | undefined;
}

function worklistQuery(tab: WorklistTab, f: WorklistFilters, page?: number): string {
  const q = new URLSearchParams({ nhom: TAB_SLUGS[tab] });
  if (f.q) q.set('q', f.q);
  if (f.status) q.set('trang-thai', f.status);
  if (f.procedure) q.set('thu-tuc', f.procedure);
  if (f.overdue) q.set('qua-han', '1');
  if (f.dueWithin) q.set('han-trong', f.dueWithin);
  if (page && page > 1) q.set('trang', String(page));
  return `/can-bo/ho-so?${q.toString()}`;
}

export function worklistPage(p: PageCtx, v: WorklistView): string {
  const _ = tr(p);
  const f = v.filters;
  const noFilters: WorklistFilters = { q: '', status: '', procedure: '', overdue: false, dueWithin: '' };
  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  const daysErr = errorFor(v.errors, 'wl-days');
  const defaultSoon = v.defaultSoonDays ?? SOON_WORKING_DAYS;
  const tabs = (Object.keys(TAB_SLUGS) as WorklistTab[]).map((tab) => {
    const label = _('staff.tab.count', { name: _(`staff.tab.${tab}`), n: formatNumber(p.locale, v.counts[tab]) });
    return html`<li${tab === v.tab ? html` class="current"` : null}><a href="${worklistQuery(tab, f)}"${tab === v.tab ? html` aria-current="page"` : null}>${label}</a></li>`;
  });
  return layout(
    p,
    _('staff.wl.title'),
    html`${errorSummary(p, v.errors)}
<h1>${_('staff.wl.title')}</h1>
<nav aria-label="${_('staff.wl.tabs')}"><ul class="tabs">${tabs}</ul></nav>
<details class="filters"${f.q || f.status || f.procedure || f.overdue || f.dueWithin || v.errors.length ? html` open` : null}>
<summary>${_('staff.wl.filters')}</summary>
<form method="get" action="/can-bo/ho-so" novalidate>
<input type="hidden" name="nhom" value="${TAB_SLUGS[v.tab]}">
<div class="field"><label for="wl-q">${_('staff.wl.search')}</label><input type="search" id="wl-q" name="q" value="${f.q}" maxlength="200"${viAttr(p)}></div>
<div class="field"><label for="wl-status">${_('staff.wl.status')}</label><select id="wl-status" name="trang-thai"><option value="">${_('staff.wl.any')}</option>${DOSSIER_STATUSES.map(
      (s) => html`<option value="${s}"${f.status === s ? html` selected` : null}>${statusWords(p, s)}</option>`,
    )}</select></div>
<div class="field"><label for="wl-proc">${_('staff.wl.procedure')}</label><select id="wl-proc" name="thu-tuc"><option value="">${_('staff.wl.any')}</option>${v.procedures.map(
      (x) => html`<option value="${x.code}"${f.procedure === x.code ? html` selected` : null}${viAttr(p)}>${x.name}</option>`,
    )}</select></div>
<div class="field"><input type="checkbox" id="wl-over" name="qua-han" value="1"${f.overdue ? html` checked` : null}> <label class="inline-label" for="wl-over">${_('staff.wl.overdueOnly')}</label></div>
<div class="field${daysErr.length ? ' field-error' : ''}"><label for="wl-days">${_('enh.wl.dueWithin')}</label>
<p class="hint" id="wl-days-hint">${_('enh.wl.dueWithinHint', { n: formatNumber(p.locale, defaultSoon) })}</p>
${daysErr.map((e) => html`<p class="error-message" id="wl-days-error">${e.message}</p>`)}
<input type="number" class="short" id="wl-days" name="han-trong" value="${f.dueWithin}" min="${SOON_DAYS_MIN}" max="${SOON_DAYS_MAX}" step="1" inputmode="numeric" aria-describedby="wl-days-hint${daysErr.length ? ' wl-days-error' : ''}"${daysErr.length ? html` aria-invalid="true"` : null}></div>
<div class="actions"><button type="submit">${_('staff.wl.apply')}</button> <a href="${worklistQuery(v.tab, noFilters)}">${_('staff.wl.clear')}</a></div>
</form>
</details>
<p role="status">${_('staff.wl.count', { n: formatNumber(p.locale, v.total) })}</p>
${v.rows.length ? html`<p class="hint">${_('enh.wl.soonRule', { n: formatNumber(p.locale, v.soonDays ?? defaultSoon) })}</p>` : null}
${
  v.rows.length === 0
    ? html`<p>${_(f.q || f.status || f.procedure || f.overdue || f.dueWithin ? 'staff.wl.noneMatching' : 'staff.wl.none')}</p>`
    : html`<table class="worklist">
<caption class="visually-hidden">${_(`staff.tab.${v.tab}`)}</caption>
<thead><tr><th scope="col">${_('staff.wl.code')}</th><th scope="col">${_('staff.wl.applicant')}</th><th scope="col">${_('staff.wl.procedureCol')}</th><th scope="col">${_('staff.wl.statusCol')}</th><th scope="col">${_('staff.wl.due')}</th><th scope="col">${_('staff.wl.assignee')}</th></tr></thead>
<tbody>${v.rows.map(
        (r) => html`<tr>
<td data-label="${_('staff.wl.code')}"><a href="${r.status === 'draft' ? `/can-bo/tiep-nhan/${r.id}` : staffHref(r)}">${r.code ?? _('staff.wl.draft')}</a></td>
<td data-label="${_('staff.wl.applicant')}">${vi(p, r.applicantName)}</td>
<td data-label="${_('staff.wl.procedureCol')}">${vi(p, r.procedureName)}</td>
<td data-label="${_('staff.wl.statusCol')}">${statusWords(p, r.status)}</td>
<td data-label="${_('staff.wl.due')}">${r.dueAt ? html`${formatVnDateTime(r.dueAt)}<br>` : null}${dueBadge(p, r.due)}</td>
<td data-label="${_('staff.wl.assignee')}">${r.assigneeName ? vi(p, r.assigneeName) : '—'}</td>
</tr>`,
      )}</tbody></table>`
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="${_('search.pagination')}">
<span class="pager-side">${v.page > 2 ? html`<a href="${worklistQuery(v.tab, f, 1)}">${_('staff.wl.firstPage')}</a> ` : null}${
        v.page > 1 ? html`<a href="${worklistQuery(v.tab, f, v.page - 1)}" rel="prev">${_('search.prev')}</a>` : null
      }</span>
<span>${_('search.page', { page: formatNumber(p.locale, v.page), pages: formatNumber(p.locale, pages) })}</span>
<span class="pager-side">${v.page < pages ? html`<a href="${worklistQuery(v.tab, f, v.page + 1)}" rel="next">${_('search.next')}</a>` : null}${
        v.page < pages - 1 ? html` <a href="${worklistQuery(v.tab, f, pages)}">${_('staff.wl.lastPage')}</a>` : null
      }</span>
</nav>`
    : null
}`,
  );
}

// ------------------------------------------------------------------------------------ dossier view

/** What an action's form asks for. */
const ACTION_INPUTS: Record<Exclude<DossierAction, 'submit'>, { reason?: MessageKey; assignee?: boolean; newDue?: boolean; warning?: boolean }> = {
  receive: {},
  refuse: { reason: 'staff.f.reason', warning: true },
  assign: { assignee: true },
  forward: {},
  request_supplement: { reason: 'staff.f.supplementReason' },
  supplement: {},
  request_payment: {},
  confirm_payment: {},
  approve: {},
  return_result: {},
  extend: { reason: 'staff.f.apology', newDue: true },
  stop: { reason: 'staff.f.reason', warning: true },
  withdraw: { reason: 'staff.f.withdrawReason', warning: true },
};

export const actionNeeds = (a: DossierAction) => (a === 'submit' ? {} : ACTION_INPUTS[a]);

/** The input ids of one action's form (unique on the page, so the error summary can link to them). */
export const actionField = (action: string, field: 'reason' | 'note' | 'assignee' | 'newDue') => `${action}-${field}`;

export interface ActionValues {
  action: string;
  reason: string;
  note: string;
  assigneeId: string;
  newDue: string;
}

export interface StaffDossierView {
  dossier: DossierView;
  proc: ProcedureRecord;
  /** The names of the unit codes the answers give. */
  unitNames?: UnitNames | undefined;
  history: HistoryItem[];
  due: DueState;
  assignees: { id: string; name: string }[];
  assigneeName: string | null;
  errors: PageError[];
  notice?: string | undefined;
  done?: string | undefined;
  /** The values of the form that failed, to show them again. */
  values?: ActionValues | undefined;
  /** Extra sections (notification deliveries, official documents) when those modules are present. */
  extra?: SafeHtml | undefined;
  /** YYYY-MM-DD: the first date an extension may move the due date to (the date picker's `min`). */
  extendMin?: string | undefined;
  /** The dossier's payment requests (newest first) and the bank transfers received for them, as the payments module lists them. */
  payments?: StaffPayments | undefined;
}

export interface StaffPayments {
  items: PaymentView[];
  transfers: TransactionView[];
}

/** The request the desk would settle by hand now: the open one (waiting for payment, or held). */
const openPayment = (v: StaffDossierView) => v.payments?.items.find((x) => x.status === 'pending' || x.status === 'held');

function actionForm(p: PageCtx, v: StaffDossierView, action: Exclude<DossierAction, 'submit'>): SafeHtml {
  const _ = tr(p);
  const need = ACTION_INPUTS[action];
  const d = v.dossier;
  const mine = v.values?.action === action ? v.values : undefined;
  const field = (kind: 'reason' | 'note' | 'assignee' | 'newDue', label: string, control: (desc: SafeHtml | null) => SafeHtml, hint?: string) => {
    const id = actionField(action, kind);
    const errs = errorFor(v.errors, id);
    const ids = [hint ? `${id}-hint` : null, errs.length ? `${id}-error` : null].filter(Boolean).join(' ');
    return html`<div class="field${errs.length ? ' field-error' : ''}"><label for="${id}">${label}</label>
${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : null}
${errs.map((e) => html`<p class="error-message" id="${id}-error">${errorText(p, e)}</p>`)}
${control(ids ? html` aria-describedby="${ids}"${errs.length ? html` aria-invalid="true"` : null}` : null)}</div>`;
  };
  // The first day the server accepts for an extension (a working day closing after the due date and now), else the due day.
  const dueDay = v.extendMin ?? (d.dueAt ? d.dueAt.slice(0, 10) : '');
  // Confirming by hand means collecting the fee at the counter: say how much, next to the button.
  const collect = action === 'confirm_payment' ? openPayment(v) : undefined;
  return html`<section class="action" aria-labelledby="h-${action}">
<h3 id="h-${action}">${_(`staff.act.${action}`)}</h3>
${collect ? html`<p class="hint">${_('staff.pay.collect', { amount: formatMoney(collect.amount), reference: collect.reference })}</p>` : null}
<form method="post" action="${staffHref(d)}/thao-tac" novalidate>
${csrfField(p)}
<input type="hidden" name="action" value="${action}">
<input type="hidden" name="version" value="${d.version}">
${
  need.assignee
    ? field(
        'assignee',
        _('staff.f.assignee'),
        (a) =>
          html`<select id="${actionField(action, 'assignee')}" name="assigneeId"${a}><option value="">${_('app.choose')}</option>${v.assignees.map(
            (s) => html`<option value="${s.id}"${(mine?.assigneeId ?? d.assigneeId) === s.id ? html` selected` : null}${viAttr(p)}>${s.name}</option>`,
          )}</select>`,
      )
    : null
}
${
  need.newDue
    ? field(
        'newDue',
        _('staff.f.newDue'),
        (a) =>
          html`<input type="date" class="short" id="${actionField(action, 'newDue')}" name="newDue" value="${mine?.newDue ?? ''}"${dueDay ? html` min="${dueDay}"` : null}${a}>`,
        _('staff.f.newDueHint', { due: when(p, d.dueAt) }),
      )
    : null
}
${
  need.reason
    ? field(
        'reason',
        _(need.reason),
        (a) => html`<textarea id="${actionField(action, 'reason')}" name="reason" rows="3" maxlength="2000"${viAttr(p)}${a}>${mine?.reason ?? ''}</textarea>`,
      )
    : field(
        'note',
        _('staff.f.noteOptional'),
        (a) => html`<textarea id="${actionField(action, 'note')}" name="note" rows="2" maxlength="2000"${viAttr(p)}${a}>${mine?.note ?? ''}</textarea>`,
      )
}
<button type="submit"${need.warning ? html` class="warning"` : null}>${_(`staff.act.${action}`)}</button>
</form>
</section>`;
}

function applicantRows(p: PageCtx, a: Record<string, unknown>): SafeHtml {
  const _ = tr(p);
  const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
  const address = a.address && typeof a.address === 'object' ? (a.address as { unitCode?: string; detail?: string }) : null;
  // The third member: the value is words people typed (a name, an address), Vietnamese on an English page.
  type Row = [string, string, boolean];
  const typed = (label: MessageKey, k: string): Row => [_(label), s(k), NAME_KEYS.has(k)];
  const rows: Row[] = [
    [_('staff.dv.type'), _(a.type === 'organisation' ? 'applicant.one.organisation' : 'applicant.one.citizen'), false],
    typed('app.fullName', 'fullName'),
    typed('app.idNumber', 'idNumber'),
    ...(a.type === 'organisation' ? [typed('app.organisationName', 'organisationName'), typed('app.taxCode', 'taxCode')] : []),
    typed('app.phone', 'phone'),
    typed('app.email', 'email'),
    ...(address ? [[_('staff.dv.address'), [address.detail, address.unitCode].filter(Boolean).join(', '), true] as Row] : []),
  ];
  return html`<dl class="summary">${rows
    .filter(([, v]) => v)
    .map(([k, v, words]) => html`<div><dt>${k}</dt><dd${words ? viAttr(p) : null}>${v}</dd></div>`)}</dl>`;
}

export function staffDossierPage(p: PageCtx, v: StaffDossierView): string {
  const _ = tr(p);
  const d = v.dossier;
  const code = d.code ?? _('staff.wl.draft');
  const actions = d.allowedActions.filter((a): a is Exclude<DossierAction, 'submit'> => a !== 'submit');
  return layout(
    p,
    _('staff.dv.caption', { code }),
    html`${v.notice ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus><p>${v.notice}</p></div>` : null}
${errorSummary(p, v.errors)}
${v.done ? html`<div class="notice" role="status"><p>${v.done}</p></div>` : null}
<p><a href="/can-bo/ho-so">${_('staff.dv.back')}</a></p>
<p class="meta">${vi(p, d.procedureName)}</p>
<h1>${_('staff.dv.caption', { code })}</h1>
<dl class="summary">
<div><dt>${_('app.status')}</dt><dd><strong>${statusWords(p, d.status)}</strong></dd></div>
<div><dt>${_('staff.dv.remaining')}</dt><dd>${dueBadge(p, v.due)}</dd></div>
<div><dt>${_('app.dueAt')}</dt><dd>${when(p, d.dueAt)}</dd></div>
<div><dt>${_('app.submittedAt')}</dt><dd>${when(p, d.submittedAt)}</dd></div>
<div><dt>${_('staff.dv.receivedAt')}</dt><dd>${when(p, d.receivedAt)}</dd></div>
<div><dt>${_('staff.dv.channel')}</dt><dd>${_(`channel.${d.channel}`)}</dd></div>
<div><dt>${_('staff.dv.receiving')}</dt><dd>${vi(p, d.receivingAgency.name)}</dd></div>
<div><dt>${_('staff.dv.competent')}</dt><dd>${vi(p, d.competentAgency.name)}</dd></div>
<div><dt>${_('staff.dv.step')}</dt><dd>${d.currentStep ? vi(p, d.currentStep.name) : '—'}</dd></div>
${d.currentStep?.dueAt ? html`<div><dt>${_('staff.dv.stepDue')}</dt><dd>${when(p, d.currentStep.dueAt)}</dd></div>` : null}
<div><dt>${_('staff.dv.assignee')}</dt><dd>${v.assigneeName ? vi(p, v.assigneeName) : '—'}</dd></div>
<div><dt>${_('staff.dv.counts')}</dt><dd>${formatNumber(p.locale, d.supplementCount)} / ${formatNumber(p.locale, d.extensionCount)}</dd></div>
</dl>
${v.payments ? paymentsSection(p, v.payments) : null}
<h2 id="thao-tac">${_('staff.dv.actions')}</h2>
${actions.length ? actions.map((a) => actionForm(p, v, a)) : html`<p>${_('staff.dv.noActions')}</p>`}
<h2>${_('staff.dv.applicant')}</h2>
${applicantRows(p, (d.applicant ?? {}) as Record<string, unknown>)}
<h2>${_('staff.dv.form')}</h2>
<dl class="summary">${v.proc.definition.form.map(
      (f) =>
        html`<div><dt${viAttr(p)}>${f.label}</dt><dd${answerIsWords(f, d.form[f.key]) ? viAttr(p) : null}>${answerText(p, f, d.form[f.key], v.unitNames)}</dd></div>`,
    )}</dl>
<h2>${_('staff.dv.files')}</h2>
${
  d.files.length
    ? html`<ul class="files">${d.files.map((f) => {
        const comp = v.proc.definition.components.find((c) => c.code === f.component);
        return html`<li><a href="${fileHref(d.id, f.fileId)}">${nameWithData(p, vi(p, f.fileName), 'staff.dv.viewFile', { name: vi(p, f.fileName) })}</a> <span class="meta">(${vi(p, comp?.name ?? f.component)} · ${sizeText(p, f.size)} · ${formatVnDateTime(new Date(f.uploadedAt))})</span></li>`;
      })}</ul>`
    : html`<p>${_('staff.dv.noFiles')}</p>`
}
${v.extra ?? null}
<h2>${_('staff.dv.history')}</h2>
${timeline(p, v.history, true)}`,
  );
}

/**
 * "Phí, lệ phí": the dossier's payment requests (amount with its fee lines, reference, status,
 * when and how it was paid or settled at the desk) and every bank transfer received for them,
 * with what became of it (held and why, accepted, refunded), so the desk knows what to collect
 * and can answer the applicant about a second transfer. Nothing when no fee was ever requested.
 */
export function paymentsSection(p: PageCtx, v: StaffPayments): SafeHtml | null {
  if (!v.items.length && !v.transfers.length) return null;
  const _ = tr(p);
  const current = v.items.find((x) => x.status !== 'cancelled');
  const earlier = v.items.filter((x) => x !== current);
  const paidBy = (x: PaymentView) => v.transfers.find((tx) => tx.paymentId === x.id && (tx.status === 'confirmed' || tx.status === 'accepted'));
  const row = (label: string, value: SafeHtml | string) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  const details = (x: PaymentView): SafeHtml => {
    const tx = paidBy(x);
    return html`<dl class="summary">
${row(_('pay.amount'), html`<strong>${formatMoney(x.amount)}</strong>`)}
${row(_('pay.status'), html`<strong class="tag">${paymentStatusText(p, x.status)}</strong>`)}
${row(_('pay.reference'), x.reference)}
${
  x.status === 'paid'
    ? html`${row(_('pay.paidAt'), x.paidAt ? formatVnDateTime(new Date(x.paidAt)) : '—')}${row(_('staff.pay.method'), tx ? _('staff.pay.online', { transactionId: tx.transactionId }) : _('staff.pay.onlineShort'))}`
    : x.status === 'settled_at_desk'
      ? html`${row(_('staff.pay.deskAt'), x.closedAt ? formatVnDateTime(new Date(x.closedAt)) : '—')}${row(_('staff.pay.method'), _('staff.pay.desk'))}`
      : x.status === 'cancelled'
        ? null
        : row(_('pay.dueAt'), formatVnDateTime(new Date(x.dueAt)))
}
${x.feeLines.length ? row(_('pay.lines'), feeLinesList(p, x.feeLines)) : null}
</dl>`;
  };
  return html`<h2 id="phi-le-phi">${_('staff.pay.title')}</h2>
${current ? details(current) : null}
${
  earlier.length
    ? html`<h3>${_('pay.history')}</h3><ul>${earlier.map((x) => html`<li>${formatMoney(x.amount)} — ${x.reference} — ${paymentStatusText(p, x.status)}</li>`)}</ul>`
    : null
}
${
  v.transfers.length
    ? html`<h3>${_('staff.pay.transfers')}</h3>
<table class="worklist"><thead><tr><th scope="col">${_('staff.pay.txId')}</th><th scope="col">${_('pay.amount')}</th><th scope="col">${_('staff.pay.txReceived')}</th><th scope="col">${_('staff.pay.txPayer')}</th><th scope="col">${_('staff.pay.txState')}</th></tr></thead>
<tbody>${v.transfers.map(
        (
          x,
        ) => html`<tr><td data-label="${_('staff.pay.txId')}">${x.transactionId}${x.reference && x.reference !== current?.reference ? html`<br><span class="meta">${x.reference}</span>` : null}</td>
<td data-label="${_('pay.amount')}">${formatMoney(x.amount)}</td>
<td data-label="${_('staff.pay.txReceived')}">${formatVnDateTime(new Date(x.receivedAt))}</td>
<td data-label="${_('staff.pay.txPayer')}">${x.payerName ? vi(p, x.payerName) : '—'}</td>
<td data-label="${_('staff.pay.txState')}">${transferState(p, x, 'staff')}${x.resolutionNote ? html`<br><span class="meta">${messageHtml(p, 'staff.pay.txNote', { note: vi(p, x.resolutionNote) })}</span>` : null}${x.refund?.status === 'failed' && x.refund.failureCode ? html`<br><span class="meta">${_('staff.pay.txBankError', { code: x.refund.failureCode })}</span>` : null}</td></tr>`,
      )}</tbody></table>${
        v.transfers.some((x) => x.status === 'held') && p.roles?.some((r) => PAYMENT_REVIEW_ROLES.includes(r))
          ? html`<p><a href="/can-bo/thanh-toan">${_('staff.pay.reviewLink')}</a></p>`
          : null
      }`
    : null
}`;
}

/** A notification delivery as the notifications module lists it (masked recipient). */
export interface DeliveryRow {
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  status: 'queued' | 'retrying' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

/** The email and SMS messages sent about the dossier, for the desk answering "did you tell me?". */
export function deliveriesSection(p: PageCtx, rows: DeliveryRow[]): SafeHtml {
  const _ = tr(p);
  return html`<h2>${_('staff.dv.deliveries')}</h2>
${
  rows.length
    ? html`<table class="worklist"><thead><tr><th scope="col">${_('staff.dl.channel')}</th><th scope="col">${_('staff.dl.recipient')}</th><th scope="col">${_('staff.dl.subject')}</th><th scope="col">${_('staff.dl.status')}</th><th scope="col">${_('staff.dl.attempts')}</th></tr></thead>
<tbody>${rows.map(
        (
          r,
        ) => html`<tr><td data-label="${_('staff.dl.channel')}">${_(`staff.dl.${r.channel}`)}</td><td data-label="${_('staff.dl.recipient')}">${r.recipient}</td><td data-label="${_('staff.dl.subject')}">${r.subject ? vi(p, r.subject) : '—'}</td>
<td data-label="${_('staff.dl.status')}">${_(`staff.dl.${r.status}`)}<br><span class="meta">${formatVnDateTime(new Date(r.sentAt ?? r.createdAt))}</span></td><td data-label="${_('staff.dl.attempts')}">${formatNumber(p.locale, r.attempts)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${_('staff.dl.none')}</p>`
}`;
}

/** What the officer typed in a result form that failed, to show it again. */
export interface ResultValues {
  mode: 'upload' | 'generate';
  title: string;
  content: string;
}

export interface ResultsView {
  /** The documents service allows this officer to seal a result now (`dossierResults`). */
  canSeal: boolean;
  items: SealedResultItem[];
  values?: ResultValues | undefined;
  /** The upload limit in words. */
  maxSize: string;
  /** The upload limit in bytes, for the script's check before sending (portal-js.ts). */
  maxBytes?: number | undefined;
  /** The procedure's result, the title an uploaded file gets when none is typed. */
  resultName: string;
  /** The confirmation of the result just sealed, shown in this section (where the redirect lands). */
  done?: string | SafeHtml | undefined;
}

/** The input ids of the result forms (the error summary links to them). */
export const RESULT_FIELDS = { file: 'kq-file', fileTitle: 'kq-file-title', title: 'kq-title', content: 'kq-content' } as const;

/**
 * "Kết quả giải quyết": the dossier's sealed results and, while the documents service allows this
 * officer to seal one, two forms: upload the result file, or write it and have it generated. Each
 * form carries the dossier version, so a second click of one form seals nothing. The confirmation
 * of a seal is shown under the heading, where the page lands (`#ket-qua`), also on a narrow
 * screen. The upload form is in a `data-uploads` box: with the script, a file over the limit is
 * stopped before sending and the page's buttons are disabled while it is sent (portal-js.ts).
 */
export function resultsSection(p: PageCtx, d: DossierView, v: ResultsView, errors: PageError[]): SafeHtml {
  const _ = tr(p);
  const mine = (mode: ResultValues['mode']) => (v.values?.mode === mode ? v.values : undefined);
  const field = (id: string, label: string, control: (desc: SafeHtml | null) => SafeHtml, hint?: string | SafeHtml) => {
    const errs = errorFor(errors, id);
    const ids = [hint ? `${id}-hint` : null, errs.length ? `${id}-error` : null].filter(Boolean).join(' ');
    return html`<div class="field${errs.length ? ' field-error' : ''}"><label for="${id}">${label}</label>
${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : null}
${errs.map((e) => html`<p class="error-message" id="${id}-error">${errorText(p, e)}</p>`)}
${control(ids ? html` aria-describedby="${ids}"${errs.length ? html` aria-invalid="true"` : null}` : null)}</div>`;
  };
  const hidden = html`${csrfField(p)}<input type="hidden" name="version" value="${d.version}">`;
  const action = `${staffHref(d)}/ket-qua`;
  return html`<h2 id="ket-qua">${_('doc.res.title')}</h2>
${v.done ? html`<div class="notice" id="kq-done" role="status" tabindex="-1"><p>${v.done}</p></div>` : null}
${v.items.length ? sealedResultsList(p, d.id, v.items) : html`<p>${_('doc.res.none')}</p>`}
${
  v.canSeal
    ? html`<p class="hint">${_('doc.res.once')}</p>
<section class="action" aria-labelledby="h-kq-upload" data-uploads${v.maxBytes ? html` data-max-bytes="${v.maxBytes}"` : null} data-land="kq-done" data-msg-size="${_('app.err.fileSize', { size: v.maxSize })}" data-msg-progress="${_('enh.up.progress')}" data-msg-label="${_('enh.up.progressLabel')}" data-msg-failed="${_('enh.up.failed')}" data-msg-busy="${_('doc.res.busy')}">
<h3 id="h-kq-upload">${_('doc.res.uploadTitle')}</h3>
<form method="post" action="${action}" enctype="multipart/form-data" novalidate>
${hidden}
${field(RESULT_FIELDS.fileTitle, _('doc.res.fileTitle'), (a) => html`<input type="text" id="${RESULT_FIELDS.fileTitle}" name="title" value="${mine('upload')?.title ?? ''}" maxlength="300"${viAttr(p)}${a}>`, messageHtml(p, 'doc.res.fileTitleHint', { name: vi(p, v.resultName) }))}
${field(RESULT_FIELDS.file, _('doc.res.file'), (a) => html`<input type="file" id="${RESULT_FIELDS.file}" name="file" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"${a}>`, _('doc.res.fileHint', { size: v.maxSize }))}
<button type="submit">${_('doc.res.upload')}</button>
</form>
</section>
<section class="action" aria-labelledby="h-kq-generate">
<h3 id="h-kq-generate">${_('doc.res.composeTitle')}</h3>
<p>${_('doc.res.composeLead')}</p>
<form method="post" action="${action}" novalidate>
${hidden}
${field(RESULT_FIELDS.title, _('doc.res.genTitle'), (a) => html`<input type="text" id="${RESULT_FIELDS.title}" name="title" value="${mine('generate')?.title ?? ''}" maxlength="300"${viAttr(p)}${a}>`)}
${field(RESULT_FIELDS.content, _('doc.res.content'), (a) => html`<textarea id="${RESULT_FIELDS.content}" name="content" rows="10" maxlength="20000"${viAttr(p)}${a}>${mine('generate')?.content ?? ''}</textarea>`, _('doc.res.contentHint'))}
<button type="submit">${_('doc.res.generate')}</button>
</form>
</section>`
    : null
}`;
}

/** Links to the official forms the dossier has (01 receipt, 02 supplement request...), printed by the documents module. */
export function documentsSection(p: PageCtx, dossierId: string, forms: { form: string; title: string }[]): SafeHtml {
  const _ = tr(p);
  return html`<h2>${_('staff.dv.documents')}</h2>
${forms.length ? html`<ul>${forms.map((f) => html`<li><a href="/ho-so/${dossierId}/giay-to/${f.form}">${vi(p, `${f.form}. ${f.title}`)}</a></li>`)}</ul>` : html`<p>${_('staff.doc.none')}</p>`}`;
}

// ------------------------------------------------------------------------------------ counter intake

/** A reception desk: the agencies its reception grants cover, and its own centre (the first grant's). */
export interface Desk {
  scope: readonly string[];
  ownCode: string | null;
}

/** The desk of an account, or null when it has no reception grant. */
export function deskOf(actor: Actor | null | undefined): Desk | null {
  const grants = actor?.roles.filter((r) => r.role === 'reception') ?? [];
  if (!actor || !grants.length) return null;
  return { scope: scopeOf(actor, ['reception']), ownCode: grants[0]!.agencyCode };
}

export type CounterIntake =
  { agency: { id: string; code: string; name: string } } | { refusal: 'DOSSIER_CHANNEL_NOT_ALLOWED' | 'DOSSIER_AGENCY_NOT_RECEIVING' };

/**
 * Whether this desk takes the procedure at its counter, and as which receiving centre: the rule
 * createDossier applies to a desk's in-person dossier (the procedure takes in-person dossiers,
 * `filingRefusal`; the receiving centre is one of the procedure's and within the desk's reception
 * grants, its own centre first). The one rule behind the procedure page's "Tiếp nhận tại quầy"
 * link, the intake page's choices and the intake itself (which passes the centre found here).
 */
export function counterIntake(
  desk: Desk,
  proc: Pick<ProcedureRecord, 'receivingAgencies'> & { definition: Pick<ProcedureRecord['definition'], 'channels' | 'applicantTypes'> },
): CounterIntake {
  if (filingRefusal(proc.definition, 'in_person')) return { refusal: 'DOSSIER_CHANNEL_NOT_ALLOWED' };
  const here = proc.receivingAgencies.filter((a) => desk.scope.includes(a.id));
  const agency = here.find((a) => a.code === desk.ownCode) ?? here[0];
  return agency ? { agency } : { refusal: 'DOSSIER_AGENCY_NOT_RECEIVING' };
}

/**
 * Why a desk does not take a procedure at its counter, in words: the centres that receive it when
 * that is the reason, their (Vietnamese) names marked as such on an English page.
 */
export function intakeRefusalWords(
  p: PageCtx,
  proc: Pick<ProcedureRecord, 'receivingAgencies'>,
  refusal: Exclude<CounterIntake, { agency: unknown }>['refusal'],
): SafeHtml {
  if (refusal === 'DOSSIER_CHANNEL_NOT_ALLOWED') return html`${tr(p)('staff.in.whyChannel')}`;
  const names = proc.receivingAgencies.map((a, i) => html`${i ? ', ' : null}${vi(p, a.name)}`);
  return messageHtml(p, 'staff.in.whyDesk', { agencies: names.length ? names : '—' });
}

export interface IntakeStartView {
  procedures: { code: string; name: string }[];
  procedure: string;
  kind: ApplicantKind;
  /** Step 2 (applicant details) once a procedure is chosen. */
  applicant: ApplicantInput | null;
  nonce: string;
  errors: PageError[];
  /** The walk-in applicant agreed to SMS notifications (the box stays ticked when the page comes back with errors). */
  smsConsent?: boolean;
  /**
   * A search for a procedure (`tim`): `procedures` are then the matches this desk takes, and
   * `others` the matches it does not, each with the reason (`counterIntake`).
   */
  search?: { q: string; others: { code: string; name: string; why: SafeHtml }[] } | undefined;
}

export function intakeStartPage(p: PageCtx, v: IntakeStartView): string {
  const _ = tr(p);
  const procErr = errorFor(v.errors, 'in-procedure');
  const chosen = v.procedures.find((x) => x.code === v.procedure);
  if (!v.procedures.length && !v.search) return layout(p, _('staff.in.title'), html`<h1>${_('staff.in.title')}</h1><p>${_('staff.in.noProcedures')}</p>`);
  const s = v.search;
  const find = html`<form method="get" action="/can-bo/tiep-nhan" role="search" novalidate>
<div class="field"><label for="in-search">${_('staff.in.search')}</label>
<p class="hint" id="in-search-hint">${_('staff.in.searchHint')}</p>
<input type="search" id="in-search" name="tim" value="${s?.q ?? ''}" maxlength="200"${viAttr(p)} aria-describedby="in-search-hint"></div>
<button type="submit" class="secondary">${_('staff.in.searchSubmit')}</button>
</form>
${
  s
    ? html`<p role="status">${messageHtml(p, v.procedures.length ? (v.procedures.length === 1 ? 'staff.in.foundOne' : 'staff.in.found') : 'staff.in.foundNone', { n: formatNumber(p.locale, v.procedures.length), q: vi(p, s.q) })}</p>
${
  s.others.length
    ? html`<div class="notice" id="khong-tiep-nhan"><p><strong>${_('staff.in.notOffered')}</strong></p><ul>${s.others.map((o) => html`<li>${vi(p, o.name)} (${o.code}): ${o.why}</li>`)}</ul></div>`
    : null
}
<p><a href="/can-bo/tiep-nhan">${_('staff.in.searchClear')}</a></p>`
    : null
}`;
  const step1 = !v.procedures.length
    ? find
    : html`${find}<form method="get" action="/can-bo/tiep-nhan" novalidate>
<div class="field${procErr.length ? ' field-error' : ''}"><label for="in-procedure">${_('staff.in.procedure')}</label>
${procErr.map((e) => html`<p class="error-message" id="in-procedure-error">${errorText(p, e)}</p>`)}
<select id="in-procedure" name="thu-tuc"${procErr.length ? html` aria-describedby="in-procedure-error" aria-invalid="true"` : null}><option value="">${_('app.choose')}</option>${v.procedures.map(
        (x) => html`<option value="${x.code}"${x.code === v.procedure ? html` selected` : null}${viAttr(p)}>${x.name} (${x.code})</option>`,
      )}</select></div>
<div class="field"><fieldset><legend>${_('staff.in.kind')}</legend>
${(['citizen', 'organisation'] as const).map(
  (k) =>
    html`<div class="choice"><input type="radio" id="in-kind-${k}" name="doi-tuong" value="${k}"${v.kind === k ? html` checked` : null}> <label for="in-kind-${k}">${_(`applicant.one.${k}`)}</label></div>`,
)}
</fieldset></div>
<button type="submit" class="secondary">${_('app.continue')}</button>
</form>`;
  return layout(
    p,
    _('staff.in.title'),
    html`${errorSummary(p, v.errors)}
<h1>${_('staff.in.title')}</h1>
<p class="lead">${_('staff.in.lead')}</p>
${
  chosen && v.applicant
    ? html`<dl class="summary"><div><dt>${_('staff.in.procedure')}</dt><dd>${vi(p, chosen.name)} (${chosen.code})</dd></div><div><dt>${_('staff.in.kind')}</dt><dd>${_(`applicant.one.${v.kind}`)}</dd></div></dl>
<p><a href="/can-bo/tiep-nhan">${_('app.change')}</a></p>
<form method="post" action="/can-bo/tiep-nhan" novalidate>
${csrfField(p)}
<input type="hidden" name="thu-tuc" value="${chosen.code}">
<input type="hidden" name="doi-tuong" value="${v.kind}">
<input type="hidden" name="nonce" value="${v.nonce}">
${applicantFields(p, v.kind, v.applicant, v.errors)}
<div class="field"><div class="check"><input type="checkbox" id="in-sms" name="sms" value="on"${v.smsConsent ? html` checked` : null} aria-describedby="in-sms-hint"> <label for="in-sms">${_('staff.in.sms')}</label></div>
<p class="hint" id="in-sms-hint">${_('staff.in.smsHint')}</p></div>
<button type="submit">${_('staff.in.start')}</button>
</form>`
    : step1
}`,
  );
}

export function intakeDonePage(p: PageCtx, d: DossierView): string {
  const _ = tr(p);
  const code = d.code ?? '';
  return layout(
    p,
    _('staff.in.doneTitle'),
    html`<div class="panel" role="status"><h1>${_('staff.in.doneTitle')}</h1><p>${_('staff.in.code')}<strong class="code">${code}</strong></p></div>
<dl class="summary">
<div><dt>${_('app.procedure')}</dt><dd>${vi(p, d.procedureName)}</dd></div>
<div><dt>${_('app.status')}</dt><dd>${statusWords(p, d.status)}</dd></div>
<div><dt>${_('app.dueAt')}</dt><dd>${when(p, d.dueAt)}</dd></div>
</dl>
<ul>
<li><a href="/ho-so/${d.id}/giay-to/01">${_('staff.dv.printReceipt')}</a></li>
<li><a href="${staffHref(d)}">${_('staff.in.open')}</a></li>
<li><a href="/can-bo/tiep-nhan">${_('staff.in.next')}</a></li>
</ul>`,
  );
}
