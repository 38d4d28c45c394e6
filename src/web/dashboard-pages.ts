/**
 * The leaders' dashboard (`/bang-dieu-khien`), the dossiers behind one sub-indicator
 * (`/bang-dieu-khien/chi-tieu/:key`) and the handling report on screen (`/bao-cao`).
 * Server-rendered, no script: GET forms for the filters, SVG charts with tables beside them.
 */
import type { DashboardData, DeadlineItem, HandlingReport } from '../modules/reports/index.ts';
import { COUNT_COLUMNS, formatDay } from '../modules/reports/index.ts';
import type { IndicatorDossiersResult, IndicatorResult, RankingResult } from '../modules/service-index/index.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { messageHtml, nameWithData, vi, viAttr } from './application-pages.ts';
import { barChart, changeMarker, columnChart, lineChart } from './charts.ts';
import { html, type SafeHtml } from './html.ts';
import { formatNumber, type Locale, type MessageKey } from './i18n.ts';
import { layout, tr, type PageCtx } from './layout.ts';

export interface UnitChoice {
  code: string;
  name: string;
  kind: 'province' | 'commune' | 'agency';
}

export interface FilterError {
  anchor: 'unit' | 'from' | 'to';
  message: string;
}

export interface FilterView {
  units: UnitChoice[];
  unit: string;
  from: string;
  to: string;
  errors: FilterError[];
}

const decimals: Record<Locale, Intl.NumberFormat> = {
  vi: new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};
/** Scores are shown with two decimals (DOMAIN section 7). */
export const fmt2 = (l: Locale) => (n: number) => decimals[l].format(n);
const pct = (l: Locale) => (n: number) => `${decimals[l].format(n)}%`;
const vnAt = (d: Date | string | null) => (d ? formatVnDateTime(typeof d === 'string' ? new Date(d) : d) : '');

/** `?unit=&from=&to=` (plus extras) for links that keep the filters. */
export function filterQuery(f: { unit: string; from: string; to: string }, extra: Record<string, string> = {}): string {
  const qs = new URLSearchParams({ unit: f.unit, from: f.from, to: f.to, ...extra });
  return qs.toString();
}

function errorSummary(p: PageCtx, errors: readonly FilterError[]): SafeHtml | null {
  if (!errors.length) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">${tr(p)('dash.errorTitle')}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.anchor}">${e.message}</a></li>`)}</ul></div>`;
}

/** The GET filter form: unit, from, to. Works without script; errors sit next to their inputs. */
export function filterForm(p: PageCtx, action: string, f: FilterView): SafeHtml {
  const _ = tr(p);
  const err = (a: FilterError['anchor']) => f.errors.find((e) => e.anchor === a);
  const field = (a: 'from' | 'to', label: string) => {
    const e = err(a);
    return html`<div class="field${e ? ' field-error' : ''}"><label for="${a}">${label}</label>
<p class="hint" id="${a}-hint">${_('dash.dateHint')}</p>
${e ? html`<p class="error-message" id="${a}-error"><span class="dash-vh">${_('dash.errorTitle')}: </span>${e.message}</p>` : null}
<input type="date" id="${a}" name="${a}" value="${f[a]}" aria-describedby="${a}-hint${e ? ` ${a}-error` : ''}"${e ? html` aria-invalid="true"` : null}></div>`;
  };
  const group = (kind: UnitChoice['kind'], label: string) => {
    const items = f.units.filter((u) => u.kind === kind);
    if (!items.length) return null;
    return html`<optgroup label="${label}">${items.map((u) => html`<option value="${u.code}"${u.code === f.unit ? html` selected` : null}${viAttr(p)}>${u.name}</option>`)}</optgroup>`;
  };
  const ue = err('unit');
  return html`<form method="get" action="${action}" class="dash-filters" aria-label="${_('dash.filters')}">
<div class="field${ue ? ' field-error' : ''}"><label for="unit">${_('dash.unit')}</label>
${ue ? html`<p class="error-message" id="unit-error">${ue.message}</p>` : null}
<select id="unit" name="unit"${ue ? html` aria-describedby="unit-error" aria-invalid="true"` : null}>${group('province', _('dash.unitProvince'))}${group('commune', _('dash.unitCommunes'))}${group('agency', _('dash.unitAgencies'))}</select></div>
${field('from', _('dash.from'))}
${field('to', _('dash.to'))}
<div class="field"><button type="submit">${_('dash.show')}</button></div>
</form>`;
}

