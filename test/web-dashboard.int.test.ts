import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { addDays } from '../src/modules/reports/period.ts';
import { parseCsv } from '../src/platform/csv.ts';
import { vnDate } from '../src/platform/time.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { webClient } from './web-client.ts';

let t: TestApp;
const { get, signIn } = webClient(() => t);
const TODAY = vnDate(new Date());
const FROM = addDays(TODAY, -89);
const Q = `unit=37&from=${FROM}&to=${TODAY}`;
let leader = '';

beforeAll(async () => {
  t = await createTestApp({ dossiers: 400 });
  leader = (await signIn('leader.hoa')).cookie;
}, 300_000);
afterAll(async () => t?.close());

const two = (n: number) => new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);

function expectPage(r: { status: number; headers: Record<string, unknown>; body: string }) {
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.headers['content-security-policy']).toContain("style-src 'self'");
  expect(r.body).not.toMatch(/<script(?![^>]*\ssrc=)/i);
  expect(r.body).not.toMatch(/\sstyle=/i);
}

describe('the leaders’ dashboard page', () => {
  it('sends signed-out visitors to sign in and refuses citizens and specialists', async () => {
    const anon = await get(`/bang-dieu-khien?${Q}`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(`/bang-dieu-khien?${Q}`)}`);
    const citizen = await signIn('citizen.an');
    const r = await get('/bang-dieu-khien', citizen.cookie);
    expect(r.status).toBe(403);
    expect(r.body).toContain('Trang này dành cho lãnh đạo và quản trị viên.');
    const specialist = await signIn('specialist.giang');
    expect((await get('/bang-dieu-khien', specialist.cookie)).status).toBe(403);
    expect((await get(`/bao-cao?${Q}`, specialist.cookie)).status).toBe(200);
    expect((await get(`/bao-cao?${Q}`, (await signIn('reception.dung')).cookie)).status).toBe(200);
    // The reports' refusal names who may open them: the officers who handle dossiers too, not only leaders.
    const reports = await get(`/bao-cao?${Q}`, citizen.cookie);
    expect(reports.status).toBe(403);
    expect(reports.body).toContain('Trang này dành cho cán bộ xử lý hồ sơ (một cửa, chuyên viên, lãnh đạo) và quản trị viên.');
    expect(reports.body).not.toContain('Trang này dành cho lãnh đạo và quản trị viên.');
    const reportsEn = await get(`/bao-cao/tai-ve?${Q}&format=csv`, `${citizen.cookie}; lang=en`);
    expect(reportsEn.status).toBe(403);
    expect(reportsEn.body).toContain('This page is for the officers who handle dossiers (the one-stop desk, specialists, leaders) and administrators.');
    const dashEn = await get('/bang-dieu-khien', `${specialist.cookie}; lang=en`);
    expect(dashEn.body).toContain('This page is for leaders and administrators.');
  });

  it('shows the same total and groups as the API, with SVG charts and tables, in one page load', async () => {
    const started = performance.now();
    const r = await get(`/bang-dieu-khien?${Q}`, leader);
    const ms = performance.now() - started;
    console.log(`dashboard page on ${400} demo dossiers: ${ms.toFixed(0)} ms`);
    expect(r.status).toBe(200);
    expectPage(r);
    const api = await t.request({ method: 'GET', url: `/api/v1/service-index?${Q}`, as: 'leader.hoa' });
    expect(api.status, api.body).toBe(200);
    expect(r.body).toContain(`<span class="big">${two(api.json.total)}</span>`);
    for (const g of api.json.groups as { name: string; score: number | null }[]) {
      expect(r.body).toContain(`<th scope="row">${g.name}</th><td class="num">${g.score === null ? 'Không áp dụng' : two(g.score)}</td>`);
    }
    // Charts: role="img", a label, a title and a description, and a table beside each.
    expect(r.body.match(/<svg class="chart[^"]*" role="img" aria-label="[^"]+"/g)!.length).toBeGreaterThanOrEqual(5);
    expect(r.body).toContain('<title id="chart-groups-title">Điểm theo nhóm chỉ số</title>');
    expect(r.body).toContain('<desc id="chart-ontime-desc">');
    expect(r.body).toContain('Xu hướng 12 tháng');
    // The rankings list every agency and commune the API ranks.
    const ranking = await t.request({ method: 'GET', url: `/api/v1/service-index/ranking?level=commune&from=${FROM}&to=${TODAY}`, as: 'leader.hoa' });
    for (const u of ranking.json.units as { name: string }[]) expect(r.body).toContain(`<th scope="row">${u.name}</th>`);
    // The trend (read from the index's facts) agrees with the dossiers themselves for this month.
    const month = TODAY.slice(0, 7);
    const [c] = await queryRows<{ received: number; resolved: number }>(
      t.database.db,
      sql`SELECT count(*) FILTER (WHERE to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') = ${month})::int AS received,
                 count(*) FILTER (WHERE status IN ('done', 'returned') AND to_char(finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') = ${month})::int AS resolved
            FROM dossiers`,
    );
    const nf = new Intl.NumberFormat('vi-VN');
    expect(r.body).toContain(
      `<tr><th scope="row">${month.slice(5, 7)}/${month.slice(0, 4)}</th><td class="num">${nf.format(c!.received)}</td><td class="num">${nf.format(c!.resolved)}</td>`,
    );
    // The previous period of equal length is named.
    expect(r.body).toMatch(/Kỳ trước \(\d{2}\/\d{2}\/\d{4} – \d{2}\/\d{2}\/\d{4}\)/);
  });

  it('shows the change against the previous period in percentage points of the API’s shares', async () => {
    const r = await get(`/bang-dieu-khien?${Q}`, leader);
    const m = /Kỳ trước \((\d{2})\/(\d{2})\/(\d{4}) – (\d{2})\/(\d{2})\/(\d{4})\)/.exec(r.body);
    expect(m, 'the previous period').not.toBeNull();
    const [pf, pt] = [`${m![3]}-${m![2]}-${m![1]}`, `${m![6]}-${m![5]}-${m![4]}`];
    const now = (await t.request({ method: 'GET', url: `/api/v1/service-index?${Q}`, as: 'leader.hoa' })).json as { percent: number | null };
    const before = (await t.request({ method: 'GET', url: `/api/v1/service-index?unit=37&from=${pf}&to=${pt}`, as: 'leader.hoa' })).json as {
      percent: number | null;
    };
    const delta = now.percent === null || before.percent === null ? null : Math.round((now.percent - before.percent) * 100) / 100;
    const words =
      delta === null
        ? now.percent === null
          ? 'không so sánh được'
          : 'chưa có số liệu kỳ trước'
        : delta === 0
          ? 'không đổi'
          : `${delta > 0 ? 'tăng' : 'giảm'} ${two(Math.abs(delta))} điểm phần trăm`;
    expect(r.body).toContain(`${words}</span></p>`);
  });

  it('says “not applicable” for a period where nothing applies, and ranks no unit in it', async () => {
    const empty = 'unit=37&from=2020-06-01&to=2020-06-30';
    const api = await t.request({ method: 'GET', url: `/api/v1/service-index?${empty}`, as: 'leader.hoa' });
    expect(api.json.percent).toBeNull();
    const r = await get(`/bang-dieu-khien?${empty}`, leader);
    expect(r.status).toBe(200);
    expectPage(r);
    expect(r.body).toContain('<span class="big">Không áp dụng</span> Không có chỉ tiêu nào áp dụng trong kỳ này.');
    expect(r.body).toContain('Kỳ trước (01/05/2020 – 31/05/2020): Không áp dụng');
    expect(r.body).not.toContain('0,00 trên 0,00');
    expect(r.body).toContain('Không có chỉ tiêu nào áp dụng trong kỳ này, nên không có chỉ tiêu yếu nhất.');
    expect(r.body).not.toContain('Mọi chỉ tiêu áp dụng đều đạt điểm tối đa.');
    const ranking = await t.request({ method: 'GET', url: '/api/v1/service-index/ranking?level=commune&from=2020-06-01&to=2020-06-30', as: 'leader.hoa' });
    const units = ranking.json.units as { name: string; percent: number | null }[];
    expect(units.length).toBeGreaterThan(0);
    for (const u of units) {
      expect(u.percent).toBeNull();
      expect(r.body).toContain(`<td class="num">Không xếp hạng</td><th scope="row">${u.name}</th><td class="num">Không áp dụng</td>`);
    }
    expect(r.body).not.toContain('0,00 / 0,00');
  });

  it('lists overdue dossiers with the exact count the database gives', async () => {
    const r = await get(`/bang-dieu-khien?${Q}`, leader);
    const counted = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM dossiers d WHERE d.finished_at IS NULL AND d.returned_at IS NULL AND d.received_at IS NOT NULL AND d.due_at IS NOT NULL
            AND d.status IN ('submitted','received','in_progress','supplement_requested','payment_requested') AND coalesce(d.paused_at, now()) > d.due_at`,
    );
    const n = counted[0]!.n;
    expect(r.body).toContain(`<strong>${new Intl.NumberFormat('vi-VN').format(n)} hồ sơ đang quá hạn</strong>`);
    if (n > 0) expect(r.body).toMatch(/<a href="\/can-bo\/ho-so\/[^"]+">/);
    expect(r.body).toContain('Hồ sơ đến hạn trong 3 ngày làm việc');
  });

  it('links a weak sub-indicator to the dossiers behind it, with the reason, matching the API', async () => {
    const r = await get(`/bang-dieu-khien?${Q}`, leader);
    const link = /href="(\/bang-dieu-khien\/chi-tieu\/([a-z_.]+)\?[^"]+)"/.exec(r.body);
    expect(link, 'a weakest sub-indicator link').not.toBeNull();
    const url = link![1]!.replace(/&amp;/g, '&');
    const key = link![2]!;
    const page = await get(url, leader);
    expect(page.status).toBe(200);
    expectPage(page);
    const api = await t.request({ method: 'GET', url: `/api/v1/service-index/indicators/${key}/dossiers?${Q}&counted=false&pageSize=50`, as: 'leader.hoa' });
    expect(api.status, api.body).toBe(200);
    expect(page.body).toContain(`${new Intl.NumberFormat('vi-VN').format(api.json.total)} mục`);
    for (const item of (api.json.items as { code: string; reasonText: string }[]).slice(0, 5)) {
      expect(page.body).toContain(item.code);
      expect(page.body).toContain(item.reasonText.replace(/&/g, '&amp;'));
    }
    expect((await get(`/bang-dieu-khien/chi-tieu/no.such?${Q}`, leader)).status).toBe(404);
  });

  it('a drill-down page past the end shows the last page, as the worklist does', async () => {
    // The sub-indicator with the most dossiers behind it, so that it has more than one page if any has.
    const keys = (await t.request({ method: 'GET', url: `/api/v1/service-index?${Q}`, as: 'leader.hoa' })).json.groups.flatMap(
      (g: { indicators: { key: string }[] }) => g.indicators.map((i) => i.key),
    ) as string[];
    const totals = await Promise.all(
      keys.map(async (key) => ({
        key,
        total: (await t.request({ method: 'GET', url: `/api/v1/service-index/indicators/${key}/dossiers?${Q}&pageSize=50`, as: 'leader.hoa' })).json
          .total as number,
      })),
    );
    const { key, total } = totals.sort((a, b) => b.total - a.total)[0]!;
    const last = Math.max(1, Math.ceil(total / 50));
    const api = await t.request({ method: 'GET', url: `/api/v1/service-index/indicators/${key}/dossiers?${Q}&pageSize=50&page=${last}`, as: 'leader.hoa' });
    const r = await get(`/bang-dieu-khien/chi-tieu/${key}?${Q}&trang=99`, leader);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('Trang 99');
    expect(r.body).not.toContain('trang=98');
    expect(last, 'a sub-indicator with more than one page').toBeGreaterThan(1);
    expect(r.body).toContain(`Trang ${last} / ${last}`);
    expect(r.body).toContain(`trang=${last - 1}`);
    expect(r.body).not.toContain('rel="next"');
    expect(r.body).not.toContain('Không có hồ sơ nào.');
    for (const item of api.json.items as { code: string }[]) expect(r.body).toContain(item.code);
  });

  it('checks the GET filters and answers with readable messages next to the inputs', async () => {
    const bad = await get('/bang-dieu-khien?unit=37&from=2026-02-30&to=2026-01-01', leader);
    expect(bad.status).toBe(422);
    expectPage(bad);
    expect(bad.body).toContain('class="error-summary"');
    expect(bad.body).toContain('<a href="#from">Nhập “từ ngày” là một ngày có thật');
    expect(bad.body).toContain('aria-invalid="true"');
    const order = await get('/bang-dieu-khien?unit=37&from=2026-03-02&to=2026-03-01', leader);
    expect(order.body).toContain('<a href="#to">“Đến ngày” phải bằng hoặc sau “từ ngày”</a>');
    const unit = await get(`/bang-dieu-khien?unit=NOPE&from=${FROM}&to=${TODAY}`, leader);
    expect(unit.status).toBe(422);
    expect(unit.body).toContain('<a href="#unit">Chọn một đơn vị trong danh sách</a>');
    // Without parameters: month to date for the province, and the form keeps the values.
    const plain = await get('/bang-dieu-khien', leader);
    expect(plain.status).toBe(200);
    expect(plain.body).toContain(`name="from" value="${TODAY.slice(0, 8)}01"`);
    expect(plain.body).toContain('<option value="37" selected>');
  });
});

