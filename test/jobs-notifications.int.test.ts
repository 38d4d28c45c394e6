import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { notificationJobHandlers, notificationSchedules, pruneNotifications } from '../src/modules/notifications/notifications.jobs.ts';
import { housekeepingHandlers, housekeepingSchedules, PRUNE_JOB, pruneIdempotencyKeys, pruneJobs } from '../src/platform/housekeeping.ts';
import { newId } from '../src/platform/ids.ts';
import { enqueueJob, JobWorker, type BatchJobHandler } from '../src/platform/jobs.ts';
import { createAccount, createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ dossiers: 200 });
});
afterAll(async () => t?.close());

const drain = async (w: JobWorker) => {
  while ((await w.runOnce()) > 0);
};

describe('the job queue and notifications', () => {
  it('delivers a notification for a state change once, after the change commits', async () => {
    const worker = new JobWorker(t.database.db, notificationJobHandlers, t.app.log);
    await drain(worker);
    const p = (await t.request({ method: 'GET', url: '/api/v1/procedures/1.001776' })).json.definition;
    const s = await submittedDossier(t, 'citizen.binh', {
      procedureCode: '1.001776',
      applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' },
      form: requiredAnswers(p.form, 3),
    });
    const before = (await t.request({ method: 'GET', url: '/api/v1/me/notifications', as: 'citizen.binh' })).json;
    expect(before.items.some((n: { dossierCode: string }) => n.dossierCode === s.code)).toBe(false);
    await drain(worker);
    await drain(worker);
    const after = (await t.request({ method: 'GET', url: '/api/v1/me/notifications?unread=true', as: 'citizen.binh' })).json;
    const mine = after.items.filter((n: { dossierCode: string }) => n.dossierCode === s.code);
    expect(mine).toHaveLength(1);
    expect(mine[0].title).toContain(s.code);
    expect((await t.request({ method: 'POST', url: `/api/v1/me/notifications/${mine[0].id}/read`, as: 'citizen.an' })).status).toBe(404);
    expect((await t.request({ method: 'POST', url: `/api/v1/me/notifications/${mine[0].id}/read`, as: 'citizen.binh' })).status).toBe(204);
    const unread = (await t.request({ method: 'GET', url: '/api/v1/me/notifications', as: 'citizen.binh' })).json.unread;
    expect(unread).toBe(after.unread - 1);
  });

  it('scans deadlines hourly: overdue dossiers reach their assignee once a day, however many instances offer the job', async () => {
    const a = new JobWorker(t.database.db, notificationJobHandlers, t.app.log, { schedules: notificationSchedules });
    const b = new JobWorker(t.database.db, notificationJobHandlers, t.app.log, { schedules: notificationSchedules });
    await a.enqueueScheduled();
    await b.enqueueScheduled();
    const [{ n: scans }] = (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM jobs WHERE type = 'dossier.deadline_scan'`)) as [
      { n: number },
    ];
    expect(scans).toBe(1);
    // One of giang's dossiers late for certain, whatever the demo's draw left open and late.
    const def = (await t.request({ method: 'GET', url: '/api/v1/procedures/1.001776' })).json.definition;
    const late = await submittedDossier(t, 'citizen.binh', {
      procedureCode: '1.001776',
      applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' },
      form: requiredAnswers(def.form, 3),
    });
    const [giang] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE username = 'specialist.giang'`);
    for (const body of [{ action: 'receive' }, { action: 'assign', assigneeId: giang!.id }]) {
      const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${late.code}/actions`, as: 'reception.dung', payload: body });
      expect(r.status, r.body).toBe(200);
    }
    await t.database.db.execute(sql`UPDATE dossiers SET due_at = now() - interval '1 day' WHERE id = ${late.id}`);
    await drain(a);
    const [overdueOpen] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM dossiers d JOIN users u ON u.id = d.assignee_id
          WHERE u.username = 'specialist.giang' AND d.status IN ('received','in_progress','payment_requested') AND d.paused_at IS NULL AND d.due_at < now()`,
    );
    expect(Number(overdueOpen!.n)).toBeGreaterThan(0);
    const list = (await t.request({ method: 'GET', url: '/api/v1/me/notifications?limit=100', as: 'specialist.giang' })).json.items;
    const overdue = list.filter((n: { kind: string }) => n.kind === 'deadline_overdue');
    expect(overdue.length).toBe(Math.min(100, Number(overdueOpen!.n)));
    // The same day again: nothing new.
    await t.database.db.execute(sql`DELETE FROM jobs WHERE type = 'dossier.deadline_scan'`);
    await a.enqueueScheduled();
    await drain(a);
    const again = (await t.request({ method: 'GET', url: '/api/v1/me/notifications?limit=100', as: 'specialist.giang' })).json.items;
    expect(again.filter((n: { kind: string }) => n.kind === 'deadline_overdue').length).toBe(overdue.length);
  });

  it('tells the active desk officers of the receiving centre about a late dossier nobody is assigned', async () => {
    for (const username of ['reception.tam', 'reception.nghi']) {
      await createAccount(t, {
        username,
        displayName: `Cán bộ ${username}`,
        password: 'mat-khau-dai-1',
        kind: 'staff',
        roles: [{ role: 'reception', agencyCode: 'TTPVHCC' }],
      });
    }
    expect((await t.request({ method: 'PATCH', url: '/api/v1/users/reception.nghi', as: 'admin.lan', payload: { isActive: false } })).status).toBe(204);
    const [late] = await queryRows<{ id: string; code: string }>(
      t.database.db,
      sql`UPDATE dossiers SET assignee_id = NULL, paused_at = NULL, due_at = now() - interval '2 days'
          WHERE id = (SELECT d.id FROM dossiers d JOIN agencies a ON a.id = d.receiving_agency_id WHERE a.code = 'TTPVHCC' AND d.status = 'received' ORDER BY d.id LIMIT 1)
          RETURNING id, code`,
    );
    await t.database.db.execute(sql`DELETE FROM jobs WHERE type = 'dossier.deadline_scan'`);
    const w = new JobWorker(t.database.db, notificationJobHandlers, t.app.log, { schedules: notificationSchedules });
    await w.enqueueScheduled();
    await drain(w);
    const told = await queryRows<{ username: string; title: string }>(
      t.database.db,
      sql`SELECT u.username, n.title FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.dossier_id = ${late!.id} AND n.kind = 'deadline_overdue' ORDER BY u.username`,
    );
    expect(told).toEqual([
      { username: 'reception.dung', title: `Hồ sơ ${late!.code} đã quá hạn` },
      { username: 'reception.tam', title: `Hồ sơ ${late!.code} đã quá hạn` },
    ]);
  });

  it('keeps read notifications 180 days and deadline reminders 30, unread ones until read', async () => {
    const [u] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE username = 'specialist.giang'`);
    const now = new Date('2027-06-01T03:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const rows = {
      readOld: { kind: 'receive', at: daysAgo(181), read: daysAgo(180) },
      readRecent: { kind: 'receive', at: daysAgo(179), read: daysAgo(1) },
      unreadAncient: { kind: 'request_supplement', at: daysAgo(400), read: null },
      deadlineOld: { kind: 'deadline_overdue', at: daysAgo(31), read: null },
      deadlineRecent: { kind: 'deadline_soon', at: daysAgo(29), read: daysAgo(28) },
    };
    const ids: Record<string, string> = {};
    for (const [name, r] of Object.entries(rows)) {
      ids[name] = newId();
      await t.database.db.execute(
        sql`INSERT INTO notifications (id, user_id, kind, title, body, created_at, read_at) VALUES (${ids[name]}, ${u!.id}, ${r.kind}, ${name}, ${name}, ${r.at}, ${r.read})`,
      );
    }
    const mine = sql`SELECT title FROM notifications WHERE id IN (${sql.join(
      Object.values(ids).map((id) => sql`${id}`),
      sql`, `,
    )}) ORDER BY title`;
    expect(await pruneNotifications(t.database.db, now)).toBeGreaterThanOrEqual(2);
    expect((await queryRows<{ title: string }>(t.database.db, mine)).map((r) => r.title)).toEqual(['deadlineRecent', 'readRecent', 'unreadAncient']);
  });

  it('retries a failing job with backoff and gives up after its attempts', async () => {
    let calls = 0;
    const w = new JobWorker(
      t.database.db,
      {
        'test.flaky': async () => {
          calls++;
          throw new Error('SMTP 451');
        },
      },
      t.app.log,
    );
    await enqueueJob(t.database.db, new Date(), 'test.flaky', {}, { maxAttempts: 2 });
    await w.runOnce();
    const [j1] = await queryRows<{ status: string; attempts: number; last_error: string; later: boolean }>(
      t.database.db,
      sql`SELECT status, attempts, last_error, run_at > now() AS later FROM jobs WHERE type = 'test.flaky'`,
    );
    expect(j1).toMatchObject({ status: 'pending', attempts: 1, last_error: 'SMTP 451', later: true });
    await t.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE type = 'test.flaky'`);
    await w.runOnce();
    const [j2] = await queryRows<{ status: string; attempts: number }>(t.database.db, sql`SELECT status, attempts FROM jobs WHERE type = 'test.flaky'`);
    expect(j2).toMatchObject({ status: 'failed', attempts: 2 });
    expect(calls).toBe(2);
  });

  it('runs the jobs of a batch handler together in queue order; when the batch fails, one by one, and only the bad job fails', async () => {
    await drain(new JobWorker(t.database.db, notificationJobHandlers, t.app.log));
    const batches: number[][] = [];
    const singles: number[] = [];
    const handler = {
      many: async (jobs: { payload: Record<string, unknown> }[]) => {
        batches.push(jobs.map((j) => Number(j.payload.n)));
        if (jobs.some((j) => j.payload.bad)) throw new Error('one bad job');
      },
      one: async (job: { payload: Record<string, unknown> }) => {
        singles.push(Number(job.payload.n));
        if (job.payload.bad) throw new Error(`bad job ${String(job.payload.n)}`);
      },
    };
    const base = Date.now() - 60_000;
    // Queued out of id order: n is the queue order.
    for (const n of [3, 1, 0, 2]) await enqueueJob(t.database.db, new Date(base + n), 'test.batch', { n, dossierId: 'A' });
    const w = new JobWorker(t.database.db, { 'test.batch': handler }, t.app.log, { batch: 20 });
    expect(await w.runOnce()).toBe(4);
    expect(batches).toEqual([[0, 1, 2, 3]]);
    expect(singles).toEqual([]);

    for (const n of [4, 5, 6]) await enqueueJob(t.database.db, new Date(base + n), 'test.batch', n === 5 ? { n, bad: true } : { n });
    expect(await w.runOnce()).toBe(3);
    expect(batches.at(-1)).toEqual([4, 5, 6]);
    expect(singles).toEqual([4, 5, 6]);
    const rows = await queryRows<{ n: number; status: string; last_error: string | null }>(
      t.database.db,
      sql`SELECT (payload->>'n')::int AS n, status, last_error FROM jobs WHERE type = 'test.batch' AND (payload->>'n')::int >= 4 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { n: 4, status: 'done', last_error: null },
      { n: 5, status: 'pending', last_error: 'bad job 5' },
      { n: 6, status: 'done', last_error: null },
    ]);
    await t.database.db.execute(sql`DELETE FROM jobs WHERE type = 'test.batch'`);
  });

  it('writes the in-app notifications of a batch of changes in one go, in the order they happened', async () => {
    // Three dossiers of citizen.an's own (not the demo's, whose spread may change).
    const userId = (await t.request({ method: 'GET', url: '/api/v1/me', as: 'citizen.an' })).json.id as string;
    const picked: { id: string; code: string; user_id: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const { id, code } = await submittedDossier(t, 'citizen.an', {
        procedureCode: '1.001776',
        applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
      });
      picked.push({ id, code, user_id: userId });
    }
    await drain(new JobWorker(t.database.db, notificationJobHandlers, t.app.log));
    const [a, b, c] = picked as [(typeof picked)[0], (typeof picked)[0], (typeof picked)[0]];
    const base = Date.now() - 60_000;
    const changes = [
      [a, 'submit', 'submitted'],
      [b, 'submit', 'submitted'],
      [a, 'receive', 'received'],
      [c, 'refuse', 'refused'],
      [a, 'request_supplement', 'supplement_requested'],
    ] as const;
    for (const [i, [d, action, to]] of changes.entries()) {
      await enqueueJob(t.database.db, new Date(base + i), 'dossier.status_changed', { dossierId: d.id, action, from: 'draft', to, mark: 'batch-order' });
    }
    // A change of a dossier that no longer exists is done with nothing to write.
    await enqueueJob(t.database.db, new Date(base + 9), 'dossier.status_changed', {
      dossierId: '00000000-0000-7000-8000-000000000000',
      action: 'submit',
      to: 'submitted',
      mark: 'batch-order',
    });
    // The real handler, counting its batches.
    const real = notificationJobHandlers['dossier.status_changed'] as BatchJobHandler;
    const batches: number[] = [];
    const counted: BatchJobHandler = { one: real.one, many: async (jobs, db) => (batches.push(jobs.length), real.many(jobs, db)) };
    const w = new JobWorker(t.database.db, { ...notificationJobHandlers, 'dossier.status_changed': counted }, t.app.log, { batch: 20 });
    expect(await w.runOnce()).toBe(6);
    expect(batches).toEqual([6]);
    const written = await queryRows<{ dossier_id: string; kind: string; title: string; user_id: string }>(
      t.database.db,
      sql`SELECT n.dossier_id, n.kind, n.title, n.user_id FROM notifications n JOIN jobs j ON n.dedupe_key = 'job:' || j.id
          WHERE j.payload->>'mark' = 'batch-order' ORDER BY n.id`,
    );
    expect(written.map((n) => [n.dossier_id, n.kind])).toEqual(changes.map(([d, action]) => [d.id, action]));
    expect(written.every((n) => n.user_id === a.user_id)).toBe(true);
    expect(written[3]!.title).toBe(`Hồ sơ ${c.code}: Không được tiếp nhận`);
    // The applicant sees them newest first, though one batch wrote them in the same millisecond.
    const listed = (await t.request({ method: 'GET', url: '/api/v1/me/notifications?limit=100', as: 'citizen.an' })).json.items as {
      dossierCode: string;
      kind: string;
    }[];
    const ours = listed.filter((n) => [a.code, b.code, c.code].includes(n.dossierCode) && changes.some(([, action]) => action === n.kind));
    expect(ours.slice(0, changes.length).map((n) => [n.dossierCode, n.kind])).toEqual(changes.map(([d, action]) => [d.code, action]).reverse());
    const [left] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE type = 'dossier.status_changed' AND status <> 'done'`,
    );
    expect(left!.n).toBe(0);
    // Run again (a worker that crashed before marking them done): nothing twice.
    await t.database.db.execute(sql`UPDATE jobs SET status = 'pending' WHERE payload->>'mark' = 'batch-order'`);
    expect(await w.runOnce()).toBe(6);
    const [again] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM notifications n JOIN jobs j ON n.dedupe_key = 'job:' || j.id WHERE j.payload->>'mark' = 'batch-order'`,
    );
    expect(again!.n).toBe(changes.length);
  });

  it('prunes finished jobs after their retention (done 7 days, failed 90) and idempotency records after 30 days, hourly, and nothing else', async () => {
    const now = new Date();
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const put = async (name: string, status: string, finishedDaysAgo: number | null) =>
      t.database.db.execute(
        sql`INSERT INTO jobs (type, payload, status, run_at, created_at, finished_at)
            VALUES ('test.prune', ${JSON.stringify({ name })}::jsonb, ${status}, ${daysAgo(100)}, ${daysAgo(100)}, ${finishedDaysAgo === null ? null : daysAgo(finishedDaysAgo)})`,
      );
    await put('done-8d', 'done', 8);
    await put('done-6d', 'done', 6);
    await put('failed-91d', 'failed', 91);
    await put('failed-30d', 'failed', 30);
    await put('pending-old', 'pending', null);
    await put('running-old', 'running', null);
    // Due long ago, so a worker would claim it: keep the claim away from it by running prune directly.
    await t.database.db.execute(
      sql`UPDATE jobs SET run_at = ${new Date(now.getTime() + 86_400_000)} WHERE type = 'test.prune' AND status IN ('pending', 'running')`,
    );
    expect(await pruneJobs(t.database.db, now)).toBeGreaterThanOrEqual(2);
    const left = await queryRows<{ name: string }>(t.database.db, sql`SELECT payload->>'name' AS name FROM jobs WHERE type = 'test.prune' ORDER BY 1`);
    expect(left.map((r) => r.name)).toEqual(['done-6d', 'failed-30d', 'pending-old', 'running-old']);

    // Idempotency records are kept 30 days.
    const [owner] = await queryRows<{ user_id: string; id: string }>(
      t.database.db,
      sql`SELECT applicant_user_id AS user_id, id FROM dossiers WHERE applicant_user_id IS NOT NULL LIMIT 1`,
    );
    for (const [key, age] of [
      ['prune-31d', 31],
      ['prune-29d', 29],
    ] as const) {
      await t.database.db.execute(
        sql`INSERT INTO idempotency_keys (user_id, key, scope, request_hash, resource_id, created_at) VALUES (${owner!.user_id}, ${key}, 'dossier.create', 'h', ${owner!.id}, ${daysAgo(age)})`,
      );
    }
    expect(await pruneIdempotencyKeys(t.database.db, new Date(now.getTime() - 86_400_000))).toBe(0);
    expect(await pruneIdempotencyKeys(t.database.db, now)).toBeGreaterThanOrEqual(1);
    const keys = await queryRows<{ key: string }>(t.database.db, sql`SELECT key FROM idempotency_keys WHERE key LIKE 'prune-%' ORDER BY 1`);
    expect(keys.map((k) => k.key)).toEqual(['prune-29d']);

    // Wired as an hourly job: one per period, however many instances offer it.
    await put('done-10d', 'done', 10);
    await t.database.db.execute(sql`UPDATE idempotency_keys SET created_at = ${daysAgo(40)} WHERE key = 'prune-29d'`);
    const w = new JobWorker(t.database.db, { ...notificationJobHandlers, ...housekeepingHandlers }, t.app.log, { schedules: housekeepingSchedules });
    await w.enqueueScheduled(now);
    await w.enqueueScheduled(now);
    expect(
      (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM jobs WHERE type = ${PRUNE_JOB} AND status = 'pending'`))[0]!.n,
    ).toBe(1);
    await drain(w);
    const after = await queryRows<{ name: string }>(t.database.db, sql`SELECT payload->>'name' AS name FROM jobs WHERE type = 'test.prune' ORDER BY 1`);
    expect(after.map((r) => r.name)).toEqual(['done-6d', 'failed-30d', 'pending-old', 'running-old']);
    expect(await queryRows(t.database.db, sql`SELECT key FROM idempotency_keys WHERE key LIKE 'prune-%'`)).toEqual([]);
    await t.database.db.execute(sql`DELETE FROM jobs WHERE type IN ('test.prune', ${PRUNE_JOB})`);
  });

  it("runs one dossier's jobs in the order they were queued, and other jobs side by side", async () => {
    await drain(new JobWorker(t.database.db, notificationJobHandlers, t.app.log));
    const log: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const handler = async (job: { payload: Record<string, unknown> }) => {
      const name = `${String(job.payload.dossierId ?? 'none')}${String(job.payload.n)}`;
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${name}`);
      running--;
    };
    const base = Date.now() - 60_000;
    // Queued interleaved: A0 B0 A1 B1 ... plus jobs about no dossier.
    for (let n = 0; n < 4; n++) {
      for (const dossierId of ['A', 'B', null]) {
        await enqueueJob(
          t.database.db,
          new Date(base + n * 10 + (dossierId === 'A' ? 0 : dossierId === 'B' ? 1 : 2)),
          'test.order',
          dossierId ? { dossierId, n } : { n },
        );
      }
    }
    const w = new JobWorker(t.database.db, { 'test.order': handler }, t.app.log, { batch: 20, concurrency: 4 });
    expect(await w.runOnce()).toBe(12);
    for (const d of ['A', 'B']) {
      const mine = log.filter((e) => new RegExp(` ${d}\\d$`).test(e));
      // Each starts after the one before it ended, in queue order.
      expect(mine).toEqual([0, 1, 2, 3].flatMap((n) => [`start ${d}${n}`, `end ${d}${n}`]));
    }
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(4);
    const [left] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM jobs WHERE type = 'test.order' AND status <> 'done'`);
    expect(left!.n).toBe(0);
  });
});
