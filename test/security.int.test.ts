import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { queryRows, sql } from '../src/db/client.ts';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import { PAYMENT_SYSTEM_USER_ID } from '../src/modules/payments/payment-requests.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { runSecurityMonitor } from '../src/modules/security/index.ts';
import { writeAudit } from '../src/platform/audit.ts';
import { createTestApp, multipart, SAMPLE_PDF, submittedDossier, type TestApp } from './harness.ts';
import { cookieNamed, cookiePair, csrfOf, webClient } from './web-client.ts';

// Issue 6 "Bars": security monitoring rules and events (API, page, notifications, SIEM log
// lines), metrics and their protection, log redaction, stored and reflected XSS on the pages that
// show free text, SQL injection in every query parameter, path traversal in file downloads,
// oversized and malformed bodies, and a brute-force run that gets throttled and raises an event.

let t: TestApp;
const api = (p: string) => `/api/v1${p}`;
const CFG = { loginFailures: 5, accountsPerAddress: 5, readsPerHour: 50 };
const CODE = '1.001193';
const OFFICER = 'security.minh';
let def: ProcedureDefinition;
const ids: Record<string, string> = {};
/** The old record the first run skipped: re-runs restart just after it. */
let firstRun = { seq: 0, hash: '' };

/** A logger whose lines we keep (the monitor's security log). */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const log = pino({ level: 'info', redact: { paths: ['*.password'], censor: '[redacted]' } }, stream);
  return { lines, log: log as unknown as Parameters<typeof runSecurityMonitor>[1] };
}

const monitor = async (log = captureLog().log) => runSecurityMonitor(t.database.db, log, CFG);
const eventsOf = (rule: string) =>
  queryRows<{ severity: string; subject: string | null; ip: string | null; summary: string; dedupe_key: string; actor_id: string | null }>(
    t.database.db,
    sql`SELECT severity, subject, ip, summary, dedupe_key, actor_id FROM security_events WHERE rule = ${rule} ORDER BY at`,
  );
const login = (username: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: api('/auth/login'), payload: { username, password }, remoteAddress });

/** Tags that carry a live event handler or script: what an XSS payload must never become. */
function liveMarkup(body: string): string[] {
  const found: string[] = [];
  for (const m of body.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    const tag = m[1]!.toLowerCase();
    // The portal's own script file (progressive enhancement) is the only script a page may carry.
    if (tag === 'script' && !/^<script src="\/assets\/portal\.js\?v=[0-9a-f]+" defer>$/.test(m[0])) found.push(m[0]);
    for (const a of m[2]!.matchAll(/\s+([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      const name = a[1]!.toLowerCase();
      const value = (a[2] ?? '')
        .replace(/^["']|["']$/g, '')
        .trim()
        .toLowerCase();
      if (name.startsWith('on')) found.push(m[0]);
      if ((name === 'href' || name === 'src' || name === 'action' || name === 'formaction') && value.startsWith('javascript:')) found.push(m[0]);
    }
  }
  return found;
}

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", 'javascript:alert(1)'];
const XSS_NAME = `Nguyễn ${XSS[0]}${XSS[1]}${XSS[2]}`;

function expectInert(body: string, where: string) {
  expect(liveMarkup(body), where).toEqual([]);
  expect(body, where).not.toContain('<script>alert(1)</script>');
}

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: api(`/procedures/${CODE}`) })).json.definition;
  // The demo security officer (province-wide, no agency) comes with the demo data.
  for (const r of await queryRows<{ id: string; username: string }>(t.database.db, sql`SELECT id, username FROM users`)) ids[r.username] = r.id;
}, 120_000);
afterAll(async () => t?.close());

describe('the first run of the monitor', () => {
  it('starts an hour back: older activity (here a role change two hours ago) raises nothing', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await writeAudit(
      {
        db: t.database.db,
        now: twoHoursAgo,
        ip: '10.0.0.9',
        actor: { userId: ids['admin.lan']!, username: 'admin.lan', displayName: 'a', kind: 'staff', roles: [], agencyScope: [], sessionId: null },
      },
      { action: 'user.roles.replace', targetType: 'user', targetId: 'old-change', details: { roles: [{ role: 'admin' }] } },
    );
    await monitor();
    expect((await eventsOf('admin.role_change')).filter((e) => e.subject === 'old-change')).toEqual([]);
    const [state] = await queryRows<{ seq: number; hash: string }>(t.database.db, sql`SELECT a.seq, a.hash FROM audit_log a WHERE a.target_id = 'old-change'`);
    firstRun = { seq: Number(state!.seq), hash: state!.hash };
    expect(firstRun.seq).toBeGreaterThan(0);
  });
});

