import { describe, expect, it } from 'vitest';
import { periodOf, weakestIndicators, type DashboardData } from '../modules/reports/index.ts';
import type { IndexResult, RankedUnit, RankingResult } from '../modules/service-index/index.ts';
import { DEFAULT_CONFIG, scoreAll, type Counts, type IndicatorKey } from '../modules/service-index/index-rules.ts';
import { achievedShare, dashboardPage, shareChange, type FilterView } from './dashboard-pages.ts';
import type { PageCtx } from './layout.ts';

// The dashboard compares like with like: the change is in percentage points of the share of the
// applicable points achieved, never points earned against different maxima; and a period (or a
// group, or a unit) where nothing applies is "not applicable", never zero (DOMAIN section 7).

const vi: PageCtx = { locale: 'vi', userName: null, csrf: null, path: '/bang-dieu-khien' };
const en: PageCtx = { ...vi, locale: 'en' };

function index(counts: Partial<Record<IndicatorKey, Counts>>, from: string, to: string): IndexResult {
  return {
    unit: '37',
    unitKind: 'province',
    unitName: 'Tỉnh Ninh Bình',
    from,
    to,
    version: 1,
    versionValidFrom: '2025-01-01',
    ...scoreAll(DEFAULT_CONFIG, counts),
    computedAt: '2026-11-28T04:00:00.000Z',
  };
}

// The QA figures (province, year to date): 53.91 of 68 applicable points (79.28 %) against 36.92 of
// 52 (71.00 %) before, when the procedure-based sub-indicators did not apply.
const NOW: Partial<Record<IndicatorKey, Counts>> = {
  'transparency.complete_content': { numerator: 34, denominator: 34 },
  'progress.on_time': { numerator: 1109, denominator: 1743 },
  'digitisation.electronic_result': { numerator: 851, denominator: 1686 },
  'digitisation.digitised': { numerator: 1754, denominator: 1754 },
  'digitisation.reused': { numerator: 0, denominator: 1754 },
  'online.offered': { numerator: 30, denominator: 34 },
  'online.used': { numerator: 29, denominator: 30 },
  'online.online_dossiers': { numerator: 662, denominator: 1323 },
  'online.payment_integrated': { numerator: 19, denominator: 20 },
  'online.paid_online': { numerator: 508, denominator: 1205 },
  'satisfaction.dossier_satisfaction': { numerator: 1038, denominator: 1686 },
};
const BEFORE: Partial<Record<IndicatorKey, Counts>> = {
  'progress.on_time': { numerator: 600, denominator: 1000 },
  'digitisation.electronic_result': { numerator: 400, denominator: 1000 },
  'digitisation.digitised': { numerator: 1000, denominator: 1000 },
  'digitisation.reused': { numerator: 0, denominator: 1000 },
  'online.online_dossiers': { numerator: 500, denominator: 1000 },
  'online.paid_online': { numerator: 306, denominator: 1000 },
  'satisfaction.dossier_satisfaction': { numerator: 8085, denominator: 10000 },
};

const ranked = (rank: number, unit: string, name: string, s: IndexResult): RankedUnit => ({
  rank,
  unit,
  unitKind: 'commune',
  name,
  total: s.total,
  max: s.max,
  percent: s.percent,
  groups: s.groups.map((g) => ({ key: g.key, name: g.name, score: g.score, max: g.max, applicableMax: g.applicableMax })),
});
const ranking = (level: RankingResult['level'], units: RankedUnit[]): RankingResult => ({
  level,
  from: '2026-01-01',
  to: '2026-11-28',
  version: 1,
  units,
  computedAt: '2026-11-28T04:00:00.000Z',
});

function data(current: IndexResult, previous: IndexResult, communes: RankedUnit[] = []): DashboardData {
  return {
    unit: { code: '37', name: 'Tỉnh Ninh Bình', kind: 'province' },
    period: periodOf(current.from, current.to),
    previousPeriod: periodOf(previous.from, previous.to),
    current,
    previous,
    trend: [],
    agencies: ranking('agency', []),
    communes: ranking('commune', communes),
    weakest: weakestIndicators(current),
    overdue: { total: 0, items: [] },
    dueSoon: { total: 0, items: [], until: new Date('2026-12-02T10:00:00Z') },
  };
}

