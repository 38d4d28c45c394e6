/**
 * npm run bench:intake: the counter intake page (/can-bo/tiep-nhan) through the whole HTTP
 * pipeline (app.inject), as reception.dung (the provincial centre, which receives every demo
 * procedure) and as a commune centre's desk, with and without a search.
 *
 * On the demo catalogue (34 procedures), then with the catalogue copied BENCH_INTAKE_COPIES times
 * more (default 60: about 2,000 procedures; copies get new codes, the same definitions and
 * popularity; one copy in ten keeps its receiving centres, the others are received by the
 * provincial centre only, so a commune's desk takes about one procedure in eight). Each page is requested BENCH_INTAKE_REQUESTS times (default 200) after
 * 10 warm-up requests; prints p50, p95 and the mean in ms. PGlite in memory, or a throwaway database
 * on TEST_DATABASE_URL.
 */
import { queryRows, sql } from '../src/db/client.ts';
import { createTestApp, type TestApp } from '../test/harness.ts';
import { percentile } from './lib.ts';

const REQUESTS = Number(process.env.BENCH_INTAKE_REQUESTS ?? 200);
const COPIES = Number(process.env.BENCH_INTAKE_COPIES ?? 60);

async function time(t: TestApp, url: string, cookie: string) {
  const once = async () => {
    const t0 = performance.now();
    const r = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    const ms = performance.now() - t0;
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    return { ms, options: (r.body.match(/<option value="[^"]/g) ?? []).length };
  };
  for (let i = 0; i < 10; i++) await once();
  const runs: number[] = [];
  let options = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const r = await once();
    runs.push(r.ms);
    options = r.options;
  }
  runs.sort((a, b) => a - b);
  const mean = runs.reduce((s, x) => s + x, 0) / runs.length;
  return { p50: percentile(runs, 50), p95: percentile(runs, 95), mean, options };
}

async function copyCatalogue(t: TestApp, copies: number) {
  const db = t.database.db;
  await db.execute(sql`CREATE TEMP TABLE bench_copy AS
    SELECT p.id AS src_id, p.current_version_id AS src_vid, g AS k, gen_random_uuid() AS pid, gen_random_uuid() AS vid
    FROM procedures p CROSS JOIN generate_series(1, ${copies}::int) g WHERE p.current_version_id IS NOT NULL`);
  await db.execute(sql`INSERT INTO procedures (id, code, current_version_id, current_version, name, search_text, field_code, tier, online_level,
      competent_agency_id, popularity, is_active)
    SELECT c.pid, p.code || '.b' || c.k, c.vid, 1, p.name, p.search_text || ' ' || p.code || '.b' || c.k, p.field_code, p.tier, p.online_level,
      p.competent_agency_id, p.popularity, true
    FROM bench_copy c JOIN procedures p ON p.id = c.src_id`);
  // One copy in ten is received where its original is; the others by the provincial centre only (definition and index alike).
  await db.execute(sql`INSERT INTO procedure_versions (id, procedure_id, version, status, definition, published_at)
    SELECT c.vid, c.pid, 1, 'published',
      CASE WHEN c.k % 10 = 0 THEN v.definition ELSE jsonb_set(v.definition, '{receivingAgencyCodes}', '["TTPVHCC"]') END, now()
    FROM bench_copy c JOIN procedure_versions v ON v.id = c.src_vid`);
  await db.execute(sql`INSERT INTO procedure_agencies (procedure_id, agency_id)
    SELECT c.pid, pa.agency_id FROM bench_copy c JOIN procedure_agencies pa ON pa.procedure_id = c.src_id JOIN agencies a ON a.id = pa.agency_id
    WHERE c.k % 10 = 0 OR a.code = 'TTPVHCC'`);
  await db.execute(sql`DROP TABLE bench_copy`);
  const [n] = await queryRows<{ n: number | string }>(db, sql`SELECT count(*) AS n FROM procedures WHERE current_version_id IS NOT NULL`);
  return Number(n?.n ?? 0);
}

async function main() {
  const t = await createTestApp();
  try {
    const province = `tinhso_session=${await t.token('reception.dung')}`;
    const user = {
      username: 'reception.xa',
      displayName: 'Lò Thị Xa',
      password: 'mat-khau-dai-1',
      kind: 'staff',
      roles: [{ role: 'reception', agencyCode: 'TTPVHCC-13669' }],
    };
    if ((await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: user })).status !== 201) throw new Error('desk user');
    const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: user.password } });
    const commune = `tinhso_session=${login.json.token}`;
    const pages = [
      { label: 'province desk, choice', url: '/can-bo/tiep-nhan', cookie: province },
      { label: 'commune desk, choice', url: '/can-bo/tiep-nhan', cookie: commune },
      { label: 'province desk, search "dang ky"', url: '/can-bo/tiep-nhan?tim=dang+ky', cookie: province },
      { label: 'commune desk, search "dang ky"', url: '/can-bo/tiep-nhan?tim=dang+ky', cookie: commune },
    ];
    const run = async (catalogue: number) => {
      for (const p of pages) {
        const r = await time(t, p.url, p.cookie);
        console.log(
          `${String(catalogue).padStart(5)} procedures  ${p.label.padEnd(34)} p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  mean ${r.mean.toFixed(1).padStart(7)} ms  (${r.options} choices)`,
        );
      }
    };
    const [n] = await queryRows<{ n: number | string }>(t.database.db, sql`SELECT count(*) AS n FROM procedures WHERE current_version_id IS NOT NULL`);
    await run(Number(n?.n ?? 0));
    if (COPIES > 0) await run(await copyCatalogue(t, COPIES));
  } finally {
    await t.close();
  }
}

await main();