describe('brute force: throttled, and raises an event', () => {
  it('30 wrong passwords on one account from one address end in 429/423, and the monitor raises password guessing (high)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await login('citizen.binh', `wrong-${i}`, '198.51.100.10')).statusCode);
    expect(statuses[0]).toBe(401);
    expect(
      statuses.some((s) => s === 429 || s === 423),
      statuses.join(','),
    ).toBe(true);
    expect(statuses.every((s) => [401, 423, 429].includes(s))).toBe(true);
    const last = await login('citizen.binh', 'wrong-again', '198.51.100.10');
    expect(String(last.headers['content-type'])).toMatch(/^application\/problem\+json/);

    const { lines, log } = captureLog();
    await monitor(log);
    const ev = await eventsOf('auth.password_guessing');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ severity: 'high', subject: 'citizen.binh', ip: '198.51.100.10' });
    // One JSON line on the security logger, ready for a SIEM, without the passwords tried.
    const line = lines.find((l) => l.rule === 'auth.password_guessing');
    expect(line).toMatchObject({ logger: 'security', event: 'security_event', severity: 'high', subject: 'citizen.binh' });
    expect(JSON.stringify(lines)).not.toMatch(/wrong-\d/);
    expect(lines.some((l) => l.event === 'audit_chain_head' && typeof l.hash === 'string')).toBe(true);
  });

  it('one address trying six accounts raises "one address, many accounts"; five from another address do not', async () => {
    for (let i = 1; i <= 6; i++) await login(`ghost${i}`, 'x', '198.51.100.20');
    for (let i = 1; i <= 4; i++) await login(`phantom${i}`, 'x', '198.51.100.21');
    await monitor();
    const ev = await eventsOf('auth.address_many_accounts');
    expect(ev.map((e) => e.ip)).toEqual(['198.51.100.20']);
    expect(ev[0]!.severity).toBe('high');
  });
});