const view = (d: DashboardData): FilterView => ({ units: [], unit: '37', from: d.period.from, to: d.period.to, errors: [] });
const page = (p: PageCtx, d: DashboardData) => dashboardPage(p, d, view(d));
const up = (words: string) => `<span class="delta up"><span aria-hidden="true">&#9650; </span>${words}</span>`;

describe('achievedShare and shareChange', () => {
  it('give the share of the applicable points in percent, and the change in percentage points', () => {
    expect(achievedShare(20.11, 22)).toBe(91.41);
    expect(achievedShare(7.53, 10)).toBe(75.3);
    expect(shareChange(79.28, 71)).toBe(8.28);
    expect(shareChange(91.41, 75.3)).toBe(16.11);
  });

  it('are not applicable (null), never zero, when nothing applies on either side', () => {
    expect(achievedShare(null, 0)).toBeNull();
    expect(achievedShare(0, 0)).toBeNull();
    expect(achievedShare(0, 4)).toBe(0);
    expect(shareChange(null, 71)).toBeNull();
    expect(shareChange(79.28, null)).toBeNull();
  });
});

describe('the dashboard compares shares of the applicable points', () => {
  const now = index(NOW, '2026-01-01', '2026-11-28');
  const before = index(BEFORE, '2025-02-03', '2025-12-31');

  it('the fixture has the QA figures: different applicable maxima in the two periods', () => {
    expect([now.total, now.max, now.percent]).toEqual([53.91, 68, 79.28]);
    expect([before.total, before.max, before.percent]).toEqual([36.92, 52, 71]);
  });

  it('shows the total’s change in percentage points, not the difference of points (16,99)', () => {
    const body = page(vi, data(now, before));
    expect(body).toContain('<span class="big">53,91</span> trên 68,00 điểm');
    expect(body).toContain(`Đạt 79,28% số điểm áp dụng<br>${up('tăng 8,28 điểm phần trăm')}`);
    expect(body).toContain('Kỳ trước (03/02/2025 – 31/12/2025): 36,92 trên 52,00 điểm, đạt 71,00%');
    expect(body).not.toContain('16,99');
    const english = page(en, data(now, before));
    expect(english).toContain(`79.28% of the applicable points<br>${up('up 8.28 percentage points')}`);
    expect(english).toContain('Previous period (03/02/2025 – 31/12/2025): 36.92 out of 52.00 points, 71.00%');
  });

  it('shows each group’s share of its applicable maximum and the change in percentage points', () => {
    const body = page(vi, data(now, before));
    // Online services: 20.11 of 22 now (91.41 %) against 7.53 of 10 before (75.30 %): +16.11, not +12.58.
    expect(body).toContain(
      `<th scope="row">Cung cấp dịch vụ trực tuyến</th><td class="num">20,11</td><td class="num">22</td><td class="num">91,41%</td><td class="num">75,30%</td><td>${up('tăng 16,11 điểm phần trăm')}</td>`,
    );
    expect(body).not.toContain('12,58');
    // Transparency: 4 of the group's 18 apply now, nothing before: no change is shown.
    expect(body).toContain(
      '<th scope="row">Công khai, minh bạch</th><td class="num">4,00</td><td class="num">4 <span class="meta">(nhóm tối đa 18)</span></td><td class="num">100,00%</td><td class="num">Không áp dụng</td><td><span class="delta">chưa có số liệu kỳ trước</span></td>',
    );
    // The bar chart shows the same share (score ÷ applicable maximum), with the points beside it.
    expect(body).toContain('<title>Cung cấp dịch vụ trực tuyến: 20,11 / 22</title>');
    expect(body).toContain('<title>Công khai, minh bạch: 4,00 / 4</title>');
    const english = page(en, data(now, before));
    expect(english).toContain(`<td class="num">91.41%</td><td class="num">75.30%</td><td>${up('up 16.11 percentage points')}</td>`);
    expect(english).toContain('4 <span class="meta">(group maximum 18)</span>');
  });

  it('a fall is shown as a fall in percentage points', () => {
    const body = page(vi, data(before, now));
    expect(body).toContain('<span class="delta down"><span aria-hidden="true">&#9660; </span>giảm 8,28 điểm phần trăm</span>');
  });
});

