import type { ProcedureRecord } from '../modules/procedures/procedures.repo.ts';
import type { ProcedureSummary } from '../modules/procedures/procedures.schemas.ts';
import { filingRefusal, selfFilingRefusal } from '../modules/dossiers/dossiers.service.ts';
import type { Actor } from '../platform/context.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import { catalogues, formatDuration, formatMoney, formatNumber, type MessageKey } from './i18n.ts';
import { csrfField, layout, scrollTable, tr, type PageCtx } from './layout.ts';
import { messageHtml, vi, viAttr } from './application-pages.ts';
import { counterIntake, intakeRefusalWords, type Desk } from './staff-pages.ts';
import { isSignInAfterEndedSession } from './web-session.ts';

/** Server-rendered pages of the public portal. Each returns a whole HTML document. */

export interface Field {
  code: string;
  name: string;
}

/** Catalogue data is published in Vietnamese: mark it so on English pages (screen readers). */

const levelTag = (p: PageCtx, level: 'full' | 'partial') => html`<span class="tag${level === 'partial' ? ' partial' : ''}">${tr(p)(`level.${level}`)}</span>`;

function procedureList(p: PageCtx, items: ProcedureSummary[]): SafeHtml {
  const _ = tr(p);
  return html`<ul class="results">${items.map(
    (i) => html`<li><a href="/thu-tuc/${encodeURIComponent(i.code)}">${vi(p, i.name)}</a>
<p class="meta">${_('proc.code')}: ${i.code} · ${vi(p, i.fieldName)} · ${vi(p, i.competentAgency.name)} · ${formatDuration(p.locale, i.duration)} · ${levelTag(p, i.onlineLevel)}</p></li>`,
  )}</ul>`;
}

function searchBox(p: PageCtx, q: string): SafeHtml {
  const _ = tr(p);
  // With the script on, results appear under the box as the user types (instant search).
  return html`<form method="get" action="/thu-tuc" role="search" data-instant="home">
<div class="field"><label for="q">${_('home.searchLabel')}</label>
<p class="hint" id="q-hint">${_('home.searchHint')}</p>
<div class="inline"><input type="search" id="q" name="q" value="${q}" maxlength="200" aria-describedby="q-hint"><button type="submit">${_('home.searchButton')}</button></div></div>
</form>`;
}

function lookupBox(p: PageCtx, code: string, error?: string): SafeHtml {
  const _ = tr(p);
  return html`<form method="get" action="/tra-cuu">
<div class="field${error ? ' field-error' : ''}"><label for="ma">${_('lookup.codeLabel')}</label>
<p class="hint" id="ma-hint">${_('home.lookupHint')}</p>
${error ? html`<p class="error-message" id="ma-error">${error}</p>` : null}
<div class="inline"><input type="text" id="ma" name="ma" value="${code}" maxlength="80" autocomplete="off" spellcheck="false" aria-describedby="ma-hint${error ? ' ma-error' : ''}"><button type="submit">${_('lookup.button')}</button></div></div>
</form>`;
}

export function homePage(p: PageCtx, popular: ProcedureSummary[], fields: Field[]): string {
  const _ = tr(p);
  return layout(
    p,
    _('home.title'),
    html`<h1>${_('home.title')}</h1>
<p class="lead">${_('home.lead')}</p>
${searchBox(p, '')}
<div id="ket-qua"></div>
<h2>${_('home.popular')}</h2>
${procedureList(p, popular)}
<h2>${_('home.fields')}</h2>
<div class="cols"><ul>${fields.map((f) => html`<li><a href="/thu-tuc?linh-vuc=${encodeURIComponent(f.code)}">${vi(p, f.name)}</a></li>`)}</ul></div>
<h2>${_('home.lookupTitle')}</h2>
${lookupBox(p, '')}`,
  );
}

export interface SearchView {
  q: string;
  field: string;
  level: '' | 'full' | 'partial';
  page: number;
  pageSize: number;
  total: number;
  items: ProcedureSummary[];
  fields: Field[];
}

function searchHref(v: Omit<SearchView, 'fields'>, page: number): string {
  const qs = new URLSearchParams();
  if (v.q) qs.set('q', v.q);
  if (v.field) qs.set('linh-vuc', v.field);
  if (v.level) qs.set('muc-do', v.level);
  if (page > 1) qs.set('trang', String(page));
  const s = qs.toString();
  return s ? `/thu-tuc?${s}` : '/thu-tuc';
}

const searchTitle = (p: PageCtx, q: string) => (q ? tr(p)('search.resultsFor', { q }) : tr(p)('search.title'));

/**
 * The results part of the search page: the count, the list, the pager. The instant search
 * (`GET /tim-kiem`) sends this alone; `live: false` leaves the count's `role="status"` out,
 * because the script announces it through a live region that already exists.
 */