/** Page shell for the dashboard and reports: heading, lead, errors, filter form, then the body. */
function shell(p: PageCtx, title: string, lead: string, action: string, f: FilterView, body: SafeHtml | null): string {
  return layout(p, title, html`${errorSummary(p, f.errors)}<h1>${title}</h1><p class="lead">${lead}</p>${filterForm(p, action, f)}${body}`);
}

/** The filters alone, with their errors (a 422 page). */
export function filterErrorPage(p: PageCtx, which: 'dashboard' | 'report', f: FilterView): string {
  const _ = tr(p);
  return which === 'dashboard'
    ? shell(p, _('dash.title'), _('dash.lead'), '/bang-dieu-khien', f, null)
    : shell(p, _('report.title'), _('report.lead'), '/bao-cao', f, null);
}

/** The language of data (names of groups and units) on a chart: marked on an English page, as `vi` does. */
const dataLang = (p: PageCtx) => (p.locale === 'vi' ? undefined : 'vi');

const scoreOrNa = (p: PageCtx, v: number | null) => (v === null ? tr(p)('dash.na') : fmt2(p.locale)(v));
const pctOrNa = (p: PageCtx, v: number | null) => (v === null ? tr(p)('dash.na') : pct(p.locale)(v));

/**
 * The share of the applicable points achieved, in percent with 2 decimals (as the index's own
 * `percent`); null when nothing applies (no denominator: "not applicable", DOMAIN section 7).
 */
export function achievedShare(score: number | null, applicableMax: number): number | null {
  return score === null || applicableMax <= 0 ? null : Math.round((score / applicableMax) * 10_000) / 100;
}

/**
 * The change between two periods in percentage points of the achieved share: points earned
 * against different maxima (the previous period may have had fewer applicable sub-indicators) are
 * not comparable, their shares are. Null when either side is not applicable.
 */
export function shareChange(now: number | null, before: number | null): number | null {
  return now === null || before === null ? null : Math.round((now - before) * 100) / 100;
}

/** A change in percentage points, in words ("▲ tăng 8,28 điểm phần trăm"), or why there is none. */
function changeText(p: PageCtx, now: number | null, before: number | null): SafeHtml {
  const _ = tr(p);
  const words = { up: _('dash.up'), down: _('dash.down'), same: _('dash.same'), none: now === null ? _('dash.noCompare') : _('dash.noPrevious') };
  return changeMarker(shareChange(now, before), words, (n) => _('dash.pp', { n: fmt2(p.locale)(n) }));
}

