import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.ts';

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

  it('changes the dossier code pattern only to one that keeps the agency and the sequence', async () => {
    const bad = await t.request({ method: 'PUT', url: '/api/v1/settings/dossier_code_pattern', as: 'admin.lan', payload: { value: 'HS-{yymmdd}' } });
    expect(bad.status).toBe(422);
    const ok = await t.request({ method: 'PUT', url: '/api/v1/settings/dossier_code_pattern', as: 'admin.lan', payload: { value: '{agency}-{yymmdd}-{seq4}' } });
    expect(ok.status).toBe(200);
  });
});