export function searchResults(p: PageCtx, v: Omit<SearchView, 'fields'>, opts: { live?: boolean } = {}): SafeHtml {
  const _ = tr(p);
  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  const status = opts.live === false ? null : html` role="status"`;
  return html`<div class="search-results" data-title="${searchTitle(p, v.q)}">${
    v.total === 0
      ? html`<div class="notice"${status}><p><strong>${_('search.none')}</strong></p><p>${_('search.noneHelp')}</p></div>`
      : html`<p${status}>${_('search.count', { n: formatNumber(p.locale, v.total) })}</p>
${procedureList(p, v.items)}
${
  pages > 1
    ? html`<nav class="pager" aria-label="${_('search.pagination')}">
${v.page > 1 ? html`<a rel="prev" href="${searchHref(v, v.page - 1)}">${_('search.prev')}</a>` : html`<span></span>`}
<span>${_('search.page', { page: v.page, pages })}</span>
${v.page < pages ? html`<a rel="next" href="${searchHref(v, v.page + 1)}">${_('search.next')}</a>` : html`<span></span>`}
</nav>`
    : null
}`
  }</div>`;
}

export function searchPage(p: PageCtx, v: SearchView): string {
  const _ = tr(p);
  const title = searchTitle(p, v.q);
  const filtered = v.q || v.field || v.level;
  return layout(
    p,
    title,
    html`<h1>${title}</h1>
<form method="get" action="/thu-tuc" data-instant="search">
<div class="field"><label for="q">${_('home.searchLabel')}</label>
<div class="inline"><input type="search" id="q" name="q" value="${v.q}" maxlength="200"><button type="submit">${_('home.searchButton')}</button></div></div>
<details${v.field || v.level ? html` open` : null}><summary>${_('search.filters')}</summary>
<div class="field"><label for="linh-vuc">${_('search.field')}</label>
<select id="linh-vuc" name="linh-vuc"><option value="">${_('search.any')}</option>${v.fields.map(
      (f) => html`<option value="${f.code}"${f.code === v.field ? html` selected` : null}${viAttr(p)}>${f.name}</option>`,
    )}</select></div>
<div class="field"><label for="muc-do">${_('search.level')}</label>
<select id="muc-do" name="muc-do"><option value="">${_('search.any')}</option>${(['full', 'partial'] as const).map(
      (l) => html`<option value="${l}"${l === v.level ? html` selected` : null}>${_(`level.${l}`)}</option>`,
    )}</select></div>
<button type="submit" class="secondary">${_('search.apply')}</button>
${filtered ? html` <a href="/thu-tuc">${_('search.clear')}</a>` : null}
</details>
</form>
<div id="ket-qua">${searchResults(p, v)}</div>`,
  );
}

/** `data`: the value is wholly the catalogue's (Vietnamese) words, marked on an English page (viAttr). */
const row = (label: string, value: SafeHtml | string, data: SafeHtml | null = null) => html`<div><dt>${label}</dt><dd${data}>${value}</dd></div>`;

const vnDate = (d: Date) => formatVnDateTime(d).slice(6);

/**
 * `viewer` is the kind of the signed-in account (null for a visitor): it decides whether the page
 * offers to apply online; `desk`, the account's reception desk, whether it offers counter intake.
 */
export function procedurePage(p: PageCtx, proc: ProcedureRecord, viewer: Actor['kind'] | null = null, desk: Desk | null = null): string {
  return layout(p, proc.name, procedureDetails(p, proc, { start: true, viewer, desk }));
}

/**
 * Instead of the start button, why this viewer cannot apply online here (the dossier service's own
 * rule): the procedure takes paper dossiers only (and where), it is for the other kind of
 * applicant, or the account is an officer's (the desk gets its counter intake instead).
 */
function cannotApply(p: PageCtx, proc: ProcedureRecord, viewer: Actor['kind'] | null, desk: Desk | null): SafeHtml | null {
  const _ = tr(p);
  const d = proc.definition;
  // A visitor is sent to sign in: only the procedure's own channels can stop them here.
  const refusal = viewer === null ? filingRefusal(d, 'online') : selfFilingRefusal(viewer, d);
  if (refusal === null) return null;
  if (refusal === 'DOSSIER_CHANNEL_NOT_ALLOWED') {
    const key = !d.channels.includes('in_person') ? 'proc.notOnlinePostOnly' : d.channels.includes('post') ? 'proc.notOnlinePost' : 'proc.notOnline';
    return html`<div class="notice" id="khong-nop-truc-tuyen"><p><strong>${_(key)}</strong></p>
<p>${_('proc.receiving')}:</p><ul>${proc.receivingAgencies.map((a) => html`<li>${vi(p, a.name)}</li>`)}</ul></div>`;
  }
  if (refusal === 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED') {
    return html`<div class="notice" id="khong-nop-truc-tuyen"><p><strong>${_(viewer === 'organisation' ? 'proc.onlyCitizens' : 'proc.onlyOrganisations')}</strong></p></div>`;
  }
  // The intake's own rule: offered only where this desk takes the procedure at its counter.
  const intake = desk ? counterIntake(desk, proc) : null;
  return html`<div class="notice" id="khong-nop-truc-tuyen"><p>${_('proc.staffNoOnline')}</p>${
    intake && 'agency' in intake
      ? html`<p><a href="/can-bo/tiep-nhan?thu-tuc=${encodeURIComponent(proc.code)}">${_('proc.counterIntake')}</a></p>`
      : intake
        ? html`<p>${messageHtml(p, 'staff.in.notHere', { why: intakeRefusalWords(p, proc, intake.refusal) })}</p>`
        : null
  }</div>`;
}

