import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { PORTAL_JS, PORTAL_JS_PATH } from '../src/web/portal-js.ts';
import { createTestApp, SAMPLE_PDF, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, webClient } from './web-client.ts';

/**
 * What the portal's script needs from the server: the script itself (cached, compressed, linked
 * from every page without inline code), the instant-search fragment, the upload forms' data
 * attributes; and the worklist's "due within N working days" (N from the officer, else from
 * the administrators' setting) with hand-computed working-day limits around a public holiday.
 */
let t: TestApp;
const PROC = '1.001776';
let def: ProcedureDefinition;
const { get, upload } = webClient(() => t);
const cookies: Record<string, string> = {};
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

const raw = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const scriptTags = (body: string) => [...body.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${PROC}` })).json.definition;
  for (const u of ['citizen.an', 'reception.dung', 'specialist.giang', 'admin.lan']) cookies[u] = `tinhso_session=${await t.token(u)}`;
});
afterAll(async () => {
  vi.useRealTimers();
  await t?.close();
});

describe('the portal script', () => {
  it('is served with a year of cache, compressed, and linked with its hash from every page', async () => {
    const br = await raw(PORTAL_JS_PATH, { 'accept-encoding': 'gzip, br' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(PORTAL_JS);
    expect(br.rawPayload.length).toBeLessThan(2500);

    const gz = await raw(PORTAL_JS_PATH, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(PORTAL_JS);
    const plain = await raw('/assets/portal.js', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(PORTAL_JS);

    for (const [url, who] of [
      ['/', undefined],
      ['/thu-tuc?q=khai+sinh', undefined],
      [`/thu-tuc/${PROC}`, undefined],
      ['/ho-so', 'citizen.an'],
      ['/can-bo/ho-so', 'reception.dung'],
    ] as const) {
      const page = await get(url, who ? cookies[who] : undefined);
      expect(page.status, url).toBe(200);
      // Exactly one script, external and deferred; the CSP still allows no inline script.
      expect(scriptTags(page.body), url).toEqual([`<script src="${PORTAL_JS_PATH}" defer>`]);
      expect(page.headers['content-security-policy']).toContain("script-src 'self';");
      expect(page.body).not.toMatch(/\son[a-z]+="/i);
    }
  });
});

describe('instant search (GET /tim-kiem)', () => {
  it('sends the results part of /thu-tuc for the same query, without the page around it', async () => {
    const page = await get('/thu-tuc?q=khai+sinh');
    const frag = await get('/tim-kiem?q=khai+sinh');
    expect(frag.status).toBe(200);
    expect(frag.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(frag.headers['content-security-policy']).toContain("script-src 'self'");
    expect(frag.body.startsWith('<div class="search-results" data-title="Kết quả cho “khai sinh”">')).toBe(true);
    expect(frag.body).not.toContain('<html');
    expect(frag.body).not.toContain('role="status"');
    const codes = (b: string) => [...b.matchAll(/<a href="\/thu-tuc\/([^"]+)">/g)].map((m) => m[1]);
    expect(codes(frag.body).length).toBeGreaterThan(0);
    expect(codes(frag.body)).toEqual(codes(page.body));
    // The page wraps the same results in the region the script replaces.
    expect(page.body).toContain('<div id="ket-qua"><div class="search-results"');
    expect(page.body).toContain('data-instant="search"');
    expect((await get('/')).body).toContain('data-instant="home"');
  });

  it('applies the filters, folds diacritics, and escapes what was typed', async () => {
    const codes = (b: string) => [...b.matchAll(/<a href="\/thu-tuc\/([^"]+)">/g)].map((m) => m[1]);
    const folded = await get('/tim-kiem?q=dang+ky+ket+hon');
    const accented = await get(`/tim-kiem?q=${encodeURIComponent('đăng ký kết hôn')}`);
    expect(codes(folded.body)).toContain('1.000894');
    expect(codes(accented.body)).toEqual(codes(folded.body));
    const none = await get(`/tim-kiem?q=${encodeURIComponent('<script>zzqx</script>')}`);
    expect(none.status).toBe(200);
    expect(none.body).toContain('Không tìm thấy');
    expect(none.body).not.toContain('<script>');
    expect(none.body).toContain('&lt;script&gt;zzqx');
    // A level filter narrows: every item shown carries that level's tag.
    const full = await get('/tim-kiem?muc-do=full');
    expect(full.body).toContain('class="tag"');
    expect(full.body).not.toContain('class="tag partial"');
    // A page past the end shows the last page, like /thu-tuc.
    const far = await get('/tim-kiem?q=khai+sinh&trang=999');
    expect(far.status).toBe(200);
    expect(far.body).toContain('<a href="/thu-tuc/');
    const en = await get('/tim-kiem?q=khai+sinh', 'lang=en');
    expect(en.body).toContain('data-title="Results for');
  });
});

describe('upload forms carry what the script needs', () => {
  it('states the limit in bytes and the server’s own message; an XHR post gets the same redirect', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { procedureCode: PROC, applicant, form: {} } });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const page = await get(`/ho-so/${id}`, cookies['citizen.an']!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div class="uploads" data-uploads data-max-bytes="10485760" data-msg-size="Tệp phải nhỏ hơn 10 MB"');
    expect(page.body).toContain('data-msg-progress="Đang tải lên {name}: {n}%"');
    // Shown by the script before the page's other buttons while a file is sending (they are disabled meanwhile).
    expect(page.body).toContain('data-msg-busy="Đang tải tệp lên: chờ tải xong rồi hãy lưu hoặc nộp."');
    const comp = def.components[0]!;
    // The script posts the same multipart form: the answer is the no-JS answer (303 to the component).
    const ok = await upload(
      `/ho-so/${id}/tep`,
      { csrf: csrfOf(page.body), component: comp.code },
      { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      cookies['citizen.an']!,
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/ho-so/${id}#c-${comp.code}`);
    // A smaller limit set by the administrators reaches the page (and the server refuses a larger file with the same words).
    const put = await t.request({ method: 'PUT', url: '/api/v1/settings/upload_max_bytes', as: 'admin.lan', payload: { value: 2048 } });
    expect(put.status).toBe(200);
    const small = await get(`/ho-so/${id}`, cookies['citizen.an']!);
    expect(small.body).toContain('data-max-bytes="2048" data-msg-size="Tệp phải nhỏ hơn 2 KB"');
    const big = await upload(
      `/ho-so/${id}/tep`,
      { csrf: csrfOf(small.body), component: comp.code },
      { name: 'b.pdf', type: 'application/pdf', data: Buffer.concat([SAMPLE_PDF, Buffer.alloc(4096, 32)]) },
      cookies['citizen.an']!,
    );
    expect(big.status).toBe(413);
    expect(big.body).toContain('Tệp phải nhỏ hơn 2 KB');
    await t.request({ method: 'PUT', url: '/api/v1/settings/upload_max_bytes', as: 'admin.lan', payload: { value: 10 * 1024 * 1024 } });
  });
});

