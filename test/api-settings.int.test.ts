import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, submittedDossier, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('settings ([config] values)', () => {
  it('lets administrators read and change office hours, and due dates follow them', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/settings', as: 'citizen.an' })).status).toBe(403);
    const all = await t.request({ method: 'GET', url: '/api/v1/settings', as: 'admin.lan' });
    expect(all.json.office_hours.periods).toHaveLength(2);
    const due = () => t.request({ method: 'GET', url: `/api/v1/calendar/due-date?start=${encodeURIComponent('2026-11-23T08:00:00+07:00')}&value=1&unit=working_days` });
    expect((await due()).json.dueAt).toBe('2026-11-24T08:00:00.000+07:00');

    const bad = await t.request({ method: 'PUT', url: '/api/v1/settings/office_hours', as: 'admin.lan', payload: { value: { periods: [{ start: '13:00', end: '08:00' }] } } });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('SETTING_INVALID');
    expect((await t.request({ method: 'PUT', url: '/api/v1/settings/office_hours', as: 'leader.hoa', payload: { value: { periods: [{ start: '08:00', end: '16:00' }] } } })).status).toBe(403);
    expect((await t.request({ method: 'PUT', url: '/api/v1/settings/nope', as: 'admin.lan', payload: { value: 1 } })).status).toBe(422);

    const ok = await t.request({ method: 'PUT', url: '/api/v1/settings/office_hours', as: 'admin.lan', payload: { value: { periods: [{ start: '08:00', end: '16:00' }] } } });
    expect(ok.status).toBe(200);
    // One working day is now 8 hours: Monday 08:00 + 1 working day = Monday 16:00.
    expect((await due()).json.dueAt).toBe('2026-11-23T16:00:00.000+07:00');
  });

  it('changes the dossier code pattern only to one that keeps codes unique, and new codes follow it', async () => {
    const put = (value: string) => t.request({ method: 'PUT', url: '/api/v1/settings/dossier_code_pattern', as: 'admin.lan', payload: { value } });
    // No agency; no date (the sequence restarts each day, so codes would repeat); the sequence
    // twice; a character that does not belong in a URL; an unknown field.
    for (const bad of ['HS-{yymmdd}-{seq4}', '{agency}-{seq4}', '{agency}-{yymmdd}-{seq4}-{seq4}', '{agency}/{yymmdd}/{seq4}', '{agency}-{ddmmyy}-{seq4}']) {
      const r = await put(bad);
      expect(r.status, bad).toBe(422);
      expect(r.json.code, bad).toBe('SETTING_INVALID');
    }
    expect((await put('HS.{yymmdd}.{agency}.{yymmdd}.{seq4}')).status).toBe(200);
    try {
      const d = await submittedDossier(t, 'citizen.an', { procedureCode: '1.001193', applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' } });
      expect(d.code).toMatch(/^HS\.(\d{6})\.[A-Z0-9.]+\.\1\.\d{4}$/);
      expect((await t.request({ method: 'GET', url: `/api/v1/public/dossiers/${d.code}` })).status).toBe(200);
    } finally {
      expect((await put('{agency}-{yymmdd}-{seq4}')).status).toBe(200);
    }
  });
});