/** What the public procedure page shows; the administrators' preview shows it too (without the start buttons). */
export function procedureDetails(p: PageCtx, proc: ProcedureRecord, opts: { start: boolean; viewer?: Actor['kind'] | null; desk?: Desk | null }): SafeHtml {
  const _ = tr(p);
  const d = proc.definition;
  const startHref = `/ho-so/moi?thu-tuc=${encodeURIComponent(proc.code)}`;
  const refusal = opts.start ? cannotApply(p, proc, opts.viewer ?? null, opts.desk ?? null) : null;
  const start = opts.start && !refusal ? html`<p><a class="button start" href="${startHref}" draggable="false">${_('proc.start')}</a></p>` : null;
  return html`<p class="meta">${vi(p, proc.fieldName)}</p>
<h1>${vi(p, proc.name)}</h1>
<dl class="summary">
${row(_('proc.code'), proc.code)}
${row(_('proc.level'), levelTag(p, proc.onlineLevel))}
${row(_('proc.duration'), formatDuration(p.locale, d.duration))}
${row(_('proc.fees'), d.fees.length === 0 ? _('proc.noFees') : html`${d.fees.map((f, i) => html`${i > 0 ? html`<br>` : null}${formatMoney(f.amount)} — ${vi(p, f.name)}`)}`)}
${row(_('proc.tier'), _(`tier.${proc.tier}`))}
${row(_('proc.agency'), proc.competentAgency.name, viAttr(p))}
${row(_('proc.receiving'), html`${proc.receivingAgencies.map((a, i) => html`${i > 0 ? html`<br>` : null}${a.name}`)}`, viAttr(p))}
</dl>
${start ?? refusal}
${p.userName || !start ? null : html`<p class="hint">${_('proc.startHint')}</p>`}

<h2>${_('proc.who')}</h2>
<dl class="summary">
${row(_('proc.applicantTypes'), d.applicantTypes.map((a) => _(`applicant.${a}`)).join(', '))}
${row(_('proc.eligibility'), d.eligibility, viAttr(p))}
</dl>

<h2>${_('proc.components')}</h2>
${
  d.components.length === 0
    ? html`<p>${_('proc.noComponents')}</p>`
    : scrollTable(
        _('proc.components'),
        html`<table>
<thead><tr><th scope="col">${_('proc.componentName')}</th><th scope="col">${_('proc.componentForm')}</th><th scope="col" class="num">${_('proc.componentCopies')}</th></tr></thead>
<tbody>${d.components.map(
          (
            c,
          ) => html`<tr><td>${vi(p, c.name)}${c.required ? null : html` <em>(${_('proc.optional')})</em>`}${c.note ? html`<br><span class="meta"${viAttr(p)}>${c.note}</span>` : null}</td>
<td>${_(`form.${c.form}`)}</td><td class="num">${_('proc.copies', { n: c.copies })}</td></tr>`,
        )}</tbody></table>`,
      )
}

<h2>${_('proc.fees')}</h2>
${
  d.fees.length === 0
    ? html`<p>${_('proc.noFees')}</p>`
    : scrollTable(
        _('proc.fees'),
        html`<table><tbody>${d.fees.map(
          (f) =>
            html`<tr><td>${vi(p, f.name)}${f.perFormField ? html` <span class="meta">(${_('proc.feePerUnit')})</span>` : null}</td><td class="num">${formatMoney(f.amount)}</td></tr>`,
        )}</tbody></table>`,
      )
}

<h2>${_('proc.steps')}</h2>
${d.steps
  .split('\n')
  .filter((s) => s.trim())
  .map((s) => html`<p${viAttr(p)}>${s}</p>`)}

<h2>${_('proc.channels')}</h2>
<ul>${d.channels.map((c) => html`<li>${_(`channel.${c}`)}</li>`)}</ul>

<h2>${_('proc.result')}</h2>
<dl class="summary">
${row(_('proc.result'), d.resultDescription, viAttr(p))}
${row(_('proc.resultKind'), _(`result.${d.resultKind}`))}
${row(_('proc.resultDelivery'), d.resultDelivery, viAttr(p))}
</dl>

<h2>${_('proc.legalBasis')}</h2>
<ul>${d.legalBasis.map((l) => html`<li${viAttr(p)}>${l}</li>`)}</ul>
${proc.publishedAt ? html`<p class="meta">${_('proc.version', { v: proc.version, date: vnDate(proc.publishedAt) })}</p>` : null}
${start}`;
}