// ----------------------------------------------------------------------------- worklist N

async function createReceived(): Promise<{ id: string; code: string }> {
  const sub = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant });
  const rec = await t.request({ method: 'POST', url: `/api/v1/dossiers/${sub.code}/actions`, as: 'reception.dung', payload: { action: 'receive' } });
  expect(rec.status, JSON.stringify(rec.json)).toBe(200);
  return { id: sub.id, code: sub.code };
}

const countOf = (body: string, tab: string) => Number(new RegExp(`${tab} \\((\\d+)\\)`).exec(body)?.[1] ?? -1);
const codesIn = (body: string) => [...body.matchAll(/href="\/can-bo\/ho-so\/([^"?]+)">/g)].map((m) => decodeURIComponent(m[1]!));
/** The due tag of one dossier's row. */
const dueTagOf = (body: string, code: string) =>
  /class="(due[^"]*)"/.exec(body.split(`/can-bo/ho-so/${encodeURIComponent(code)}"`)[1]?.split('</tr>')[0] ?? '')?.[1];

describe('worklist: due within N working days', () => {
  let b: { id: string; code: string };
  let c: { id: string; code: string };
  let e: { id: string; code: string };

  beforeAll(async () => {
    [b, c, e] = [await createReceived(), await createReceived(), await createReceived()];
    // Hand-set deadlines, seen from Mon 31 Aug 2026 10:00 (+07:00); Tue 1 and Wed 2 Sep are the National Day holiday.
    // Office hours 07:30–11:30, 13:30–17:00 (7.5 h a working day). Left on Monday: 5 h.
    //  B due Thu 3 Sep 09:00 → 5 + 1.5 = 6.5 h = 0.87 working days;
    //  C due Fri 4 Sep 09:00 → 5 + 7.5 + 1.5 = 14 h = 1.87 working days;
    //  E due Mon 7 Sep 12:00 → 5 + 7.5 + 7.5 + 4 = 24 h = 3.2 working days.
    // The limits: 1 day → Thu 3 Sep 10:00, 2 → Fri 4 Sep 10:00, 3 → Mon 7 Sep 10:00, 4 → Tue 8 Sep 10:00.
    // (Counting 24-hour days instead, B would be 3 days away and outside "within 1".)
    const due = { [b.id]: '2026-09-03T09:00:00+07:00', [c.id]: '2026-09-04T09:00:00+07:00', [e.id]: '2026-09-07T12:00:00+07:00' };
    for (const [id, at] of Object.entries(due)) {
      await t.database.db.execute(
        sql`UPDATE dossiers SET due_at = ${new Date(at)}, received_at = ${new Date('2026-08-20T09:00:00+07:00')}, paused_at = NULL WHERE id = ${id}`,
      );
    }
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-08-31T10:00:00+07:00'));
  });

  it('uses the administrators’ default (2) for the tab, its count and the colours', async () => {
    const soon = await get('/can-bo/ho-so?nhom=sap-den-han', cookies['reception.dung']);
    expect(soon.status).toBe(200);
    expect(countOf(soon.body, 'Sắp đến hạn')).toBe(2);
    expect(codesIn(soon.body)).toEqual([b.code, c.code]);
    expect(soon.body).toContain('&quot;Sắp đến hạn&quot;: còn không quá 2 ngày làm việc.');
    expect(soon.body).toContain('id="wl-days" name="han-trong" value="" min="1" max="30"');
    expect(soon.body).toContain('là 2 ngày làm việc (mặc định)');
    const all = await get('/can-bo/ho-so?nhom=tat-ca', cookies['reception.dung']);
    expect(codesIn(all.body).sort()).toEqual([b.code, c.code, e.code].sort());
    expect(dueTagOf(all.body, b.code)).toBe('due due-soon');
    expect(dueTagOf(all.body, c.code)).toBe('due due-soon');
    expect(dueTagOf(all.body, e.code)).toBe('due');
    expect(all.body).toContain('Còn 3,2 ngày làm việc');
  });

  it('lets the officer set N: the tab, its count, the colours and the list follow it', async () => {
    const one = await get('/can-bo/ho-so?nhom=sap-den-han&han-trong=1', cookies['reception.dung']);
    expect(countOf(one.body, 'Sắp đến hạn')).toBe(1);
    expect(codesIn(one.body)).toEqual([b.code]);
    expect(one.body).toContain('&quot;Sắp đến hạn&quot;: còn không quá 1 ngày làm việc.');
    const four = await get('/can-bo/ho-so?nhom=tat-ca&han-trong=4', cookies['reception.dung']);
    expect(countOf(four.body, 'Sắp đến hạn')).toBe(3);
    expect(codesIn(four.body)).toEqual([b.code, c.code, e.code]);
    expect(dueTagOf(four.body, e.code)).toBe('due due-soon');
    // Three working days end Mon 7 Sep 10:00, before E's 12:00: E is outside.
    const three = await get('/can-bo/ho-so?nhom=tat-ca&han-trong=3', cookies['reception.dung']);
    expect(codesIn(three.body)).toEqual([b.code, c.code]);
    expect(dueTagOf(three.body, e.code)).toBeUndefined();
    expect(countOf(three.body, 'Sắp đến hạn')).toBe(2);
    // The tabs keep N in their links.
    expect(three.body).toContain('href="/can-bo/ho-so?nhom=sap-den-han&amp;han-trong=3"');
    // Other tabs' counts do not change with N.
    expect(countOf(four.body, 'Tất cả')).toBe(countOf(three.body, 'Tất cả'));
  });

  it('refuses N outside 1–30 with an error linked to the field', async () => {
    for (const bad of ['0', '31', '2.5', '-1', 'abc']) {
      const r = await get(`/can-bo/ho-so?nhom=tat-ca&han-trong=${bad}`, cookies['reception.dung']);
      expect(r.status, bad).toBe(422);
      expect(r.body).toContain('href="#wl-days"');
      expect(r.body).toContain('Số ngày làm việc phải là số nguyên từ 1 đến 30');
      // The page still works with the default N.
      expect(countOf(r.body, 'Sắp đến hạn')).toBe(2);
    }
    expect((await get('/can-bo/ho-so?nhom=tat-ca&han-trong=30', cookies['reception.dung'])).status).toBe(200);
  });

  it('takes the default from the setting an administrator changes (1–30 only)', async () => {
    expect((await t.request({ method: 'PUT', url: '/api/v1/settings/worklist_soon_days', as: 'specialist.giang', payload: { value: 1 } })).status).toBe(403);
    const bad = await t.request({ method: 'PUT', url: '/api/v1/settings/worklist_soon_days', as: 'admin.lan', payload: { value: 31 } });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('SETTING_INVALID');
    const put = await t.request({ method: 'PUT', url: '/api/v1/settings/worklist_soon_days', as: 'admin.lan', payload: { value: 1 } });
    expect(put.status).toBe(200);
    expect(put.json.value).toBe(1);
    const soon = await get('/can-bo/ho-so?nhom=sap-den-han', cookies['reception.dung']);
    expect(countOf(soon.body, 'Sắp đến hạn')).toBe(1);
    expect(codesIn(soon.body)).toEqual([b.code]);
    expect(soon.body).toContain('là 1 ngày làm việc (mặc định)');
    const all = await get('/can-bo/ho-so?nhom=tat-ca', cookies['reception.dung']);
    expect(dueTagOf(all.body, c.code)).toBe('due');
    // The officer's N still wins over the default.
    expect(countOf((await get('/can-bo/ho-so?nhom=tat-ca&han-trong=2', cookies['reception.dung'])).body, 'Sắp đến hạn')).toBe(2);
    // The dossier page colours with the same default.
    const one = await get(`/can-bo/ho-so/${c.code}`, cookies['reception.dung']);
    expect(one.body).not.toContain('due-soon');
    const audit = await t.database.db.execute(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'settings.update' AND target_id = 'worklist_soon_days'`,
    );
    expect(Number((audit as unknown as { rows: { n: number }[] }).rows[0]?.n)).toBe(1);
  });
});
