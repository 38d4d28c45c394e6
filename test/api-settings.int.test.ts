import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/db/client.ts';
import { createTestApp, submittedDossier, workingDayClosing, type TestApp } from './harness.ts';
import { workflowSteps } from './workflow-steps.ts';

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
    const due = () =>
      t.request({ method: 'GET', url: `/api/v1/calendar/due-date?start=${encodeURIComponent('2026-11-23T08:00:00+07:00')}&value=1&unit=working_days` });
    expect((await due()).json.dueAt).toBe('2026-11-24T08:00:00.000+07:00');

    const bad = await t.request({
      method: 'PUT',
      url: '/api/v1/settings/office_hours',
      as: 'admin.lan',
      payload: { value: { periods: [{ start: '13:00', end: '08:00' }] } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('SETTING_INVALID');
    expect(
      (
        await t.request({
          method: 'PUT',
          url: '/api/v1/settings/office_hours',
          as: 'leader.hoa',
          payload: { value: { periods: [{ start: '08:00', end: '16:00' }] } },
        })
      ).status,
    ).toBe(403);
    expect((await t.request({ method: 'PUT', url: '/api/v1/settings/nope', as: 'admin.lan', payload: { value: 1 } })).status).toBe(422);

    const ok = await t.request({
      method: 'PUT',
      url: '/api/v1/settings/office_hours',
      as: 'admin.lan',
      payload: { value: { periods: [{ start: '08:00', end: '16:00' }] } },
    });
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
      const d = await submittedDossier(t, 'citizen.an', {
        procedureCode: '1.001193',
        applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
      });
      expect(d.code).toMatch(/^HS\.(\d{6})\.[A-Z0-9.]+\.\1\.\d{4}$/);
      expect((await t.request({ method: 'GET', url: `/api/v1/public/dossiers/${d.code}` })).status).toBe(200);
    } finally {
      expect((await put('{agency}-{yymmdd}-{seq4}')).status).toBe(200);
    }
  });

  it('lets administrators set who extends a late dossier, how often, how far and how early', async () => {
    // A new due date must be working time: the close of the first working day a day or more after `ms`.
    const workingDayAfter = async (ms: number) => (await workingDayClosing(t, ms, 1)).toISOString();
    const { inProgress } = workflowSteps(() => t);
    const put = (value: unknown) => t.request({ method: 'PUT', url: '/api/v1/settings/dossier_extension', as: 'admin.lan', payload: { value } });
    const extend = (code: string, as: string, newDueAt: string) =>
      t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: { action: 'extend', reason: 'Cần xác minh thêm', newDueAt } });
    const view = async (code: string, as: string) => (await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as })).json;
    const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };
    expect((await put({ approverRoles: [], maxExtensions: 1, maxWorkingDaysEach: null, withinWorkingDaysOfDue: null })).status).toBe(422);
    expect((await put({ approverRoles: ['specialist'], maxExtensions: 1, maxWorkingDaysEach: 5, withinWorkingDaysOfDue: null })).status).toBe(200);
    try {
      const d = await submittedDossier(t, 'citizen.an', { procedureCode: '1.001193', applicant });
      // Before reception: the approver is told why (409), the leader that it is not theirs (403).
      expect((await extend(d.code, 'leader.hoa', new Date(Date.now() + 86_400_000).toISOString())).status).toBe(403);
      await inProgress(d.code);
      // The specialist approves extensions now, not the leader.
      expect((await view(d.code, 'leader.hoa')).allowedActions).not.toContain('extend');
      const before = await view(d.code, 'specialist.giang');
      expect(before.allowedActions).toContain('extend');
      const due = new Date(before.dueAt).getTime();
      expect((await extend(d.code, 'leader.hoa', new Date(due + 3_600_000).toISOString())).json.code).toBe('DOSSIER_ACTION_FORBIDDEN');
      // At most 5 working days further: 30 days is refused, with the latest date allowed.
      const far = await extend(d.code, 'specialist.giang', new Date(due + 30 * 86_400_000).toISOString());
      expect([far.status, far.json.code]).toEqual([422, 'DOSSIER_NEW_DUE_INVALID']);
      expect(new Date(far.json.latestNewDueAt).getTime()).toBeGreaterThan(due);
      expect((await extend(d.code, 'specialist.giang', await workingDayAfter(due))).status).toBe(200);
      // Once only.
      const twice = await extend(d.code, 'specialist.giang', new Date(due + 7_200_000).toISOString());
      expect([twice.status, twice.json.code]).toEqual([409, 'DOSSIER_TRANSITION_NOT_ALLOWED']);

      // Only a late dossier (0 working days before its due date), any number of times.
      expect((await put({ approverRoles: ['leader'], maxExtensions: null, maxWorkingDaysEach: null, withinWorkingDaysOfDue: 0 })).status).toBe(200);
      const e = await submittedDossier(t, 'citizen.an', { procedureCode: '1.001193', applicant });
      await inProgress(e.code);
      const eDue = new Date((await view(e.code, 'leader.hoa')).dueAt).getTime();
      expect((await view(e.code, 'leader.hoa')).allowedActions).not.toContain('extend');
      expect((await extend(e.code, 'leader.hoa', new Date(eDue + 86_400_000).toISOString())).status).toBe(409);
      // Now late: it may be extended.
      await t.database.db.execute(sql`UPDATE dossiers SET due_at = now() - interval '1 hour' WHERE code = ${e.code}`);
      expect((await view(e.code, 'leader.hoa')).allowedActions).toContain('extend');
      expect((await extend(e.code, 'leader.hoa', await workingDayAfter(Date.now()))).status).toBe(200);
    } finally {
      expect((await put({ approverRoles: ['leader'], maxExtensions: null, maxWorkingDaysEach: null, withinWorkingDaysOfDue: null })).status).toBe(200);
    }
  });
});