function groupsSection(p: PageCtx, d: DashboardData): SafeHtml {
  const _ = tr(p);
  const prev = new Map(d.previous.groups.map((g) => [g.key, g]));
  const chart = barChart(
    { id: 'chart-groups', title: _('dash.groups'), desc: _('dash.groupsDesc') },
    d.current.groups.map((g) => ({
      label: g.name,
      value: achievedShare(g.score, g.applicableMax),
      valueText: `${scoreOrNa(p, g.score)} / ${formatNumber(p.locale, g.applicableMax)}`,
      lang: dataLang(p),
    })),
    { max: 100, format: pct(p.locale), naLabel: _('dash.na') },
  );
  return html`<section aria-labelledby="groups-h"><h2 id="groups-h">${_('dash.groups')}</h2>
${chart}
<div class="dash-table-wrap" role="region" aria-label="${_('dash.groups')}" tabindex="0"><table class="report"><caption class="dash-vh">${_('dash.groups')}</caption>
<thead><tr><th scope="col">${_('dash.group')}</th><th scope="col" class="num">${_('dash.score')}</th><th scope="col" class="num">${_('dash.max')}</th><th scope="col" class="num">${_('dash.share')}</th><th scope="col" class="num">${_('dash.prevScore')}</th><th scope="col">${_('dash.change')}</th></tr></thead>
<tbody>${d.current.groups.map((g) => {
    const was = prev.get(g.key);
    const now = achievedShare(g.score, g.applicableMax);
    const before = was ? achievedShare(was.score, was.applicableMax) : null;
    const max = html`${formatNumber(p.locale, g.applicableMax)}${g.applicableMax === g.max ? null : html` <span class="meta">(${_('dash.groupMax', { max: formatNumber(p.locale, g.max) })})</span>`}`;
    return html`<tr><th scope="row">${vi(p, g.name)}</th><td class="num">${scoreOrNa(p, g.score)}</td><td class="num">${max}</td><td class="num">${pctOrNa(p, now)}</td><td class="num">${pctOrNa(p, before)}</td><td>${changeText(p, now, before)}</td></tr>`;
  })}</tbody></table></div></section>`;
}

function trendSection(p: PageCtx, d: DashboardData): SafeHtml {
  const _ = tr(p);
  const label = (m: string) => `${m.slice(5, 7)}/${m.slice(2, 4)}`;
  const cats = d.trend.map((m) => label(m.month));
  const target = d.current.groups.flatMap((g) => g.indicators).find((i) => i.key === 'progress.on_time')?.target;
  const volume = columnChart(
    { id: 'chart-volume', title: _('dash.trendVolume'), desc: _('dash.trendVolumeDesc') },
    cats,
    [
      { name: _('dash.received'), cls: 's1', values: d.trend.map((m) => m.received) },
      { name: _('dash.resolved'), cls: 's2', values: d.trend.map((m) => m.resolved) },
    ],
    { format: (n) => formatNumber(p.locale, n) },
  );
  const onTime = lineChart(
    { id: 'chart-ontime', title: _('dash.trendOnTime'), desc: _('dash.trendOnTimeDesc') },
    cats,
    [{ name: _('dash.onTimePercent'), cls: 's1', values: d.trend.map((m) => m.onTimePercent) }],
    {
      max: 100,
      format: pct(p.locale),
      ...(target ? { target: { value: target * 100, label: _('dash.target', { target: `${formatNumber(p.locale, target * 100)}%` }) } } : {}),
    },
  );
  return html`<section aria-labelledby="trend-h"><h2 id="trend-h">${_('dash.trend')}</h2>
<div class="dash-grid"><div><h3>${_('dash.trendVolume')}</h3>${volume}</div><div><h3>${_('dash.trendOnTime')}</h3>${onTime}</div></div>
<details><summary>${_('dash.showTable')}</summary>
<div class="dash-table-wrap" role="region" aria-label="${_('dash.trend')}" tabindex="0"><table class="report"><caption class="dash-vh">${_('dash.trend')}</caption>
<thead><tr><th scope="col">${_('dash.month')}</th><th scope="col" class="num">${_('dash.received')}</th><th scope="col" class="num">${_('dash.resolved')}</th><th scope="col" class="num">${_('dash.onTime')}</th><th scope="col" class="num">${_('dash.onTimePercent')}</th></tr></thead>
<tbody>${d.trend.map(
    (m) =>
      html`<tr><th scope="row">${m.month.slice(5, 7)}/${m.month.slice(0, 4)}</th><td class="num">${formatNumber(p.locale, m.received)}</td><td class="num">${formatNumber(p.locale, m.resolved)}</td><td class="num">${formatNumber(p.locale, m.resolvedOnTime)}</td><td class="num">${m.onTimePercent === null ? _('dash.na') : pct(p.locale)(m.onTimePercent)}</td></tr>`,
  )}</tbody></table></div></details></section>`;
}

