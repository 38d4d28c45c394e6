import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { queryRows, sql, type Db } from '../src/db/client.ts';
import { DEMO_BANK_ADDRESS, EXTRAS_FROM, generateDemoDossiers } from '../src/db/demo/generate-dossiers.ts';
import { DOSSIER_STATUSES, FINAL_STATUSES, RULES, type DossierAction, type DossierStatus } from '../src/modules/dossiers/dossier-workflow.ts';
import { computeFees } from '../src/modules/payments/fees.ts';
import { PAYMENT_SYSTEM_USER_ID, REFERENCE_RE } from '../src/modules/payments/payment-requests.ts';
import { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { openForm } from '../src/platform/personal-data.ts';
import { evaluate, factOf, runSecurityMonitor } from '../src/modules/security/security.monitor.ts';
import { readChain, verifyAuditChain } from '../src/platform/audit.ts';
import { vnDate } from '../src/platform/time.ts';
import { createTestApp, submittedDossier, type TestApp } from './harness.ts';

// The demo data as a first start loads it (DEMO_DOSSIERS, default 2,000, up to the current time):
// every status present now, drafts private to their applicants, and codes numbered per agency
// and day in submission order, with the counters where the next live submission continues; the
// payments, ratings and addresses live use records with them.

const CONFIG = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/tinhso-unused' });
const COUNT = CONFIG.demoDossiers;
let t: TestApp;
let now: Date;

interface Row {
  id: string;
  code: string | null;
  status: DossierStatus;
  receiving_agency_id: string;
  identity_code: string;
  submitted_at: Date | null;
  received_at: Date | null;
  created_at: Date;
  created_by: string;
  applicant_user_id: string | null;
  assignee_id: string | null;
}
let rows: Row[] = [];

async function statusCounts(db: Db): Promise<Map<string, number>> {
  const r = await queryRows<{ status: string; n: number }>(db, sql`SELECT status, count(*)::int AS n FROM dossiers GROUP BY status`);
  return new Map(r.map((x) => [x.status, Number(x.n)]));
}

/** The audit records of demo dossiers and their payments loaded at `upTo`, as the security monitor's rules read them. */
async function demoFacts(db: Db, upTo: Date) {
  return (await readChain(db, 0, 1_000_000)).filter((r) => (r.target_type === 'dossier' || r.target_type === 'payment') && new Date(r.at) <= upTo).map(factOf);
}

beforeAll(async () => {
  now = new Date();
  t = await createTestApp({ dossiers: COUNT, now });
  const d = (v: unknown) => (v === null ? null : new Date(v as string));
  rows = (
    await queryRows<Record<string, unknown>>(
      t.database.db,
      sql`SELECT d.id, d.code, d.status, d.receiving_agency_id, a.identity_code, d.submitted_at, d.received_at, d.created_at, d.created_by,
                 d.applicant_user_id, d.assignee_id
            FROM dossiers d JOIN agencies a ON a.id = d.receiving_agency_id`,
    )
  ).map((r) => ({ ...(r as unknown as Row), submitted_at: d(r.submitted_at), received_at: d(r.received_at), created_at: d(r.created_at)! }));
}, 300_000);
afterAll(async () => t?.close());

describe('a default demo load', () => {
  it('gives every dossier a history the workflow allows, one state after another, and an end only in a final state', async () => {
    const entries = await queryRows<{ dossier_id: string; action: string; from_status: string | null; to_status: string }>(
      t.database.db,
      sql`SELECT h.dossier_id, h.action, h.from_status, h.to_status FROM dossier_history h ORDER BY h.dossier_id, h.at, h.id`,
    );
    const wrong: string[] = [];
    let prev: { dossier_id: string; to_status: string } | null = null;
    for (const e of entries) {
      const before = prev?.dossier_id === e.dossier_id ? prev.to_status : null;
      if (before !== null && e.from_status !== before) wrong.push(`${e.dossier_id}: ${e.action} from ${e.from_status} after ${before}`);
      const rule = RULES[e.action as DossierAction] as (typeof RULES)[DossierAction] | undefined;
      if (rule && !rule.from.includes(e.from_status as DossierStatus)) wrong.push(`${e.dossier_id}: ${e.action} from ${e.from_status}`);
      prev = e;
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    const ends = await queryRows<{ status: DossierStatus; finished: boolean; n: number }>(
      t.database.db,
      sql`SELECT status, finished_at IS NOT NULL AS finished, count(*)::int AS n FROM dossiers GROUP BY 1, 2`,
    );
    for (const r of ends) expect(r.finished, `${r.n} ${r.status}`).toBe(FINAL_STATUSES.has(r.status));
  });

  it(`has ${COUNT} dossiers over the last twelve months, in every status at the time it was loaded`, async () => {
    expect(COUNT).toBe(2000);
    expect(rows.length).toBe(COUNT);
    const counts = await statusCounts(t.database.db);
    for (const s of DOSSIER_STATUSES) expect(counts.get(s) ?? 0, `${s} at ${now.toISOString()}`).toBeGreaterThan(0);
    // In plausible numbers: most returned, a few waiting at each step.
    expect(counts.get('returned')!).toBeGreaterThan(COUNT * 0.75);
    // How many are being processed depends on the moment of loading (exactly 20 at one load this session): a dozen at least.
    expect(counts.get('in_progress')!, `in_progress at ${now.toISOString()}`).toBeGreaterThanOrEqual(12);
    for (const s of ['submitted', 'received', 'supplement_requested', 'payment_requested', 'done'] as const) expect(counts.get(s)!, s).toBeLessThanOrEqual(40);
    expect(counts.get('draft')).toBeGreaterThanOrEqual(3);
    expect(counts.get('draft')).toBeLessThanOrEqual(6);
    const submitted = rows.filter((r) => r.submitted_at).map((r) => r.submitted_at!.getTime());
    expect(Math.min(...submitted)).toBeGreaterThan(now.getTime() - 366 * 86_400_000);
    expect(Math.max(...submitted)).toBeLessThanOrEqual(now.getTime());
    // Spread over the year: every one of the last twelve months but the current one has dossiers.
    const months = new Set(submitted.map((ms) => vnDate(new Date(ms)).slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(12);
  });

  it('gives every history entry the audit record the live action writes, chained in time order', async () => {
    const db = t.database.db;
    // Each history entry up to the load's time has exactly one record: same action, actor, time,
    // role (the party for creation and submission, else the account's role; the payment gateway
    // acts as the desk) and details (a rating: the rating alone, as rateDossier writes it).
    const [h] = await queryRows<{ entries: number; unmatched: number }>(
      db,
      sql`SELECT count(*)::int AS entries, count(*) FILTER (WHERE NOT EXISTS (
            SELECT 1 FROM audit_log a
            WHERE a.target_type = 'dossier' AND a.target_id = h.dossier_id::text AND a.action = 'dossier.' || h.action AND a.at = h.at
              AND a.actor_id IS NOT DISTINCT FROM h.actor_id AND a.outcome = 'success'
              AND a.actor_role IS NOT DISTINCT FROM CASE WHEN h.action IN ('create', 'submit') THEN h.actor_role
                    WHEN h.actor_id = ${PAYMENT_SYSTEM_USER_ID}::uuid THEN 'reception'
                    ELSE (SELECT r.role FROM user_roles r WHERE r.user_id = h.actor_id ORDER BY r.role LIMIT 1) END
              AND a.details = CASE WHEN h.action = 'create' THEN jsonb_build_object('procedure', d.procedure_code, 'channel', d.channel, 'smsConsent', false)
                    WHEN h.action = 'rate' THEN h.data
                    ELSE jsonb_build_object('from', h.from_status, 'to', h.to_status) || h.data END))::int AS unmatched
          FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id WHERE h.at <= ${now}`,
    );
    expect(h!.entries).toBeGreaterThan(COUNT * 5);
    expect(h!.unmatched).toBe(0);
    const [a] = await queryRows<{ transitions: number; attached: number; files: number; anonymous: number }>(
      db,
      sql`SELECT count(*) FILTER (WHERE action <> 'dossier.file.attach')::int AS transitions,
                 count(*) FILTER (WHERE action = 'dossier.file.attach')::int AS attached,
                 (SELECT count(*)::int FROM dossier_files) AS files,
                 count(*) FILTER (WHERE actor_id IS NULL AND action NOT IN ('dossier.create', 'dossier.submit'))::int AS anonymous
          FROM audit_log WHERE target_type = 'dossier' AND at <= ${now}`,
    );
    // Nothing more: one record per entry, one per file attached; every action after submission has an actor.
    expect(a).toEqual({ transitions: h!.entries, attached: a!.files, files: a!.files, anonymous: 0 });
    expect(a!.files).toBeGreaterThan(COUNT);
    // What the live actions record with them: the due date set on receipt, the assignee, the step.
    const [data] = await queryRows<{ bad: number }>(
      db,
      sql`SELECT count(*) FILTER (WHERE (action = 'dossier.receive' AND details->>'dueAt' IS NULL)
                   OR (action = 'dossier.assign' AND details->>'assigneeId' IS NULL)
                   OR (action = 'dossier.forward' AND details->>'step' IS NULL)
                   OR (action = 'dossier.extend' AND (details->>'newDueAt')::timestamptz <= (details->>'previousDueAt')::timestamptz))::int AS bad
          FROM audit_log WHERE target_type = 'dossier'`,
    );
    expect(data!.bad).toBe(0);
    // Appended in time order, and the whole chain verifies.
    const [order] = await queryRows<{ backwards: number }>(
      db,
      sql`SELECT count(*) FILTER (WHERE at < prev)::int AS backwards
          FROM (SELECT at, lag(at) OVER (ORDER BY seq) AS prev FROM audit_log WHERE target_type IN ('dossier', 'payment') AND at <= ${now}) x`,
    );
    expect(order!.backwards).toBe(0);
    const v = await verifyAuditChain(db);
    const [{ n }] = (await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM audit_log`)) as [{ n: number }];
    expect(v).toMatchObject({ ok: true, records: n });
  });

  it('raises no security event over the demo records, whether read whole or as the monitor first reads them', async () => {
    const db = t.database.db;
    // The demo dossiers' records (the requests of the tests here come later, at the clock's time).
    const facts = await demoFacts(db, now);
    expect(facts.filter((f) => f.targetType === 'dossier' && ['reception', 'specialist', 'leader'].includes(f.actorRole ?? '')).length).toBeGreaterThan(COUNT);
    expect(await evaluate(db, facts, CONFIG.security)).toEqual([]);
    // The monitor's first run reads the last hour before now: before any test signs in (this test comes before those that do).
    const run = await runSecurityMonitor(db, t.app.log, CONFIG.security, now);
    expect(run.events).toBe(0);
  });

  it('writes the payment request of every request_payment as live use leaves it: pending, paid by transfer, or settled at the desk', async () => {
    const db = t.database.db;
    const ms = (v: unknown) => (v === null ? null : new Date(v as string).getTime());
    interface Paid {
      paymentId: string;
      amount: number;
      reference: string;
      method?: 'online' | 'desk';
      dueAt?: string;
    }
    const list = await queryRows<{
      id: string;
      dossier_id: string;
      code: string;
      amount: number;
      reference: string;
      status: string;
      fee_lines: unknown;
      due_at: unknown;
      paid_at: unknown;
      paid_amount: number | null;
      transaction_id: string | null;
      requested_by: string;
      created_at: unknown;
      closed_at: unknown;
      closed_by: string | null;
      dossier_status: string;
      is_paid_online: boolean;
      form: unknown;
      definition: unknown;
      req_at: unknown;
      req_actor: string;
      req_data: { payment: Paid };
      conf_at: unknown;
      conf_actor: string | null;
      conf_data: { payment: Paid; settledAtDesk?: string[] } | null;
    }>(
      db,
      sql`SELECT p.id, p.dossier_id, d.code, p.amount::int AS amount, p.reference, p.status, p.fee_lines, p.due_at, p.paid_at, p.paid_amount::int AS paid_amount,
                 p.transaction_id, p.requested_by, p.created_at, p.closed_at, p.closed_by, d.status AS dossier_status, d.is_paid_online, d.form, v.definition,
                 rq.at AS req_at, rq.actor_id AS req_actor, rq.data AS req_data, cf.at AS conf_at, cf.actor_id AS conf_actor, cf.data AS conf_data
            FROM payments p JOIN dossiers d ON d.id = p.dossier_id JOIN procedure_versions v ON v.id = d.procedure_version_id
            LEFT JOIN dossier_history rq ON rq.dossier_id = d.id AND rq.action = 'request_payment'
            LEFT JOIN dossier_history cf ON cf.dossier_id = d.id AND cf.action = 'confirm_payment'`,
    );
    const [{ requests }] = (await queryRows<{ requests: number }>(
      db,
      sql`SELECT count(*)::int AS requests FROM dossier_history WHERE action = 'request_payment'`,
    )) as [{ requests: number }];
    // One request per request_payment (and one row each in the join: no dossier asked twice).
    expect(list.length).toBe(requests);
    expect(new Set(list.map((p) => p.dossier_id)).size).toBe(list.length);
    expect(list.length).toBeGreaterThan(COUNT / 4);
    const counts = { pending: 0, online: 0, desk: 0 };
    for (const p of list) {
      const where = `${p.code} ${p.status}`;
      // The amount from the procedure version's fee schedule and the dossier's answers, as createPaymentRequest computes it.
      const fees = computeFees(ProcedureDefinition.parse(p.definition).fees, openForm(t.app.keyring, p.dossier_id, p.form));
      expect(p.amount, where).toBe(fees.total);
      expect(p.fee_lines, where).toEqual(fees.lines);
      expect(p.reference, where).toMatch(new RegExp(`^${REFERENCE_RE.source}$`));
      expect(ms(p.created_at), where).toBe(ms(p.req_at));
      expect(ms(p.due_at)! - ms(p.created_at)!, where).toBe(72 * 3_600_000);
      expect(p.requested_by, where).toBe(p.req_actor);
      expect(p.req_data.payment, where).toEqual({ paymentId: p.id, amount: p.amount, reference: p.reference, dueAt: new Date(ms(p.due_at)!).toISOString() });
      if (p.conf_at === null) {
        counts.pending++;
        expect([p.status, p.dossier_status, p.paid_at, p.closed_at], where).toEqual(['pending', 'payment_requested', null, null]);
        continue;
      }
      const paid = { paymentId: p.id, amount: p.amount, reference: p.reference };
      if (p.conf_data!.payment.method === 'online') {
        counts.online++;
        expect(p.conf_data, where).toEqual({ payment: { ...paid, method: 'online' } });
        expect([p.status, p.paid_amount, p.conf_actor, p.is_paid_online, p.closed_at], where).toEqual(['paid', p.amount, PAYMENT_SYSTEM_USER_ID, true, null]);
        expect(ms(p.paid_at)!, where).toBeLessThan(ms(p.conf_at)!);
        expect(ms(p.paid_at)!, where).toBeGreaterThan(ms(p.created_at)!);
        expect(p.transaction_id, where).toMatch(/^FT\d{11}$/);
      } else {
        counts.desk++;
        expect(p.conf_data, where).toEqual({ payment: { ...paid, method: 'desk' }, settledAtDesk: [p.id] });
        expect([p.status, p.closed_by, p.is_paid_online, p.paid_at, p.transaction_id], where).toEqual(['settled_at_desk', p.conf_actor, false, null, null]);
        expect(ms(p.closed_at), where).toBe(ms(p.conf_at));
      }
    }
    // Every dossier awaiting payment has its pending request; a realistic mix of transfers and cash at the desk.
    expect(counts.pending).toBe(rows.filter((r) => r.status === 'payment_requested').length);
    expect(counts.pending).toBeGreaterThan(0);
    expect(counts.online / (counts.online + counts.desk)).toBeGreaterThan(0.25);
    expect(counts.desk / (counts.online + counts.desk)).toBeGreaterThan(0.25);
    // The bank's transaction of each transfer, and the audit records the gateway and the desk write.
    const [check] = await queryRows<{ transactions: number; unmatched_transactions: number; confirmed: number; settled: number; unmatched_audit: number }>(
      db,
      sql`SELECT (SELECT count(*)::int FROM payment_transactions) AS transactions,
                 (SELECT count(*)::int FROM payments p WHERE p.status = 'paid' AND NOT EXISTS (
                    SELECT 1 FROM payment_transactions x JOIN dossier_history cf ON cf.dossier_id = p.dossier_id AND cf.action = 'confirm_payment'
                    WHERE x.payment_id = p.id AND x.provider_txn_id = p.transaction_id AND x.status = 'confirmed' AND x.hold_reason IS NULL
                      AND x.amount = p.amount AND x.reference = p.reference AND x.paid_at = p.paid_at AND x.received_at = cf.at
                      AND x.payload->>'transactionId' = p.transaction_id AND (x.payload->>'amount')::bigint = p.amount)) AS unmatched_transactions,
                 (SELECT count(*)::int FROM audit_log WHERE action = 'payment.confirmed') AS confirmed,
                 (SELECT count(*)::int FROM audit_log WHERE action = 'payment.settled_at_desk') AS settled,
                 (SELECT count(*)::int FROM payments p JOIN dossiers d ON d.id = p.dossier_id
                    JOIN dossier_history cf ON cf.dossier_id = p.dossier_id AND cf.action = 'confirm_payment'
                    WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target_type = 'payment' AND a.target_id = p.id::text AND a.at = cf.at AND a.actor_id = cf.actor_id
                      AND ((p.status = 'paid' AND a.action = 'payment.confirmed' AND a.actor_role = 'system'
                            AND a.details = jsonb_build_object('transactionId', p.transaction_id, 'reference', p.reference, 'amount', p.amount, 'dossier', d.code))
                        OR (p.status = 'settled_at_desk' AND a.action = 'payment.settled_at_desk' AND a.actor_role = 'reception'
                            AND a.details = jsonb_build_object('dossierId', d.id, 'amount', p.amount, 'reference', p.reference))))) AS unmatched_audit`,
    );
    expect(check).toEqual({ transactions: counts.online, unmatched_transactions: 0, confirmed: counts.online, settled: counts.desk, unmatched_audit: 0 });

    // The payments pages' API shows them: the desk's list of a dossier, the leader's reconciliation of a day.
    const [one] = await queryRows<{ code: string; day: string; reference: string }>(
      db,
      sql`SELECT d.code, to_char(x.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, p.reference
            FROM payments p JOIN dossiers d ON d.id = p.dossier_id JOIN agencies a ON a.id = d.receiving_agency_id
            JOIN payment_transactions x ON x.payment_id = p.id WHERE a.code = 'TTPVHCC' ORDER BY x.received_at DESC LIMIT 1`,
    );
    const listed = await t.request({ method: 'GET', url: `/api/v1/dossiers/${one!.code}/payments`, as: 'reception.dung' });
    expect(listed.status, listed.body).toBe(200);
    expect(listed.json).toEqual([expect.objectContaining({ status: 'paid', reference: one!.reference })]);
    const day = await t.request({ method: 'GET', url: `/api/v1/payments/reconciliation?date=${one!.day}`, as: 'leader.hoa' });
    expect(day.status, day.body).toBe(200);
    expect(day.json.summary.confirmedTotal).toBeGreaterThan(0);
    expect(day.json.mismatches).toEqual([]);
  });

  it('gives each rating the history entry and audit record rateDossier writes', async () => {
    const [r] = await queryRows<{ ratings: number; entries: number; records: number; no_entry: number; no_record: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS ratings,
                 (SELECT count(*)::int FROM dossier_history WHERE action = 'rate') AS entries,
                 (SELECT count(*)::int FROM audit_log WHERE action = 'dossier.rate') AS records,
                 count(*) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id
                   WHERE h.dossier_id = r.dossier_id AND h.action = 'rate' AND h.at = r.created_at AND h.actor_id = r.user_id
                     AND h.from_status = 'returned' AND h.to_status = 'returned' AND h.data = jsonb_build_object('rating', r.rating)
                     AND h.actor_role = CASE WHEN d.applicant_user_id = r.user_id THEN 'applicant' ELSE 'reception' END
                     AND h.at > d.returned_at))::int AS no_entry,
                 count(*) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM audit_log a WHERE a.target_type = 'dossier' AND a.target_id = r.dossier_id::text AND a.action = 'dossier.rate'
                     AND a.at = r.created_at AND a.actor_id = r.user_id AND a.details = jsonb_build_object('rating', r.rating)))::int AS no_record
          FROM dossier_ratings r`,
    );
    expect(r!.ratings).toBeGreaterThan(COUNT / 4);
    expect(r).toEqual({ ratings: r!.ratings, entries: r!.ratings, records: r!.ratings, no_entry: 0, no_record: 0 });
  });

  it('records where each actor acted from: applicants from home, staff from their centre, the bank from its own', async () => {
    const records = await queryRows<{ actor_id: string | null; kind: string | null; ip: string | null; action: string }>(
      t.database.db,
      sql`SELECT a.actor_id, u.kind, a.ip, a.action FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
          WHERE a.target_type IN ('dossier', 'payment') AND a.at <= ${now}`,
    );
    const citizen = /^(203\.0\.113|198\.51\.100)\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])$/;
    const addresses = new Map<string, Set<string>>();
    let online = 0;
    for (const r of records) {
      const where = `${r.action} by ${r.actor_id ?? 'an applicant without an account'}: ${r.ip}`;
      expect(r.ip, where).not.toBeNull();
      if (r.actor_id === PAYMENT_SYSTEM_USER_ID) expect(r.ip, where).toBe(DEMO_BANK_ADDRESS);
      else if (r.kind === 'staff') expect(r.ip, where).toMatch(/^10\.37\.\d{1,3}\.\d{1,3}$/);
      else {
        expect(r.ip, where).toMatch(citizen);
        online++;
      }
      if (r.actor_id) addresses.set(r.actor_id, (addresses.get(r.actor_id) ?? new Set()).add(r.ip!));
    }
    expect(online).toBeGreaterThan(COUNT / 2);
    // One address per account, as at home or at one workstation: no account hops between addresses.
    for (const [actor, ips] of addresses) expect([...ips], actor).toHaveLength(1);
    // Every applicant account from its own home, every member of staff at their own desk.
    const byAddress = new Map<string, string[]>();
    for (const [actor, ips] of addresses) byAddress.set([...ips][0]!, [...(byAddress.get([...ips][0]!) ?? []), actor]);
    for (const [ip, actors] of byAddress) expect(actors, ip).toHaveLength(1);
  });

  it('keeps received dossiers at the desk: received, not yet assigned', async () => {
    const received = rows.filter((r) => r.status === 'received');
    expect(received.length).toBeGreaterThan(0);
    for (const r of received) {
      expect(r.received_at!.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(r.assignee_id).toBeNull();
    }
    const last = await queryRows<{ action: string }>(
      t.database.db,
      sql`SELECT DISTINCT ON (h.dossier_id) h.action FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id
          WHERE d.status = 'received' ORDER BY h.dossier_id, h.at DESC, h.id DESC`,
    );
    expect(last.map((l) => l.action)).toEqual(received.map(() => 'receive'));
  });

  it('has recent drafts of the demo applicants, without a code, that only their applicant sees', async () => {
    const accounts = await queryRows<{ id: string; username: string }>(
      t.database.db,
      sql`SELECT id, username FROM users WHERE username IN ('citizen.an', 'citizen.binh', 'business.cuong')`,
    );
    const owner = new Map(accounts.map((a) => [a.id, a.username]));
    const drafts = rows.filter((r) => r.status === 'draft');
    expect(new Set(drafts.map((d) => owner.get(d.created_by)))).toEqual(new Set(['citizen.an', 'citizen.binh', 'business.cuong']));
    for (const d of drafts) {
      expect(d.code).toBeNull();
      expect(d.submitted_at).toBeNull();
      expect(d.applicant_user_id).toBe(d.created_by);
      expect(d.created_at.getTime()).toBeGreaterThan(now.getTime() - 10 * 86_400_000);
      expect(d.created_at.getTime()).toBeLessThan(now.getTime());
      const who = owner.get(d.created_by)!;
      const mine = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.id}`, as: who });
      expect(mine.status, mine.body).toBe(200);
      expect(mine.json.status).toBe('draft');
      for (const other of ['reception.dung', 'leader.hoa', who === 'citizen.an' ? 'citizen.binh' : 'citizen.an']) {
        expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.id}`, as: other })).status, other).toBe(404);
      }
    }
    const history = await queryRows<{ n: number; creates: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE action = 'create')::int AS creates FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id WHERE d.status = 'draft'`,
    );
    expect(history[0]).toEqual({ n: drafts.length, creates: drafts.length });
  });

  it('numbers codes per receiving agency and day from 0001, without gaps, in submission order', async () => {
    const coded = rows.filter((r) => r.status !== 'draft');
    expect(coded.every((r) => r.code !== null)).toBe(true);
    expect(new Set(coded.map((r) => r.code)).size).toBe(coded.length);
    const groups = new Map<string, Row[]>();
    for (const r of coded) {
      const day = vnDate(r.submitted_at!);
      // {agency}-{yymmdd}-{seq4}: the receiving agency's identity code and the day of submission.
      expect(r.code!.startsWith(`${r.identity_code}-${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}-`), r.code!).toBe(true);
      const key = `${r.receiving_agency_id}|${day}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    expect(groups.size).toBeGreaterThan(300);
    let sameDayPairs = 0;
    for (const list of groups.values()) {
      list.sort((a, b) => Number(a.code!.slice(-4)) - Number(b.code!.slice(-4)));
      expect(list.map((r) => Number(r.code!.slice(-4)))).toEqual(list.map((_, i) => i + 1));
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.submitted_at!.getTime(), `${list[i - 1]!.code} before ${list[i]!.code}`).toBeGreaterThanOrEqual(list[i - 1]!.submitted_at!.getTime());
        sameDayPairs++;
      }
    }
    expect(sameDayPairs).toBeGreaterThan(100);
    // The submission in each dossier's history carries its code.
    const mismatched = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id WHERE h.action = 'submit' AND h.data->>'code' IS DISTINCT FROM d.code`,
    );
    expect(mismatched[0]!.n).toBe(0);
  });

  it('leaves the counters at the last number of each agency and day, so a live submission takes the next', async () => {
    const counters = await queryRows<{ agency_id: string; day: string; last_seq: number }>(
      t.database.db,
      sql`SELECT agency_id, day::text AS day, last_seq FROM dossier_code_counters`,
    );
    const issued = new Map<string, number>();
    for (const r of rows)
      if (r.code)
        issued.set(`${r.receiving_agency_id}|${vnDate(r.submitted_at!)}`, (issued.get(`${r.receiving_agency_id}|${vnDate(r.submitted_at!)}`) ?? 0) + 1);
    expect(new Map(counters.map((c) => [`${c.agency_id}|${c.day}`, c.last_seq]))).toEqual(issued);

    const live = await submittedDossier(t, 'reception.dung', {
      procedureCode: '1.001193',
      channel: 'in_person',
      applicant: { type: 'citizen', fullName: 'Lò Văn Sơn', idNumber: '036188004455' },
    });
    const [d] = await queryRows<{ receiving_agency_id: string; submitted_at: Date }>(
      t.database.db,
      sql`SELECT receiving_agency_id, submitted_at FROM dossiers WHERE id = ${live.id}`,
    );
    const before = issued.get(`${d!.receiving_agency_id}|${vnDate(new Date(d!.submitted_at))}`) ?? 0;
    expect(live.code.slice(-4)).toBe(String(before + 1).padStart(4, '0'));
  });
});

describe('a demo load at any time of day', () => {
  // Smaller loads at awkward instants on an empty province, each rolled back: Monday before office
  // hours, Sunday night, the Tết holiday, National Day, Friday after closing.
  const instants = [
    '2026-11-23T07:00:00+07:00',
    '2026-11-22T23:00:00+07:00',
    '2027-02-10T10:00:00+07:00',
    '2026-09-02T08:00:00+07:00',
    '2026-11-27T17:30:00+07:00',
  ];
  const ROLLBACK = 'rollback';
  let u: TestApp;
  beforeAll(async () => {
    u = await createTestApp();
  }, 120_000);
  afterAll(async () => u?.close());

  interface Load {
    counts: Map<string, number>;
    rows: string[];
    /** Payment requests and the addresses of the audit records, by dossier code. */
    payments: string[];
    addresses: string[];
    /** Security events the rules raise over the load's audit records, and whether the chain verifies. */
    events: number;
    chainOk: boolean;
  }
  async function loadAt(at: string, seed: number): Promise<Load> {
    let out: Load | null = null;
    await u.database.db
      .transaction(async (tx) => {
        expect(await generateDemoDossiers(tx, u.files, { count: EXTRAS_FROM, now: new Date(at), seed, keyring: u.app.keyring })).toBe(EXTRAS_FROM);
        const rows = await queryRows<{ s: string }>(
          tx,
          sql`SELECT concat_ws(' ', code, status, procedure_code, submitted_at, created_at) AS s FROM dossiers ORDER BY 1`,
        );
        const payments = await queryRows<{ s: string }>(
          tx,
          sql`SELECT concat_ws(' ', d.code, p.reference, p.status, p.amount, p.transaction_id, p.created_at) AS s
                FROM payments p JOIN dossiers d ON d.id = p.dossier_id ORDER BY 1`,
        );
        const addresses = await queryRows<{ s: string }>(
          tx,
          sql`SELECT concat_ws(' ', d.code, a.action, a.at, a.ip) AS s FROM audit_log a JOIN dossiers d ON d.id::text = a.target_id
              WHERE a.target_type = 'dossier' AND d.code IS NOT NULL ORDER BY 1`,
        );
        out = {
          counts: await statusCounts(tx),
          rows: rows.map((r) => r.s),
          payments: payments.map((r) => r.s),
          addresses: addresses.map((r) => r.s),
          events: (await evaluate(tx, await demoFacts(tx, new Date(at)), CONFIG.security)).length,
          chainOk: (await verifyAuditChain(tx)).ok,
        };
        throw new Error(ROLLBACK);
      })
      .catch((err: Error) => {
        if (err.message !== ROLLBACK) throw err;
      });
    return out!;
  }

  it.each(instants)('at %s every status but the final ones has a dossier, and the audit records raise no security event', async (at) => {
    const { counts, events, chainOk } = await loadAt(at, 37);
    expect(events).toBe(0);
    expect(chainOk).toBe(true);
    for (const s of ['draft', 'submitted', 'received', 'in_progress', 'supplement_requested', 'payment_requested', 'done'] as const) {
      expect(counts.get(s) ?? 0, s).toBeGreaterThan(0);
    }
  });

  it('is the same for the same seed and time, and differs for another seed', async () => {
    const at = '2026-11-24T11:45:00+07:00';
    const a = await loadAt(at, 37);
    const b = await loadAt(at, 37);
    const c = await loadAt(at, 38);
    expect(a.rows.length).toBe(EXTRAS_FROM);
    expect(b.rows).toEqual(a.rows);
    expect(c.rows).not.toEqual(a.rows);
    // Payments (references, methods, the bank's transactions) and addresses too.
    expect(a.payments.length).toBeGreaterThan(10);
    expect(b.payments).toEqual(a.payments);
    expect(b.addresses).toEqual(a.addresses);
    expect(c.payments).not.toEqual(a.payments);
  });
});
