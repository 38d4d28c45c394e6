import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { isOverdue, type DossierStatus } from '../src/modules/dossiers/dossier-workflow.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { fold } from '../src/platform/text.ts';
import { createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';

// GET /dossiers on a year of generated dossiers: filters, paging, totals and, above all, that
// every caller sees exactly the dossiers they are a party to. The expected sets are computed
// here, in JavaScript, from the raw rows (an oracle independent of the SQL in dossiers.repo.ts).

let t: TestApp;
const CODE = '1.001193';
let def: ProcedureDefinition;
const ids: Record<string, string> = {};
const agencyIds: Record<string, string> = {};

interface Raw {
  id: string;
  code: string | null;
  status: DossierStatus;
  procedure_code: string;
  receiving_agency_id: string;
  competent_agency_id: string;
  applicant_user_id: string | null;
  created_by: string;
  assignee_id: string | null;
  applicant_name: string;
  due_at: Date | null;
  finished_at: Date | null;
  paused_at: Date | null;
}
let raw: Raw[] = [];

interface Item {
  id: string;
  code: string | null;
  procedureCode: string;
  status: DossierStatus;
  applicantName: string;
  dueAt: string | null;
  isOverdue: boolean;
  assigneeId: string | null;
}

const SCOPES: Record<string, string[]> = {
  'citizen.an': [],
  'citizen.binh': [],
  'reception.dung': ['TTPVHCC'],
  'specialist.giang': ['TTPVHCC'],
  'leader.hoa': ['TTPVHCC'],
  'officer.khanh': ['TTPVHCC-13669'],
};

async function loadRaw() {
  const rows = await queryRows<Record<string, unknown>>(
    t.database.db,
    sql`SELECT id, code, status, procedure_code, receiving_agency_id, competent_agency_id, applicant_user_id, created_by, assignee_id,
          applicant->>'fullName' AS applicant_name, due_at, finished_at, paused_at FROM dossiers`,
  );
  const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  raw = rows.map((r) => ({ ...(r as unknown as Raw), due_at: d(r.due_at), finished_at: d(r.finished_at), paused_at: d(r.paused_at) }));
}

/** What `username` should see in the default list (staff: no drafts but their own). */
function expectedFor(username: string, extra: (r: Raw) => boolean = () => true): Raw[] {
  const me = ids[username]!;
  const scope = SCOPES[username]!.map((c) => agencyIds[c]!);
  return raw.filter((r) => {
    const visible =
      r.applicant_user_id === me ||
      (r.created_by === me && r.status === 'draft') ||
      scope.includes(r.receiving_agency_id) ||
      scope.includes(r.competent_agency_id);
    const staffDefault = scope.length === 0 || r.status !== 'draft' || r.applicant_user_id === me;
    return visible && staffDefault && extra(r);
  });
}

const overdueNow = (r: Raw) => isOverdue({ status: r.status, dueAt: r.due_at, finishedAt: r.finished_at, pausedAt: r.paused_at }, new Date());

async function list(as: string, query = ''): Promise<{ status: number; json: any }> {
  return t.request({ method: 'GET', url: `/api/v1/dossiers${query ? `?${query}` : ''}`, as });
}

/** Every page of a query, with its reported totals. */
async function listAll(as: string, query = ''): Promise<{ items: Item[]; totals: number[] }> {
  const items: Item[] = [];
  const totals: number[] = [];
  for (let page = 1; page < 100; page++) {
    const r = await list(as, `${query}${query ? '&' : ''}pageSize=100&page=${page}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    totals.push(r.json.total);
    items.push(...r.json.items);
    if (r.json.items.length < 100) break;
  }
  return { items, totals };
}

function sortedIds(xs: { id: string }[]) {
  return xs.map((x) => x.id).sort();
}

beforeAll(async () => {
  t = await createTestApp({ dossiers: 300 });
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
  for (const u of ['citizen.an', 'citizen.binh', 'reception.dung', 'specialist.giang', 'leader.hoa', 'officer.khanh']) {
    ids[u] = (await t.request({ method: 'GET', url: '/api/v1/me', as: u })).json.id;
  }
  for (const a of await queryRows<{ id: string; code: string }>(t.database.db, sql`SELECT id, code FROM agencies`)) agencyIds[a.code] = a.id;

  // A few live dossiers as well: a draft and a submitted one for each demo citizen.
  const form = requiredAnswers(def.form, 11);
  const people = {
    'citizen.an': { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    'citizen.binh': { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' },
  };
  for (const [as, applicant] of Object.entries(people)) {
    await t.request({ method: 'POST', url: '/api/v1/dossiers', as, payload: { procedureCode: CODE, applicant, form: {} } });
    await submittedDossier(t, as, { procedureCode: CODE, applicant, form });
  }
  await loadRaw();
}, 300_000);
afterAll(async () => t?.close());

describe('who sees what', () => {
  it('the generated year is there: 300 dossiers plus the live ones, in many states', () => {
    expect(raw.length).toBe(304);
    const states = new Set(raw.map((r) => r.status));
    for (const s of ['submitted', 'in_progress', 'supplement_requested', 'returned', 'refused', 'draft'] as const) expect(states).toContain(s);
  });

  it('a citizen sees exactly their own dossiers (drafts included), and each one opens', async () => {
    for (const who of ['citizen.an', 'citizen.binh']) {
      const { items, totals } = await listAll(who);
      const expected = expectedFor(who);
      expect(expected.length).toBeGreaterThanOrEqual(2);
      expect(totals[0]).toBe(expected.length);
      expect(sortedIds(items)).toEqual(sortedIds(expected));
      expect(items.some((i) => i.status === 'draft')).toBe(true);
      const other = who === 'citizen.an' ? 'citizen.binh' : 'citizen.an';
      for (const i of items) {
        expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${i.id}`, as: who })).status).toBe(200);
        expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${i.id}`, as: other })).status).toBe(404);
      }
    }
  });

  it('officer.khanh sees only dossiers of his commune centre, and each one opens', async () => {
    const { items, totals } = await listAll('officer.khanh');
    const expected = expectedFor('officer.khanh');
    expect(expected.length).toBeGreaterThan(0);
    expect(totals[0]).toBe(expected.length);
    expect(sortedIds(items)).toEqual(sortedIds(expected));
    for (const i of items) {
      const v = await t.request({ method: 'GET', url: `/api/v1/dossiers/${i.id}`, as: 'officer.khanh' });
      expect(v.status).toBe(200);
      expect([v.json.receivingAgency.code, v.json.competentAgency.code]).toContain('TTPVHCC-13669');
    }
    // None of the provincial centre's own dossiers leak into his list.
    const provincial = raw.find((r) => r.receiving_agency_id === agencyIds.TTPVHCC && r.status !== 'draft')!;
    expect(items.some((i) => i.id === provincial.id)).toBe(false);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${provincial.id}`, as: 'officer.khanh' })).status).toBe(404);
  });

  it('the provincial desk sees its centre’s dossiers but no drafts, ordered by due date (no due date last)', async () => {
    const { items, totals } = await listAll('reception.dung');
    const expected = expectedFor('reception.dung');
    expect(totals[0]).toBe(expected.length);
    expect(totals.every((n) => n === totals[0])).toBe(true);
    expect(sortedIds(items)).toEqual(sortedIds(expected));
    expect(items.some((i) => i.status === 'draft')).toBe(false);
    const dues = items.map((i) => (i.dueAt ? Date.parse(i.dueAt) : Infinity));
    for (let k = 1; k < dues.length; k++) expect(dues[k]!).toBeGreaterThanOrEqual(dues[k - 1]!);
    expect(items.at(-1)!.dueAt).toBeNull();
  });

  it('admin (no agency) sees no dossiers; anonymous callers get 401', async () => {
    const r = await list('admin.lan');
    expect(r.json).toEqual({ items: [], total: 0 });
    expect((await t.request({ method: 'GET', url: '/api/v1/dossiers' })).status).toBe(401);
  });
});