describe('monitoring rules over the audit stream', () => {
  const at = (iso: string) => ({ db: t.database.db, now: new Date(iso), ip: '10.0.0.5' });
  const as = (username: string) => ({
    userId: ids[username]!,
    username,
    displayName: username,
    kind: 'staff' as const,
    roles: [],
    agencyScope: [],
    sessionId: null,
  });

  it('mass reads, exports, role changes and off-hours activity become events; ordinary activity does not', async () => {
    const nowMs = Date.now();
    for (let i = 0; i < 50; i++)
      await writeAudit(
        { ...at(new Date(nowMs - i * 1000).toISOString()), actor: as('leader.hoa') },
        { action: 'dossier.read', targetType: 'dossier', targetId: `d-${i}` },
      );
    for (let i = 0; i < 49; i++)
      await writeAudit(
        { ...at(new Date(nowMs - i * 1000).toISOString()), actor: as('specialist.giang') },
        { action: 'dossier.read', targetType: 'dossier', targetId: `d-${i % 49}` },
      );
    await writeAudit(
      { ...at(new Date(nowMs).toISOString()), actor: as('leader.hoa') },
      { action: 'report.export', targetType: 'report', targetId: 'dossiers-2026' },
    );
    await writeAudit(
      { ...at(new Date(nowMs).toISOString()), actor: { ...as('citizen.an'), kind: 'citizen' } },
      { action: 'me.data_export', targetType: 'user', targetId: ids['citizen.an'] },
    );
    await writeAudit(
      { ...at(new Date(nowMs).toISOString()), actor: as('admin.lan') },
      { action: 'user.roles.replace', targetType: 'user', targetId: ids['officer.khanh'], details: { roles: [{ role: 'security' }] } },
    );
    await writeAudit(
      { ...at(new Date(nowMs).toISOString()), actor: as('admin.lan') },
      { action: 'user.roles.replace', targetType: 'user', targetId: ids['leader.hoa'], details: { roles: [{ role: 'specialist', agencyCode: 'X' }] } },
    );
    // Sunday 22 November 2026, 23:00 in Vietnam; Wednesday 25 November, 09:00.
    await writeAudit({ ...at('2026-11-22T23:00:00+07:00'), actor: as('reception.dung') }, { action: 'dossier.receive', targetType: 'dossier', targetId: 'x' });
    await writeAudit(
      { ...at('2026-11-25T09:00:00+07:00'), actor: as('specialist.giang') },
      { action: 'dossier.forward', targetType: 'dossier', targetId: 'y' },
    );
    await writeAudit(
      { ...at('2026-11-25T12:15:00+07:00'), actor: as('specialist.giang') },
      { action: 'dossier.forward', targetType: 'dossier', targetId: 'y' },
    );
    // The payment gateway confirms a citizen's transfer at night, acting at the desk: not a member of staff at work.
    await writeAudit(
      { ...at('2026-11-22T23:30:00+07:00'), actor: null },
      { action: 'dossier.confirm_payment', targetType: 'dossier', targetId: 'z', actorId: PAYMENT_SYSTEM_USER_ID, actorRole: 'reception' },
    );
    await monitor();

    const reads = await eventsOf('staff.mass_read');
    expect(reads.map((e) => e.actor_id)).toEqual([ids['leader.hoa']]);
    expect(reads[0]).toMatchObject({ severity: 'medium' });
    const exports = await eventsOf('staff.export');
    expect(exports.map((e) => [e.actor_id, e.severity])).toEqual([[ids['leader.hoa'], 'medium']]);
    const roles = await eventsOf('admin.role_change');
    expect(roles.map((e) => [e.subject, e.severity])).toEqual(
      expect.arrayContaining([
        [ids['officer.khanh'], 'high'],
        [ids['leader.hoa'], 'medium'],
      ]),
    );
    const offHours = (await eventsOf('staff.off_hours')).map((e) => e.dedupe_key);
    expect(offHours).toContain(`staff.off_hours:${ids['reception.dung']}:2026-11-22`);
    expect(offHours).not.toContain(`staff.off_hours:${PAYMENT_SYSTEM_USER_ID}:2026-11-22`);
    // 09:00 on a working day is office time; 12:15 is the lunch break (office periods 07:30–11:30, 13:30–17:00).
    const giang = await queryRows<{ at: Date | string }>(
      t.database.db,
      sql`SELECT at FROM security_events WHERE dedupe_key = ${`staff.off_hours:${ids['specialist.giang']}:2026-11-25`}`,
    );
    expect(giang.map((g) => new Date(g.at).toISOString())).toEqual(['2026-11-25T05:15:00.000Z']);
  });

  it('is idempotent: running again, even from where the first run started, raises nothing new', async () => {
    const count = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM security_events`))[0]!.n);
    const before = await count();
    expect((await monitor()).events).toBe(0);
    await t.database.db.execute(sql`UPDATE security_monitor_state SET last_seq = ${firstRun.seq}, last_hash = ${firstRun.hash} WHERE name = 'audit'`);
    const again = await monitor();
    expect(again.records).toBeGreaterThan(100);
    expect(again.events).toBe(0);
    expect(await count()).toBe(before);
  });

  it('notifies security officers (in-app) of events rated medium and above, once each', async () => {
    const rows = await queryRows<{ title: string; n: number }>(
      t.database.db,
      sql`SELECT min(title) AS title, count(*)::int AS n FROM notifications WHERE user_id = ${ids[OFFICER]} AND kind = 'security_event'`,
    );
    const [medPlus] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM security_events WHERE severity IN ('medium', 'high', 'critical')`,
    );
    expect(Number(rows[0]!.n)).toBe(Number(medPlus!.n));
    expect(rows[0]!.title).toMatch(/^Sự kiện an ninh/);
    const [admins] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${ids['admin.lan']} AND kind = 'security_event'`,
    );
    expect(Number(admins!.n)).toBe(0);
  });

  it('a record rewritten after the monitor saw it raises a critical chain event on the next run', async () => {
    const [last] = await queryRows<{ id: number }>(t.database.db, sql`SELECT id FROM audit_log ORDER BY seq DESC LIMIT 1`);
    await t.database.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    await t.database.db.execute(sql`UPDATE audit_log SET hash = ${'f'.repeat(64)}, outcome = 'failure' WHERE id = ${last!.id}`);
    await t.database.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    await monitor();
    const ev = await eventsOf('audit.chain_broken');
    expect(ev.length).toBeGreaterThanOrEqual(1);
    expect(ev[0]).toMatchObject({ severity: 'critical', subject: String(last!.id) });
  });
});

describe('GET /api/v1/security/events', () => {
  it('security officers and administrators only', async () => {
    expect((await t.request({ method: 'GET', url: api('/security/events') })).status).toBe(401);
    for (const who of ['citizen.an', 'reception.dung', 'leader.hoa'])
      expect((await t.request({ method: 'GET', url: api('/security/events'), as: who })).status, who).toBe(403);
    const r = await t.request({ method: 'GET', url: api('/security/events'), as: OFFICER });
    expect(r.status).toBe(200);
    expect(r.json.items.length).toBeGreaterThan(5);
    expect((await t.request({ method: 'GET', url: api('/security/events'), as: 'admin.lan' })).status).toBe(200);
    const first = r.json.items[0];
    expect(first.at).toMatch(/\+07:00$/);
    // Newest first.
    const times = r.json.items.map((e: { at: string }) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by minimum severity and start time, and refuses bad filters with 422', async () => {
    const high = await t.request({ method: 'GET', url: api('/security/events?severity=high'), as: OFFICER });
    expect(high.json.items.length).toBeGreaterThan(0);
    expect(new Set(high.json.items.map((e: { severity: string }) => e.severity))).toEqual(new Set(['high', 'critical']));
    const from = await t.request({
      method: 'GET',
      url: api(`/security/events?from=${encodeURIComponent('2026-11-22T00:00:00+07:00')}&rule=staff.off_hours`),
      as: OFFICER,
    });
    expect(
      from.json.items.every((e: { at: string; rule: string }) => e.rule === 'staff.off_hours' && Date.parse(e.at) >= Date.parse('2026-11-22T00:00:00+07:00')),
    ).toBe(true);
    expect(from.json.items.some((e: { subject: string }) => e.subject === ids['reception.dung'])).toBe(true);
    const later = await t.request({
      method: 'GET',
      url: api(`/security/events?from=${encodeURIComponent('2026-11-23T00:00:00+07:00')}&rule=staff.off_hours`),
      as: OFFICER,
    });
    expect(later.json.items.some((e: { subject: string }) => e.subject === ids['reception.dung'])).toBe(false);
    for (const q of ['severity=urgent', 'from=yesterday', 'limit=0', 'limit=100000', "rule=x'--"]) {
      const r = await t.request({ method: 'GET', url: api(`/security/events?${q}`), as: OFFICER });
      expect(r.status, q).toBe(422);
      expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('the security page /an-ninh', () => {
  const web = webClient(() => t);

  it('lists events for officers (escaped), 403 for others, sign-in for visitors', async () => {
    // A username that is an XSS payload, guessed often enough to become an event's subject and summary.
    for (let i = 0; i < 5; i++) await login(XSS[1]!, 'x', '198.51.100.30');
    await monitor();
    const anon = await web.get('/an-ninh');
    expect(anon.status).toBe(303);
    expect(String(anon.headers.location)).toMatch(/^\/dang-nhap\?next=/);
    const citizen = await web.signIn('citizen.an');
    expect((await web.get('/an-ninh', citizen.cookie)).status).toBe(403);
    const officer = await web.signIn(OFFICER);
    const page = await web.get('/an-ninh', officer.cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Giám sát an ninh');
    expect(page.body).toContain('Dò mật khẩu một tài khoản</h3>');
    expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expectInert(page.body, '/an-ninh');
    const filtered = await web.get('/an-ninh?muc-do=critical', officer.cookie);
    expect(filtered.body).toContain('Chuỗi nhật ký kiểm toán bị phá vỡ</h3>');
    expect(filtered.body).not.toContain('Dò mật khẩu một tài khoản</h3>');
    const reflected = await web.get(`/an-ninh?tu-ngay=${encodeURIComponent(XSS[1]!)}&muc-do=${encodeURIComponent(XSS[0]!)}`, officer.cookie);
    expect(reflected.status).toBe(422);
    expectInert(reflected.body, '/an-ninh reflected');
  });

  /** Each event's summary as the page shows it, in the page's order (newest first, as the API). */
  const summaries = (body: string) => [...body.matchAll(/<p class="sec-summary">(.*?)<\/p>/gs)].map((m) => m[1]!);
  const VIETNAMESE = /[àáâãèéêìíòóôõùúýăđĩũơưÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯ\u1EA0-\u1EF9]/u;
  const plain = (markup: string) =>
    markup
      .replace(/<[^>]+>/g, '')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');

  it('words each event in the page\'s language from its rule and facts; an unknown kind keeps its stored sentence, marked lang="vi" in English', async () => {
    // A kind the page does not know (an older monitor's), and a known rule whose facts are missing.
    const now = new Date();
    await t.database.db.execute(
      sql`INSERT INTO security_events (id, rule, severity, at, detected_at, summary, details, dedupe_key)
          VALUES (gen_random_uuid(), 'legacy.kind', 'low', ${now}, ${now}, 'Sự kiện cũ không rõ loại.', '{}'::jsonb, 'test:legacy.kind'),
                 (gen_random_uuid(), 'staff.export', 'medium', ${now}, ${now}, 'Cán bộ xuất dữ liệu (không rõ thao tác).', '{}'::jsonb, 'test:staff.export.bare')`,
    );
    const officer = await web.signIn(OFFICER);
    const events = (await t.request({ method: 'GET', url: api('/security/events?limit=200'), as: OFFICER })).json.items as {
      rule: string;
      summary: string;
    }[];
    expect(new Set(events.map((e) => e.rule))).toEqual(
      new Set([
        'auth.password_guessing',
        'auth.address_many_accounts',
        'staff.mass_read',
        'staff.export',
        'staff.off_hours',
        'admin.role_change',
        'audit.chain_broken',
        'legacy.kind',
      ]),
    );

    const en = await web.get('/an-ninh', `${officer.cookie}; lang=en`);
    expect(en.status).toBe(200);
    const enSummaries = summaries(en.body);
    expect(enSummaries).toHaveLength(events.length);
    events.forEach((e, i) => {
      const shown = enSummaries[i]!;
      const fallback = e.rule === 'legacy.kind' || e.summary === 'Cán bộ xuất dữ liệu (không rõ thao tác).';
      if (fallback) expect(shown, e.rule).toBe(`<span lang="vi">${e.summary}</span>`);
      else expect(plain(shown), `${e.rule}: ${shown}`).not.toMatch(VIETNAMESE);
    });
    expect(enSummaries).toContain(`5 failed sign-ins to the account &quot;&gt;&lt;img src=x onerror=alert(1)&gt; within 15 minutes.`);
    expect(enSummaries).toContain('The address 198.51.100.20 failed to sign in to 5 different accounts within 15 minutes.');
    expect(enSummaries).toContain('One staff account read 50 different dossiers within an hour.');
    expect(enSummaries).toContain('A staff member exported data (<code>report.export</code>).');
    expect(enSummaries).toContain('A staff account was active outside office hours (<code>dossier.receive</code>).');
    expect(enSummaries).toContain(`Roles or permissions changed (<code>user.roles.replace</code>) for the account ${ids['officer.khanh']}: Security officer.`);
    expect(enSummaries.some((s) => /^The audit chain is broken at record \d+ \(the record’s hash does not match\)\.$/.test(s))).toBe(true);

    // In Vietnamese the words are the monitor's own (the roles by their names), and nothing is marked.
    const viPage = await web.get('/an-ninh', officer.cookie);
    const viSummaries = summaries(viPage.body);
    expect(viSummaries).toHaveLength(events.length);
    expect(viPage.body).not.toContain('lang="vi"><');
    events.forEach((e, i) => {
      if (e.rule === 'admin.role_change')
        expect(plain(viSummaries[i]!)).toMatch(
          /^Thay đổi vai trò, quyền \(user\.roles\.replace\) của tài khoản \S+: (Giám sát an toàn thông tin|Chuyên viên)\.$/,
        );
      else if (e.rule === 'audit.chain_broken') expect(plain(viSummaries[i]!)).toBe(e.summary.replace('(hash_mismatch)', '(mã băm của bản ghi không khớp)'));
      else expect(plain(viSummaries[i]!), e.rule).toBe(e.summary);
    });
    await t.database.db.execute(sql`DELETE FROM security_events WHERE dedupe_key IN ('test:legacy.kind', 'test:staff.export.bare')`);
  });

  it('a start date that does not exist (2026-02-30) is refused like one that is not a date, at the field, in both languages', async () => {
    const officer = await web.signIn(OFFICER);
    const all = summaries((await web.get('/an-ninh', officer.cookie)).body).length;
    for (const from of ['2026-02-30', '2026-13-01', 'abc', '2026-01-05junk']) {
      const r = await web.get(`/an-ninh?tu-ngay=${from}`, officer.cookie);
      expect(r.status, from).toBe(422);
      expect(r.body, from).toContain('<p class="error-message" id="sec-from-error" role="alert">Ngày không hợp lệ; đang hiện tất cả.</p>');
      expect(r.body, from).toContain(`value="${from}" aria-describedby="sec-from-hint sec-from-error" aria-invalid="true"`);
      expect(summaries(r.body), from).toHaveLength(all);
      const en = await web.get(`/an-ninh?tu-ngay=${from}`, `${officer.cookie}; lang=en`);
      expect(en.body, from).toContain('<p class="error-message" id="sec-from-error" role="alert">Invalid date; showing everything.</p>');
    }
    const ok = await web.get('/an-ninh?tu-ngay=2026-11-23', officer.cookie);
    expect(ok.body).not.toContain('role="alert"');
    expect(summaries(ok.body).length).toBeLessThan(all);
  });
});

describe('metrics', () => {
  async function appWith(env: Record<string, string>, production = false) {
    const loaded = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
      ...env,
    });
    const config = production ? { ...loaded, env: 'production' as const } : loaded;
    const app = await buildApp({ config, database: t.database, files: t.files });
    await app.ready();
    return app;
  }

  it('GET /metrics: Prometheus text with requests by route pattern, latency, sign-in failures, queue depth and lag, group commit, security events', async () => {
    await t.request({ method: 'GET', url: api('/dossiers/does-not-exist'), as: 'reception.dung' });
    // Its create, attach and submit are written by group commit; its notification job is queued.
    await submittedDossier(t, 'citizen.an', { procedureCode: '1.001776', applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' } });
    await t.database.db.execute(sql`UPDATE jobs SET run_at = now() - interval '90 seconds' WHERE status = 'pending' AND type = 'dossier.status_changed'`);
    await login('citizen.an', 'wrong', '198.51.100.40');
    const r = await t.request({ method: 'GET', url: '/metrics' });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toMatch(/tinhso_http_requests_total\{method="GET",route="\/api\/v1\/dossiers\/:id",status="404"\} [1-9]/);
    expect(r.body).not.toContain('does-not-exist');
    expect(r.body).toMatch(/tinhso_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/dossiers\/:id"\}/);
    expect(r.body).toMatch(/tinhso_auth_login_failures_total\{route="\/api\/v1\/auth\/login"\} [1-9]/);
    expect(r.body).toMatch(/tinhso_jobs\{status="pending"\} \d+/);
    const lag = Number(/^tinhso_jobs_oldest_due_seconds (\S+)$/m.exec(r.body)?.[1]);
    expect(lag).toBeGreaterThanOrEqual(90);
    expect(lag).toBeLessThan(3600);
    for (const kind of ['dossier.create', 'dossier.attach', 'dossier.submit']) {
      expect(r.body).toMatch(new RegExp(`tinhso_group_commit_groups_total\\{kind="${kind.replace('.', '\\.')}"\\} [1-9]`));
      expect(r.body).toMatch(new RegExp(`tinhso_group_commit_items_total\\{kind="${kind.replace('.', '\\.')}"\\} [1-9]`));
    }
    expect(r.body).toMatch(/tinhso_group_commit_seconds_total\{kind="dossier\.submit"\} \d/);
    expect(r.body).toMatch(/tinhso_group_commit_largest\{kind="dossier\.submit"\} [1-9]/);
    expect(r.body).toMatch(/tinhso_security_events\{severity="critical"\} [1-9]/);
    expect(r.body).toMatch(/tinhso_audit_chain_length [1-9]/);
  });

  it('with METRICS_TOKEN: 401 without or with a wrong token, 200 with it (the token is not a session)', async () => {
    const token = 'm'.repeat(40);
    const app = await appWith({ METRICS_TOKEN: token });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${'n'.repeat(40)}` } })).statusCode).toBe(401);
      const ok = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('tinhso_http_requests_total');
    } finally {
      await app.close();
    }
  });

  it('in production without a token or port, /metrics does not exist; with METRICS_PORT it is only on that port', async () => {
    const prod = await appWith({}, true);
    try {
      expect((await prod.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
    const port = 20000 + Math.floor(Math.random() * 20000);
    const app = await appWith({ METRICS_PORT: String(port), HOST: '127.0.0.1' });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('tinhso_jobs');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('XSS: free text is rendered inert on every page that shows it', () => {
  const web = webClient(() => t);
  let dossier: { id: string; code: string };

  it('stored: applicant name, form text answers and a note, on the citizen and staff pages', async () => {
    const r = rng(3);
    const form = Object.fromEntries(
      def.form.filter((f) => f.required).map((f) => [f.key, f.type === 'text' || f.type === 'textarea' ? `${XSS[1]} ${XSS[0]}` : fakeAnswer(f, r)]),
    );
    const created = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'citizen.an',
      payload: { procedureCode: CODE, applicant: { type: 'citizen', fullName: XSS_NAME, idNumber: '036090001234', phone: '0912345678' }, form },
    });
    expect(created.status, created.body).toBe(201);
    for (const c of def.components.filter((c) => c.required)) {
      const m = multipart({ component: c.code }, { name: `${XSS[2]}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
      expect((await t.request({ method: 'POST', url: api(`/dossiers/${created.json.id}/files`), as: 'citizen.an', ...m })).status).toBe(201);
    }
    const submitted = await t.request({ method: 'POST', url: api(`/dossiers/${created.json.id}/submit`), as: 'citizen.an' });
    expect(submitted.status, submitted.body).toBe(200);
    dossier = { id: submitted.json.id, code: submitted.json.code };
    const sup = await t.request({
      method: 'POST',
      url: api(`/dossiers/${dossier.code}/actions`),
      as: 'reception.dung',
      payload: { action: 'receive', note: `${XSS[0]} ${XSS[1]}` },
    });
    expect(sup.status, sup.body).toBe(200);

    // A draft with the same answers: the form (values in attributes) and the check-your-answers page.
    const draft = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'citizen.an',
      payload: { procedureCode: CODE, applicant: { type: 'citizen', fullName: XSS_NAME, idNumber: '036090001234', phone: '0912345678' }, form },
    });
    expect(draft.status, draft.body).toBe(201);
    const citizen = await web.signIn('citizen.an');
    const staff = await web.signIn('reception.dung');
    const pages: [string, string][] = [
      ['/ho-so', citizen.cookie],
      [`/ho-so/${dossier.id}`, citizen.cookie],
      [`/ho-so/${draft.json.id}`, citizen.cookie],
      [`/ho-so/${draft.json.id}/kiem-tra`, citizen.cookie],
      ['/can-bo/ho-so', staff.cookie],
      [`/can-bo/ho-so/${encodeURIComponent(dossier.code)}`, staff.cookie],
    ];
    const seen: string[] = [];
    for (const [url, cookie] of pages) {
      const page = await web.get(url, cookie);
      expect(page.status, url).toBeLessThan(500);
      seen.push(`${url} ${page.status} ${page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;') ? 'shown' : 'absent'}`);
      if (page.status !== 200) continue;
      expectInert(page.body, url);
    }
    // The payload is shown (escaped) on the pages that display the applicant or the answers.
    expect(seen.filter((s) => s.endsWith('shown')).length, seen.join('; ')).toBeGreaterThanOrEqual(3);
    const formPage = await web.get(`/ho-so/${draft.json.id}`, citizen.cookie);
    expect(formPage.body).toContain('value="Nguyễn &lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('reflected: search box, lookup code, sign-in name, language switch, staff search', async () => {
    const staff = await web.signIn('reception.dung');
    for (const p of XSS) {
      const enc = encodeURIComponent(p);
      for (const [url, cookie] of [
        [`/thu-tuc?q=${enc}&linh-vuc=${enc}&muc-do=${enc}&trang=${enc}`, undefined],
        [`/tra-cuu?ma=${enc}`, undefined],
        [`/thu-tuc/${enc}`, undefined],
        [`/dang-nhap?next=${enc}`, undefined],
        [`/can-bo/ho-so?q=${enc}`, staff.cookie],
        [`/khong-co/${enc}`, undefined],
      ] as [string, string | undefined][]) {
        const page = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
        expect(page.statusCode, url).toBeLessThan(500);
        expectInert(page.body, url);
      }
      const lang = await web.get(`/lang?to=en&back=${enc}`);
      expect(String(lang.headers.location ?? '')).not.toMatch(/^javascript:|^\/\//i);
    }
    const page = await web.get('/dang-nhap');
    const csrf = csrfOf(page.body);
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const failed = await web.postForm('/dang-nhap', { csrf, username: `"><img src=y onerror=alert(2)>`, password: 'x', next: XSS[3]! }, pre);
    expect(failed.status).toBe(422);
    expectInert(failed.body, 'sign-in form');
    expect(failed.body).toContain('&quot;&gt;&lt;img');
  });
});

describe('SQL injection in every query parameter of the public and staff APIs', () => {
  const PAYLOADS = [
    "' OR '1'='1",
    "1' OR 1=1--",
    "'; DROP TABLE users;--",
    "%' UNION SELECT password_hash, null FROM users--",
    '1); SELECT pg_sleep(5);--',
    '\\x27 OR 1=1',
    '0x27',
    "' AND (SELECT count(*) FROM audit_log) > 0--",
  ];

  it('answers 2xx/4xx without leaking, and every table is still there', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    let calls = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      if (!op) continue;
      const query = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
      const pathParams = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name);
      for (const payload of PAYLOADS) {
        let url = p;
        for (const name of pathParams) url = url.replace(`{${name}}`, encodeURIComponent(payload));
        const qs = query.map((q) => `${encodeURIComponent(q)}=${encodeURIComponent(payload)}`).join('&');
        if (!query.length && !pathParams.length) continue;
        for (const as of [undefined, 'citizen.an', 'reception.dung', 'admin.lan']) {
          const started = Date.now();
          const r = await t.request({ method: 'GET', url: qs ? `${url}?${qs}` : url, ...(as ? { as } : {}) });
          calls++;
          expect(r.status, `${as ?? 'anonymous'} GET ${url}?${qs}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
          expect(r.body).not.toMatch(
            /\$argon2|syntax error at|pg_catalog|unterminated quoted|relation "\w+" does not exist|column "\w+" does not exist|at Object\.|node_modules/i,
          );
          expect(Date.now() - started, url).toBeLessThan(4500);
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    const [u] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM users`);
    expect(Number(u!.n)).toBeGreaterThan(5);
  }, 240_000);
});

describe('path traversal in file downloads', () => {
  it('API and web downloads refuse ../ in every spelling without reading outside the store', async () => {
    const [f] = await queryRows<{ dossier_id: string; id: string }>(t.database.db, sql`SELECT dossier_id, id FROM dossier_files LIMIT 1`);
    const variants = [
      '../../../../etc/passwd',
      '..%2f..%2f..%2fetc%2fpasswd',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '..\\..\\etc\\passwd',
      '....//....//etc/passwd',
      '%252e%252e%252fetc%252fpasswd',
      '/etc/passwd',
      '..%00/etc/passwd',
    ];
    const web = webClient(() => t);
    const citizen = await web.signIn('citizen.an');
    for (const v of variants) {
      for (const url of [
        `/api/v1/dossiers/${f!.dossier_id}/files/${v}`,
        `/api/v1/dossiers/${v}/files/${f!.id}`,
        `/ho-so/${f!.dossier_id}/tep/${v}`,
        `/assets/${v}`,
      ]) {
        const r = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await t.token('citizen.an')}`, cookie: citizen.cookie } });
        expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, url).toBeLessThan(500);
        expect(r.body, url).not.toMatch(/root:x:0:0|\[boot loader\]/);
      }
    }
  });
});

describe('oversized and malformed bodies', () => {
  it('a body over the limit is 413 problem+json, on the API and the sign-in form', async () => {
    const big = JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) });
    const r = await t.app.inject({
      method: 'POST',
      url: api('/auth/login'),
      payload: big,
      headers: { 'content-type': 'application/json' },
      remoteAddress: '198.51.100.50',
    });
    expect(r.statusCode).toBe(413);
    expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const form = await t.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      payload: `username=a&password=${'x'.repeat(64 * 1024)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(413);
  });

  it('malformed JSON is a 4xx problem+json with a stable code, never a 500', async () => {
    for (const payload of [
      '{"username":',
      '{"username": "a", }',
      '\u0000\u0001',
      '{"a":'.repeat(5000),
      'null',
      '[]',
      '"string"',
      '{"__proto__": {"admin": true}}',
    ]) {
      const r = await t.app.inject({
        method: 'POST',
        url: api('/auth/login'),
        payload,
        headers: { 'content-type': 'application/json' },
        remoteAddress: '198.51.100.51',
      });
      expect(r.statusCode, payload.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, payload.slice(0, 40)).toBeLessThan(500);
      expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect((r.json() as { code: string }).code).toMatch(/^[A-Z_]+$/);
    }
  });
});