function rankingBlock(p: PageCtx, id: string, title: string, r: RankingResult, current: string): SafeHtml {
  const _ = tr(p);
  if (!r.units.length) return html`<h3>${title}</h3><p>${_('dash.rankNone')}</p>`;
  // A unit where nothing applies has no share to rank by: listed after the ranked ones, with no rank.
  const units = [...r.units.filter((u) => u.percent !== null), ...r.units.filter((u) => u.percent === null)];
  const chart = barChart(
    { id, title, desc: _('dash.rankDesc') },
    units.slice(0, 15).map((u) => ({
      label: u.percent === null ? u.name : `${u.rank}. ${u.name}`,
      value: u.percent,
      emphasis: u.unit === current,
      lang: dataLang(p),
    })),
    { max: 100, format: pct(p.locale), naLabel: _('dash.na') },
  );
  return html`<h3>${title}</h3>${chart}
<details><summary>${_('dash.showTable')}</summary><div class="dash-table-wrap" role="region" aria-label="${title}" tabindex="0"><table class="report"><caption class="dash-vh">${title}</caption>
<thead><tr><th scope="col" class="num">${_('dash.rank')}</th><th scope="col">${_('dash.rankUnit')}</th><th scope="col" class="num">${_('dash.rankTotal')}</th><th scope="col" class="num">${_('dash.rankPercent')}</th></tr></thead>
<tbody>${units.map((u) =>
    u.percent === null
      ? html`<tr${u.unit === current ? html` aria-current="true"` : null}><td class="num">${_('dash.unranked')}</td><th scope="row">${vi(p, u.name)}</th><td class="num">${_('dash.na')}</td><td class="num">${_('dash.na')}</td></tr>`
      : html`<tr${u.unit === current ? html` aria-current="true"` : null}><td class="num">${u.rank}</td><th scope="row">${vi(p, u.name)}</th><td class="num">${fmt2(p.locale)(u.total)} / ${fmt2(p.locale)(u.max)}</td><td class="num">${pct(p.locale)(u.percent)}</td></tr>`,
  )}</tbody></table></div></details>`;
}

const ratioText = (p: PageCtx, i: Pick<IndicatorResult, 'ratio'>) => (i.ratio === null ? tr(p)('dash.na') : pct(p.locale)(i.ratio * 100));

function weakestSection(p: PageCtx, d: DashboardData, f: { unit: string; from: string; to: string }): SafeHtml {
  const _ = tr(p);
  return html`<section aria-labelledby="weak-h"><h2 id="weak-h">${_('dash.weakest')}</h2><p>${_('dash.weakestLead')}</p>
${
  d.current.percent === null
    ? html`<p>${_('dash.weakestNotApplicable')}</p>`
    : d.weakest.length === 0
      ? html`<p>${_('dash.weakestNone')}</p>`
      : html`<div class="dash-table-wrap" role="region" aria-label="${_('dash.weakest')}" tabindex="0"><table class="report"><caption class="dash-vh">${_('dash.weakest')}</caption>
<thead><tr><th scope="col">${_('dash.indicator')}</th><th scope="col" class="num">${_('dash.ratio')}</th><th scope="col" class="num">${_('dash.score')}</th><th scope="col" class="num">${_('dash.shortfall')}</th><th scope="col"><span class="dash-vh">${_('dash.seeDossiers')}</span></th></tr></thead>
<tbody>${d.weakest.map(
          (i) =>
            html`<tr><th scope="row">${vi(p, i.name)}<span class="meta"> · ${vi(p, i.group)}</span></th><td class="num">${ratioText(p, i)} / ${pct(p.locale)(i.target * 100)}</td><td class="num">${scoreOrNa(p, i.score)} / ${fmt2(p.locale)(i.max)}</td><td class="num">${fmt2(p.locale)(i.shortfall)}</td>
<td><a href="/bang-dieu-khien/chi-tieu/${encodeURIComponent(i.key)}?${filterQuery(f, { dat: 'khong' })}">${nameWithData(p, _('dash.seeDossiers'), 'dash.seeDossiersOf', { name: vi(p, i.name) })}</a></td></tr>`,
        )}</tbody></table></div>`
}</section>`;
}