export interface LookupResult {
  code: string;
  procedureName: string;
  status: string;
  receivedAt: string | null;
  dueAt: string | null;
  agencyName: string;
}

/** `error` is the message of an invalid or unknown code. */
export function lookupPage(p: PageCtx, code: string, result: LookupResult | null, error?: string): string {
  const _ = tr(p);
  const when = (iso: string | null) => (iso ? formatVnDateTime(new Date(iso)) : _('lookup.none'));
  const statusKey = `status.${result?.status ?? ''}` as MessageKey;
  return layout(
    p,
    result ? _('lookup.resultTitle', { code: result.code }) : _('lookup.title'),
    html`${
      error
        ? html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1" autofocus><h2 id="err-title">${_('error.summaryTitle')}</h2>
<ul><li><a href="#ma">${error}</a></li></ul></div>`
        : null
    }
${
  result
    ? html`<h1>${_('lookup.resultTitle', { code: result.code })}</h1>
<dl class="summary">
${row(_('lookup.procedure'), result.procedureName, viAttr(p))}
${row(_('lookup.status'), html`<strong>${statusKey in catalogues.vi ? _(statusKey) : result.status}</strong>`)}
${row(_('lookup.receivedAt'), when(result.receivedAt))}
${row(_('lookup.dueAt'), when(result.dueAt))}
${row(_('lookup.agency'), result.agencyName, viAttr(p))}
</dl>
<p class="hint">${_('lookup.privacy')}</p>
<h2>${_('lookup.title')}</h2>`
    : html`<h1>${_('lookup.title')}</h1>`
}
${lookupBox(p, result ? '' : code, error)}`,
  );
}

export interface LoginError {
  field: 'username' | 'password';
  message: string;
}

export function loginPage(p: PageCtx, v: { username: string; next: string; errors: LoginError[] }): string {
  const _ = tr(p);
  const errorOf = (f: LoginError['field']) => v.errors.find((e) => e.field === f);
  const input = (f: LoginError['field'], type: string, autocomplete: string, value: string) => {
    const e = errorOf(f);
    return html`<div class="field${e ? ' field-error' : ''}"><label for="${f}">${_(`login.${f}`)}</label>
${e ? html`<p class="error-message" id="${f}-error">${e.message}</p>` : null}
<input type="${type}" id="${f}" name="${f}" value="${value}" autocomplete="${autocomplete}" spellcheck="false" autocapitalize="none"${e ? html` aria-invalid="true" aria-describedby="${f}-error"` : null}></div>`;
  };
  return layout(
    p,
    _('login.title'),
    html`${
      v.errors.length
        ? html`<div class="error-summary" role="alert" aria-labelledby="err-title" tabindex="-1" autofocus><h2 id="err-title">${_('error.summaryTitle')}</h2>
<ul>${v.errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul></div>`
        : null
    }
<h1>${_('login.title')}</h1>
${
  // Sent here because the browser's session has ended (web.routes.ts marks that redirect): say why.
  !v.errors.length && isSignInAfterEndedSession(p.path) ? html`<div class="notice" role="status"><p>${_('acct.sessionEnded')}</p></div>` : null
}
${p.userName ? html`<p class="notice">${_('login.already', { name: p.userName })}</p>` : null}
<form method="post" action="/dang-nhap" novalidate>
${csrfField(p)}
<input type="hidden" name="next" value="${v.next}">
${input('username', 'text', 'username', v.username)}
${input('password', 'password', 'current-password', '')}
<button type="submit">${_('login.button')}</button>
</form>
<h2>${_('acct.vneidOr')}</h2>
<p>${_('acct.vneidHint')}</p>
<p><a class="button" href="/auth/oidc/login?next=${encodeURIComponent(v.next)}">${_('acct.vneidButton')}</a></p>`,
  );
}

/** A readable error page (404, 403, 429, 500...). */
export function errorPage(p: PageCtx, title: string, message: string): string {
  const _ = tr(p);
  return layout(
    p,
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
<ul><li><a href="/">${_('error.backHome')}</a></li><li><a href="/thu-tuc">${_('error.searchProcedures')}</a></li></ul>`,
  );
}