describe('filters', () => {
  it('status= keeps the listed states (comma-separated) and rejects unknown states', async () => {
    const { items, totals } = await listAll('reception.dung', 'status=received,in_progress');
    const expected = expectedFor('reception.dung', (r) => r.status === 'received' || r.status === 'in_progress');
    expect(expected.length).toBeGreaterThan(0);
    expect(totals[0]).toBe(expected.length);
    expect(sortedIds(items)).toEqual(sortedIds(expected));
    const returned = await list('reception.dung', 'status=returned&pageSize=100');
    expect(returned.json.items.every((i: Item) => i.status === 'returned')).toBe(true);
    expect(returned.json.total).toBe(expectedFor('reception.dung', (r) => r.status === 'returned').length);
    const bad = await list('reception.dung', 'status=received,lost');
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('VALIDATION_FAILED');
    // A citizen's own drafts only.
    const drafts = await list('citizen.an', 'status=draft');
    expect(drafts.json.total).toBe(expectedFor('citizen.an', (r) => r.status === 'draft').length);
    expect(drafts.json.items.every((i: Item) => i.status === 'draft' && i.code === null)).toBe(true);
  });

  it('overdue=true and overdue=false split the list exactly, and agree with the single view', async () => {
    const all = await list('reception.dung', 'pageSize=1');
    const late = await listAll('reception.dung', 'overdue=true');
    const onTime = await listAll('reception.dung', 'overdue=false');
    const expectedLate = expectedFor('reception.dung', overdueNow);
    expect(expectedLate.length).toBeGreaterThan(0);
    expect(late.totals[0]).toBe(expectedLate.length);
    expect(sortedIds(late.items)).toEqual(sortedIds(expectedLate));
    expect(late.items.every((i) => i.isOverdue)).toBe(true);
    expect(onTime.items.every((i) => !i.isOverdue)).toBe(true);
    expect(late.totals[0]! + onTime.totals[0]!).toBe(all.json.total);
    for (const i of [...late.items.slice(0, 5), ...onTime.items.filter((x) => x.dueAt).slice(0, 5)]) {
      const v = await t.request({ method: 'GET', url: `/api/v1/dossiers/${i.id}`, as: 'reception.dung' });
      expect(v.json.isOverdue).toBe(i.isOverdue);
    }
    expect((await list('reception.dung', 'overdue=yes')).status).toBe(422);
  });

  it('assignee=me lists the specialist’s own work only', async () => {
    for (const who of ['specialist.giang', 'officer.khanh']) {
      const { items, totals } = await listAll(who, 'assignee=me');
      const expected = expectedFor(who, (r) => r.assignee_id === ids[who]);
      expect(expected.length).toBeGreaterThan(0);
      expect(totals[0]).toBe(expected.length);
      expect(sortedIds(items)).toEqual(sortedIds(expected));
      expect(items.every((i) => i.assigneeId === ids[who])).toBe(true);
    }
    expect((await list('citizen.an', 'assignee=me')).json.total).toBe(0);
    expect((await list('reception.dung', 'assignee=me')).json.total).toBe(0);
    expect((await list('specialist.giang', 'assignee=someone')).status).toBe(422);
  });

  it('q= finds applicants by name without diacritics or case, by dossier code, and treats % and _ literally', async () => {
    const target = raw.find((r) => r.receiving_agency_id === agencyIds.TTPVHCC && r.status !== 'draft' && /[^\x00-\x7f]/.test(r.applicant_name))!;
    const plain = fold(target.applicant_name); // e.g. "tran thi hoa"
    const words = plain.split(' ');
    const matches = (r: Raw) => words.every((w) => fold(`${r.code ?? ''} ${r.applicant_name}`).includes(w));
    for (const q of [plain, plain.toUpperCase(), target.applicant_name]) {
      const { items, totals } = await listAll('reception.dung', `q=${encodeURIComponent(q)}`);
      expect(items.map((i) => i.id)).toContain(target.id);
      expect(items.every((i) => words.every((w) => fold(i.applicantName).includes(w)))).toBe(true);
      expect(totals[0]).toBe(expectedFor('reception.dung', matches).length);
    }
    const byCode = await list('reception.dung', `q=${encodeURIComponent(target.code!)}`);
    expect(byCode.json.items.map((i: Item) => i.id)).toEqual([target.id]);
    // Search stays inside what the caller may see.
    const asKhanh = await listAll('officer.khanh', `q=${encodeURIComponent(plain)}`);
    expect(asKhanh.items.every((i) => expectedFor('officer.khanh').some((r) => r.id === i.id))).toBe(true);
    expect((await list('reception.dung', 'q=%25')).json.total).toBe(0);
    expect((await list('reception.dung', 'q=_')).json.total).toBe(0);
    expect((await list('reception.dung', 'q=khong%20ai%20ten%20nay')).json.total).toBe(0);
  });

  it('procedure= and dueBefore= narrow the list; they combine with other filters', async () => {
    const { items, totals } = await listAll('reception.dung', `procedure=${CODE}`);
    const expected = expectedFor('reception.dung', (r) => r.procedure_code === CODE);
    expect(expected.length).toBeGreaterThan(0);
    expect(totals[0]).toBe(expected.length);
    expect(sortedIds(items)).toEqual(sortedIds(expected));
    expect((await list('reception.dung', 'procedure=9.999999')).json.total).toBe(0);

    const cut = new Date(Date.now() - 90 * 86_400_000);
    const before = await listAll('reception.dung', `dueBefore=${encodeURIComponent(cut.toISOString())}`);
    expect(before.items.every((i) => i.dueAt !== null && Date.parse(i.dueAt) < cut.getTime())).toBe(true);
    expect(before.totals[0]).toBe(expectedFor('reception.dung', (r) => r.due_at !== null && r.due_at < cut).length);
    expect((await list('reception.dung', 'dueBefore=2026-01-01')).status).toBe(422);

    const combo = await listAll('reception.dung', `procedure=${CODE}&status=returned&overdue=true`);
    expect(combo.totals[0]).toBe(expectedFor('reception.dung', (r) => r.procedure_code === CODE && r.status === 'returned' && overdueNow(r)).length);
    expect(combo.items.every((i) => i.procedureCode === CODE && i.status === 'returned' && i.isOverdue)).toBe(true);
  });

  it('pages without overlap or gaps and keeps the total on every page; bad paging is 422', async () => {
    const size = 7;
    const first = await list('reception.dung', `pageSize=${size}&page=1`);
    const total: number = first.json.total;
    expect(total).toBeGreaterThan(3 * size);
    const seen: string[] = [];
    const pages = Math.ceil(total / size);
    for (let p = 1; p <= pages; p++) {
      const r = await list('reception.dung', `pageSize=${size}&page=${p}`);
      expect(r.json.total).toBe(total);
      expect(r.json.items.length).toBe(p < pages ? size : total - size * (pages - 1));
      seen.push(...r.json.items.map((i: Item) => i.id));
    }
    expect(new Set(seen).size).toBe(total);
    const beyond = await list('reception.dung', `pageSize=${size}&page=${pages + 1}`);
    expect(beyond.json).toEqual({ items: [], total });
    expect((await list('reception.dung')).json.items.length).toBe(20);
    for (const q of ['pageSize=0', 'pageSize=101', 'page=0', 'page=abc', 'pageSize=1.5']) {
      const r = await list('reception.dung', q);
      expect(r.status, q).toBe(422);
      expect(r.json.code).toBe('VALIDATION_FAILED');
    }
  });
});