const dossierLink = (code: string) => html`<a href="/can-bo/ho-so/${encodeURIComponent(code)}">${code}</a>`;

function deadlineTable(p: PageCtx, caption: string, items: readonly DeadlineItem[]): SafeHtml {
  const _ = tr(p);
  return html`<div class="dash-table-wrap" role="region" aria-label="${caption}" tabindex="0"><table class="report"><caption class="dash-vh">${caption}</caption>
<thead><tr><th scope="col">${_('dash.code')}</th><th scope="col">${_('dash.procedure')}</th><th scope="col">${_('dash.agency')}</th><th scope="col">${_('dash.assignee')}</th><th scope="col">${_('dash.dueAt')}</th></tr></thead>
<tbody>${items.map(
    (i) =>
      html`<tr><th scope="row">${dossierLink(i.code)}</th><td>${vi(p, i.procedureName)}</td><td>${vi(p, i.competentAgency)}</td><td>${i.assigneeName ? vi(p, i.assigneeName) : _('dash.unassigned')}</td><td>${vnAt(i.dueAt)}${i.pausedAt ? html`<br><span class="tag partial">${_('dash.paused')}</span>` : null}</td></tr>`,
  )}</tbody></table></div>`;
}

function deadlinesSection(p: PageCtx, d: DashboardData): SafeHtml {
  const _ = tr(p);
  const block = (id: string, title: string, count: string, list: { total: number; items: DeadlineItem[] }) =>
    html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2><p><strong>${count}</strong>${list.total > list.items.length ? html` ${_('dash.listShown', { shown: list.items.length })}` : null}</p>
${list.items.length ? deadlineTable(p, title, list.items) : html`<p>${_('dash.none')}</p>`}</section>`;
  return html`${block('overdue-h', _('dash.overdue'), _('dash.overdueCount', { n: formatNumber(p.locale, d.overdue.total) }), d.overdue)}
${block('soon-h', _('dash.dueSoon', { days: 3 }), _('dash.dueSoonCount', { n: formatNumber(p.locale, d.dueSoon.total), until: vnAt(d.dueSoon.until) }), d.dueSoon)}`;
}

export function dashboardPage(p: PageCtx, d: DashboardData, f: FilterView): string {
  const _ = tr(p);
  const c = d.current;
  const f2 = fmt2(p.locale);
  const prev = d.previous;
  // Nothing applicable (no denominator) is "not applicable", never "0,00 out of 0,00" (DOMAIN section 7).
  const total =
    c.percent === null
      ? html`<span class="big">${_('dash.na')}</span> ${_('dash.noneApplies')}`
      : html`<span class="big">${f2(c.total)}</span> ${_('dash.outOf', { max: f2(c.max) })}`;
  const before = prev.percent === null ? _('dash.na') : _('dash.previousResult', { total: f2(prev.total), max: f2(prev.max), percent: f2(prev.percent) });
  const summary = html`<p class="meta">${messageHtml(p, 'dash.periodLine', { unit: vi(p, d.unit.name), from: formatDay(d.period.from), to: formatDay(d.period.to) })}</p>
<div class="dash-score" role="group" aria-labelledby="total-h">
<p><span id="total-h">${_('dash.total')}</span><br>${total}</p>
<p>${c.percent === null ? null : html`${_('dash.percent', { percent: f2(c.percent) })}<br>`}${changeText(p, c.percent, prev.percent)}</p>
<p>${_('dash.previous', { from: formatDay(d.previousPeriod.from), to: formatDay(d.previousPeriod.to), result: before })}<br><span class="meta">${_('dash.version', { version: c.version })}</span></p>
</div>`;
  const body = html`${summary}
${groupsSection(p, d)}
${weakestSection(p, d, f)}
${deadlinesSection(p, d)}
${trendSection(p, d)}
<section aria-labelledby="rank-h"><h2 id="rank-h">${_('dash.ranking')}</h2>
${rankingBlock(p, 'chart-rank-agencies', _('dash.rankAgencies'), d.agencies, d.unit.code)}
${rankingBlock(p, 'chart-rank-communes', _('dash.rankCommunes'), d.communes, d.unit.code)}</section>`;
  return shell(p, _('dash.title'), _('dash.lead'), '/bang-dieu-khien', f, body);
}

export interface IndicatorView {
  filter: { unit: string; from: string; to: string; unitName: string };
  indicator: IndicatorResult | null;
  result: IndicatorDossiersResult;
  counted: boolean | null;
}

export function indicatorPage(p: PageCtx, v: IndicatorView): string {
  const _ = tr(p);
  const r = v.result;
  const i = v.indicator;
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  const href = (extra: Record<string, string>) => `/bang-dieu-khien/chi-tieu/${encodeURIComponent(r.key)}?${filterQuery(v.filter, extra)}`;
  const keep: Record<string, string> = v.counted === null ? {} : { dat: v.counted ? 'co' : 'khong' };
  const choice = (label: string, extra: Record<string, string>, on: boolean) =>
    html`<li><a href="${href(extra)}"${on ? html` aria-current="true"` : null}>${label}</a></li>`;
  const numbers = !i
    ? null
    : i.applicable
      ? _('dash.ind.numbers', {
          numerator: formatNumber(p.locale, i.numerator),
          denominator: formatNumber(p.locale, i.denominator),
          ratio: ratioText(p, i),
          target: pct(p.locale)(i.target * 100),
          score: scoreOrNa(p, i.score),
          max: fmt2(p.locale)(i.max),
        })
      : _('dash.ind.notApplicable');
  const rows = r.items.map(
    (x) =>
      html`<tr><th scope="row">${x.kind === 'dossier' ? dossierLink(x.code) : x.code}<br><span class="meta">${vi(p, x.procedureName)}</span></th>
<td>${x.receivedAt ? vnAt(x.receivedAt) : ''}</td><td>${x.endAt ? vnAt(x.endAt) : ''}</td><td>${x.dueAt ? vnAt(x.dueAt) : ''}</td>
<td><span class="tag ${x.counted ? 'good' : 'bad'}">${x.counted ? _('dash.ind.counted') : _('dash.ind.notCounted')}</span></td><td>${vi(p, x.reasonText)}</td></tr>`,
  );
  return layout(
    p,
    r.name,
    html`<p class="back"><a href="/bang-dieu-khien?${filterQuery(v.filter)}">${_('dash.ind.back')}</a></p>
<p class="meta">${_('dash.ind.title')}</p>
<h1>${vi(p, r.name)}</h1>
<p class="meta">${messageHtml(p, 'dash.periodLine', { unit: vi(p, v.filter.unitName), from: formatDay(v.filter.from), to: formatDay(v.filter.to) })}</p>
${numbers ? html`<p class="lead">${numbers}</p>` : null}
${
  r.basis === 'unavailable'
    ? html`<div class="notice"><p>${_('dash.ind.unavailable')}</p></div>`
    : html`<nav aria-label="${_('dash.ind.show')}"><ul class="filter-links">${choice(_('dash.ind.all'), {}, v.counted === null)}${choice(_('dash.ind.notCounted'), { dat: 'khong' }, v.counted === false)}${choice(_('dash.ind.counted'), { dat: 'co' }, v.counted === true)}</ul></nav>
<p role="status">${_('dash.ind.count', { n: formatNumber(p.locale, r.total) })}</p>
${
  r.items.length
    ? html`<div class="dash-table-wrap" role="region" aria-labelledby="ind-caption" tabindex="0"><table class="report"><caption class="dash-vh" id="ind-caption">${vi(p, r.name)}</caption>
<thead><tr><th scope="col">${_('dash.ind.item')}</th><th scope="col">${_('dash.ind.receivedAt')}</th><th scope="col">${_('dash.ind.endAt')}</th><th scope="col">${_('dash.dueAt')}</th><th scope="col">${_('dash.ind.result')}</th><th scope="col">${_('dash.ind.reason')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p>${_('dash.none')}</p>`
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="${_('dash.ind.pagination')}">
${r.page > 1 ? html`<a rel="prev" href="${href({ ...keep, trang: String(r.page - 1) })}">${_('dash.ind.prev')}</a>` : html`<span></span>`}
<span>${_('dash.ind.page', { page: r.page, pages })}</span>
${r.page < pages ? html`<a rel="next" href="${href({ ...keep, trang: String(r.page + 1) })}">${_('dash.ind.next')}</a>` : html`<span></span>`}
</nav>`
    : null
}`
}`,
  );
}

