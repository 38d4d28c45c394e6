import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { ACCESS_MATRIX, type Access } from '../src/platform/access.ts';
import type { Role } from '../src/platform/context.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, type TestApp } from './harness.ts';

/**
 * The authorization matrix (src/platform/access.ts, docs/AUTHZ.md), table-driven: every API route
 * is called as every kind of person, and the answer must match the matrix. Then the resource
 * rules the services add: another applicant and another agency get 404 for someone else's dossier.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const PERSONAS: { username: string | null; roles: Role[] }[] = [
  { username: null, roles: [] },
  { username: 'citizen.an', roles: ['citizen'] },
  { username: 'business.cuong', roles: ['organisation'] },
  { username: 'reception.dung', roles: ['reception'] },
  { username: 'specialist.giang', roles: ['specialist'] },
  { username: 'leader.hoa', roles: ['leader'] },
  { username: 'officer.khanh', roles: ['specialist'] },
  { username: 'admin.lan', roles: ['admin'] },
  { username: 'security.minh', roles: ['security'] },
];

/** Routes whose own credential is not a session: the bank's webhook is signed with HMAC. */
const OWN_CREDENTIAL = new Set(['POST /api/v1/payments/notifications']);

const PLACEHOLDER: Record<string, string> = { year: '2026', version: '1', key: 'x', purpose: 'sms_notifications', file: '01.pdf' };
const fill = (p: string) => p.replace(/\{(\w+)\}/g, (_m, name: string) => PLACEHOLDER[name] ?? '01a00000-0000-7000-8000-000000000000');

function allowed(access: Access, roles: Role[], signedIn: boolean): boolean {
  if (access === 'public') return true;
  if (!signedIn) return false;
  return access === 'signed-in' || roles.some((r) => access.includes(r));
}

describe('the authorization matrix', () => {
  it('is written down: docs/AUTHZ.md lists exactly the matrix’s routes with the same access', async () => {
    const doc = await readFile(new URL('../docs/AUTHZ.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z]+ [^`]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!.split(' | ')] as const);
    expect(rows.map(([k]) => k).sort()).toEqual(Object.keys(ACCESS_MATRIX).sort());
    const cols: (Role | 'anonymous')[] = ['anonymous', 'citizen', 'organisation', 'reception', 'specialist', 'leader', 'admin', 'security'];
    for (const [key, cells] of rows) {
      const access = ACCESS_MATRIX[key]!;
      cols.forEach((c, i) => {
        const expected = access === 'public' ? '✓' : c === 'anonymous' ? '401' : access === 'signed-in' || access.includes(c) ? '✓' : '403';
        expect(cells[i], `${key} for ${c}`).toBe(expected);
      });
    }
  });

  it('classifies every API route, and only routes that exist', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const op of documented) expect(ACCESS_MATRIX[op], `${op} is not in the matrix`).toBeDefined();
    for (const key of Object.keys(ACCESS_MATRIX)) {
      const [method, path] = key.split(' ') as [string, string];
      expect(t.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${key} is in the matrix but not a route`).toBe(true);
    }
  });

  it('hides a dossier from another applicant and from another agency (404), and shows it to its applicant and the desk', async () => {
    const code = '1.001193';
    const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${code}` })).json.definition as ProcedureDefinition;
    const form = requiredAnswers(def.form, 9);
    const d = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: {
        procedureCode: code,
        applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
        form,
        agencyCode: 'TTPVHCC',
      },
    });
    expect(d.status, d.body).toBe(201);
    for (const c of def.components.filter((x) => x.required)) {
      const up = await t.request({
        method: 'POST',
        url: `/api/v1/dossiers/${d.json.id}/files`,
        as: 'citizen.an',
        ...multipart({ component: c.code }, { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF }),
      });
      expect(up.status, up.body).toBe(201);
    }
    const sub = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.json.id}/submit`, as: 'citizen.an' });
    expect(sub.status, sub.body).toBe(200);
    const id = d.json.id as string;
    const fileId = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}`, as: 'citizen.an' })).json.files[0].fileId as string;
    const reads = [
      `/api/v1/dossiers/${id}`,
      `/api/v1/dossiers/${id}/history`,
      `/api/v1/dossiers/${id}/files/${fileId}`,
      `/api/v1/dossiers/${id}/documents`,
      `/api/v1/dossiers/${id}/payments`,
      `/api/v1/dossiers/${id}/notifications`,
    ];
    for (const url of reads) {
      expect((await t.request({ method: 'GET', url, as: 'citizen.an' })).status, `${url} as the applicant`).toBe(200);
      expect((await t.request({ method: 'GET', url, as: 'reception.dung' })).status, `${url} as the desk`).toBe(200);
      expect((await t.request({ method: 'GET', url, as: 'citizen.binh' })).status, `${url} as another applicant`).toBe(404);
      expect((await t.request({ method: 'GET', url, as: 'officer.khanh' })).status, `${url} as another agency`).toBe(404);
    }
    const act = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/actions`, as: 'officer.khanh', payload: { action: 'receive' } });
    expect(act.status).toBe(404);
    const steal = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/rating`, as: 'citizen.binh', payload: { rating: 'satisfied' } });
    expect(steal.status).toBe(404);
  });

  // Routes that end the caller's sessions go last, in this order (the current session survives
  // the first two; sign-out ends it), so every other route runs with a live session.
  const ENDS_SESSIONS = ['DELETE /api/v1/me/sessions/{id}', 'DELETE /api/v1/me/sessions', 'POST /api/v1/auth/logout'];
  const entries = [...Object.entries(ACCESS_MATRIX).filter(([k]) => !ENDS_SESSIONS.includes(k)), ...ENDS_SESSIONS.map((k) => [k, ACCESS_MATRIX[k]!] as const)];
  it(`answers every one of ${entries.length} routes as the matrix says, for ${PERSONAS.length} kinds of person`, async () => {
    const failures: string[] = [];
    for (const [key, access] of entries) {
      const [method, path] = key.split(' ') as [string, string];
      for (const persona of PERSONAS) {
        const ok = allowed(access, persona.roles, !!persona.username);
        // Whoever may not call the route sends a broken body: the answer must still be 401/403, not
        // 400 (the body is not even read for them).
        const body = method === 'GET' || method === 'DELETE' ? undefined : ok || OWN_CREDENTIAL.has(key) ? {} : '{"broken';
        const res = await t.request({
          method: method as 'GET',
          url: fill(path),
          ...(persona.username ? { as: persona.username } : {}),
          ...(body !== undefined ? { payload: body, headers: { 'content-type': 'application/json' } } : {}),
        });
        const who = persona.username ?? 'anonymous';
        const code = (res.json as { code?: string } | null)?.code;
        if (res.status >= 500) failures.push(`${key} as ${who}: ${res.status} ${res.body.slice(0, 200)}`);
        if (OWN_CREDENTIAL.has(key)) {
          if (res.status !== 401) failures.push(`${key} as ${who}: expected 401 (no signature), got ${res.status}`);
          continue;
        }
        if (ok && (res.status === 401 || (res.status === 403 && code === 'ROLE_REQUIRED')))
          failures.push(`${key} as ${who}: allowed by the matrix, got ${res.status} ${code}`);
        if (!ok && !persona.username && res.status !== 401) failures.push(`${key} as anonymous: expected 401, got ${res.status}`);
        if (!ok && persona.username && !(res.status === 403 && code === 'ROLE_REQUIRED'))
          failures.push(`${key} as ${who}: expected 403 ROLE_REQUIRED, got ${res.status} ${code}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