describe('the dashboard says "not applicable" for an empty period', () => {
  const empty = index({}, '2025-06-01', '2025-06-30');
  const emptyBefore = index({}, '2025-05-01', '2025-05-31');
  const some = index(NOW, '2025-05-01', '2025-05-31');

  it('shows no total, no previous total and no change when nothing applies', () => {
    expect([empty.total, empty.max, empty.percent]).toEqual([0, 0, null]);
    const body = page(vi, data(empty, emptyBefore));
    expect(body).toContain('<span class="big">Không áp dụng</span> Không có chỉ tiêu nào áp dụng trong kỳ này.');
    expect(body).toContain('Kỳ trước (01/05/2025 – 31/05/2025): Không áp dụng');
    expect(body).toContain('<span class="delta">không so sánh được</span>');
    // No zero score or share anywhere above the weakest block (the summary and the groups).
    const top = body.slice(body.indexOf('<div class="dash-score"'), body.indexOf('<section aria-labelledby="weak-h">'));
    expect(top).toContain('Không áp dụng');
    expect(top).not.toContain('0,00');
    // Every group: not applicable, no share, no change.
    expect(body).toContain(
      '<th scope="row">Tiến độ, kết quả giải quyết</th><td class="num">Không áp dụng</td><td class="num">0 <span class="meta">(nhóm tối đa 20)</span></td><td class="num">Không áp dụng</td><td class="num">Không áp dụng</td><td><span class="delta">không so sánh được</span></td>',
    );
    const english = page(en, data(empty, emptyBefore));
    expect(english).toContain('<span class="big">Not applicable</span> No sub-indicator applies in this period.');
    expect(english).toContain('Previous period (01/05/2025 – 31/05/2025): Not applicable');
  });

  it('compares nothing when only one of the two periods has applicable points', () => {
    const body = page(vi, data(empty, some));
    expect(body).toContain('<span class="delta">không so sánh được</span>');
    expect(body).toContain('Kỳ trước (01/05/2025 – 31/05/2025): 53,91 trên 68,00 điểm, đạt 79,28%');
    expect(body).not.toContain('điểm phần trăm');
    const after = page(vi, data(some, empty));
    expect(after).toContain(`Đạt 79,28% số điểm áp dụng<br><span class="delta">chưa có số liệu kỳ trước</span>`);
  });

  it('says in the weakest block that no sub-indicator applies, not that all have their full score', () => {
    const body = page(vi, data(empty, emptyBefore));
    expect(body).toContain('<p>Không có chỉ tiêu nào áp dụng trong kỳ này, nên không có chỉ tiêu yếu nhất.</p>');
    expect(body).not.toContain('Mọi chỉ tiêu áp dụng đều đạt điểm tối đa.');
    expect(page(en, data(empty, emptyBefore))).toContain('<p>No sub-indicator applies in this period, so none is the weakest.</p>');
  });

  it('gives no rank to a unit where nothing applies and lists it after the ranked ones', () => {
    const units = [ranked(1, '13669', 'Xã Hòa Lư', some), ranked(2, '13645', 'Xã <Cũ>', empty), ranked(3, '13672', 'Phường Hoa Lư', empty)];
    // Even if the ranking came with a not-applicable unit first, it is listed last.
    const body = page(vi, data(empty, emptyBefore, [units[1]!, units[0]!, units[2]!]));
    const rows = [
      ...body.matchAll(/<tr><td class="num">([^<]+)<\/td><th scope="row">([^<]+)<\/th><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><\/tr>/g),
    ].map((m) => m.slice(1));
    expect(rows).toEqual([
      ['1', 'Xã Hòa Lư', '53,91 / 68,00', '79,28%'],
      ['Không xếp hạng', 'Xã &lt;Cũ&gt;', 'Không áp dụng', 'Không áp dụng'],
      ['Không xếp hạng', 'Phường Hoa Lư', 'Không áp dụng', 'Không áp dụng'],
    ]);
    expect(body).not.toContain('0,00 / 0,00');
    // The chart numbers only the ranked unit's bar.
    expect(body).toContain('>1. Xã Hòa Lư</text>');
    expect(body).toContain('>Xã &lt;Cũ&gt;</text>');
    expect(body).not.toContain('2. Xã &lt;Cũ&gt;');
    const english = page(en, data(empty, emptyBefore, units));
    expect(english).toContain(
      '<tr><td class="num">Not ranked</td><th scope="row"><span lang="vi">Phường Hoa Lư</span></th><td class="num">Not applicable</td>',
    );
  });
});
