import { expect } from 'vitest';
import type { TestApp } from './harness.ts';

/** The response's JSON, after checking its status (the body is shown when it differs). */
export async function ok(res: Promise<{ status: number; json: any; body: string }>, status = 200) {
  const r = await res;
  expect(r.status, r.body).toBe(status);
  return r.json;
}

/** A Vietnamese local time `YYYY-MM-DDTHH:mm` (or null) as a Date. */
export const at = (s: string | null) => (s === null ? null : new Date(`${s}+07:00`));

/**
 * A dossier's workflow over the API, as the demo province's service centre (TTPVHCC) does it:
 * reception.dung receives and assigns, specialist.giang and leader.hoa forward and approve.
 * `app` is read at each call (test files create their app in beforeAll).
 */
export function workflowSteps(app: () => TestApp) {
  let giangId: string | null = null;
  const act = (code: string, as: string, body: Record<string, unknown>) =>
    ok(app().request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body }));
  /** The id of specialist.giang, the centre's specialist. */
  const specialistId = async (): Promise<string> =>
    (giangId ??= (await ok(app().request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' }))).find(
      (s: { username: string }) => s.username === 'specialist.giang',
    ).id as string);
  return {
    act,
    specialistId,
    /** Receives and assigns a dossier to the specialist. */
    async inProgress(code: string) {
      await act(code, 'reception.dung', { action: 'receive' });
      return act(code, 'reception.dung', { action: 'assign', assigneeId: await specialistId() });
    },
    /** Forwards through the steps and approves (done). */
    async approve(code: string) {
      let cur = await ok(app().request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as: 'specialist.giang' }));
      while (cur.status === 'in_progress' && cur.currentStep.role === 'specialist') cur = await act(code, 'specialist.giang', { action: 'forward' });
      cur = await ok(app().request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as: 'leader.hoa' }));
      while (!cur.allowedActions.includes('approve')) cur = await act(code, 'leader.hoa', { action: 'forward' });
      return act(code, 'leader.hoa', { action: 'approve' });
    },
  };
}