const GROUP_KEYS: Record<'received' | 'resolved' | 'pending', MessageKey> = {
  received: 'report.group.received',
  resolved: 'report.group.resolved',
  pending: 'report.group.pending',
};

/** The handling report as a table with grouped headers, and its download links. */
export function reportsPage(p: PageCtx, r: HandlingReport, f: FilterView): string {
  const _ = tr(p);
  const q = filterQuery({ unit: r.unit.code, from: r.from, to: r.to });
  const groups = (['received', 'resolved', 'pending'] as const).map((g) => ({ g, span: COUNT_COLUMNS.filter((c) => c.group === g).length }));
  const single = COUNT_COLUMNS.filter((c) => !c.group);
  const n = (v: number) => formatNumber(p.locale, v);
  const table = html`<div class="dash-table-wrap" role="region" aria-labelledby="report-caption" tabindex="0"><table class="report">
<caption id="report-caption">${messageHtml(p, 'report.caption', { unit: vi(p, r.unit.name), from: formatDay(r.from), to: formatDay(r.to) })}</caption>
<thead><tr><th scope="col" rowspan="2">${_('report.agency')}</th><th scope="col" rowspan="2">${_('report.field')}</th>${groups.map((x) => html`<th scope="colgroup" colspan="${x.span}">${_(GROUP_KEYS[x.g])}</th>`)}${single.map((c) => html`<th scope="col" rowspan="2" class="num">${_(`report.col.${c.key}`)}</th>`)}</tr>
<tr>${COUNT_COLUMNS.filter((c) => c.group).map((c) => html`<th scope="col" class="num">${_(`report.col.${c.key}`)}</th>`)}</tr></thead>
<tbody>${r.rows.map((row) => html`<tr><th scope="row">${vi(p, row.agencyName)}</th><td>${vi(p, row.fieldName)}</td>${COUNT_COLUMNS.map((c) => html`<td class="num">${n(row[c.key])}</td>`)}</tr>`)}</tbody>
<tfoot><tr><th scope="row" colspan="2">${_('report.total')}</th>${COUNT_COLUMNS.map((c) => html`<td class="num">${n(r.total[c.key])}</td>`)}</tr></tfoot>
</table></div>`;
  const body = html`<h2>${_('report.download')}</h2>
<ul class="downloads">
<li><a href="/bao-cao/tai-ve?${q}&amp;format=xlsx" download>${_('report.xlsx')}</a></li>
<li><a href="/bao-cao/tai-ve?${q}&amp;format=csv" download>${_('report.csv')}</a></li>
<li><a href="/bao-cao/so-theo-doi?${q}" download>${_('report.register')}</a></li>
</ul>
${r.rows.length ? table : html`<p>${_('report.none')}</p>`}
<details><summary>${_('report.definitions')}</summary><ul><li>${_('report.def.received')}</li><li>${_('report.def.resolved')}</li><li>${_('report.def.pending')}</li><li>${_('report.def.other')}</li></ul></details>`;
  return shell(p, _('report.title'), _('report.lead'), '/bao-cao', f, body);
}