describe('the reports page', () => {
  it('shows the handling table with the API’s numbers and download links', async () => {
    const r = await get(`/bao-cao?${Q}`, leader);
    expect(r.status).toBe(200);
    expectPage(r);
    const api = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${Q}`, as: 'leader.hoa' });
    const nf = new Intl.NumberFormat('vi-VN');
    const totals = ['receivedTotal', 'receivedOnline', 'receivedOffline', 'carriedOver', 'resolvedTotal']
      .map((k) => `<td class="num">${nf.format(api.json.total[k])}</td>`)
      .join('');
    expect(r.body).toContain(`<th scope="row" colspan="2">Tổng cộng</th>${totals}`);
    const QA = Q.replace(/&/g, '&amp;');
    expect(r.body).toContain(`href="/bao-cao/tai-ve?${QA}&amp;format=xlsx"`);
    expect(r.body).toContain(`href="/bao-cao/so-theo-doi?${QA}"`);
  });

  it('downloads CSV and xlsx through the session, audited', async () => {
    const csv = await get(`/bao-cao/tai-ve?${Q}&format=csv`, leader);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(csv.body);
    const api = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${Q}`, as: 'leader.hoa' });
    expect(rows.at(-1)![4]).toBe(String(api.json.total.receivedTotal));
    const xlsx = await t.app.inject({ method: 'GET', url: `/bao-cao/so-theo-doi?${Q}`, headers: { cookie: leader } });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const audit = await queryRows<{ action: string }>(t.database.db, sql`SELECT action FROM audit_log WHERE action LIKE 'report.%' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['report.handling.export', 'report.register.export']));
  });
});
