/**
 * npm run bench:web — weight and speed of the portal's pages on the embedded default with the
 * demo data (2,000 dossiers), served by the built bundle as `npm start` runs it.
 *
 * For each page: bytes transferred with Brotli (HTML + the stylesheet + the portal script, which
 * only improves pages: upload progress and instant search), and server time to first byte over 200 sequential requests (p50, p95) on a warm
 * server. Targets (issue 3): citizen pages ≤ 50 KB transferred, TTFB p50 ≤ 20 ms; the officer
 * worklist ≤ 100 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { buildDist, percentile, startServer, stopServer } from './lib.ts';

const REQUESTS = Number(process.env.BENCH_WEB_REQUESTS ?? 200);
const PROCEDURE = '1.001776';

interface Row {
  page: string;
  path: string;
  htmlBytes: number;
  transferred: number;
  p50: number;
  p95: number;
  target: { kb?: number; ttfb: number };
}

async function main() {
  buildDist();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bench-web-'));
  const server = await startServer({ DATA_DIR: dataDir, DEMO_DATA: 'auto' }, { built: true, timeoutMs: 600_000 });
  const http = new Pool(server.url, { connections: 1, pipelining: 1 });
  try {
    const login = async (username: string) => {
      const r = await http.request({
        path: '/api/v1/auth/login',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'tinhso-demo' }),
      });
      const j = (await r.body.json()) as { token?: string };
      if (r.statusCode !== 200 || !j.token) throw new Error(`login ${username}: ${r.statusCode}`);
      return j.token;
    };
    const citizen = await login('citizen.an');
    const officer = await login('reception.dung');

    // A draft to open the application form on.
    const draft = await http.request({
      path: '/api/v1/dossiers',
      method: 'POST',
      headers: { authorization: `Bearer ${citizen}`, 'content-type': 'application/json' },
      body: JSON.stringify({ procedureCode: PROCEDURE, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form: {} }),
    });
    const draftJson = (await draft.body.json()) as { id?: string };
    if (draft.statusCode !== 201 || !draftJson.id) throw new Error(`draft: ${draft.statusCode}`);

    const get = async (p: string, token: string | null) => {
      const t0 = performance.now();
      const r = await http.request({ path: p, method: 'GET', headers: { 'accept-encoding': 'br', ...(token ? { cookie: `tinhso_session=${token}` } : {}) } });
      const ttfb = performance.now() - t0;
      const body = Buffer.from(await r.body.arrayBuffer());
      if (r.statusCode !== 200) throw new Error(`${p}: ${r.statusCode}`);
      return { ttfb, body, encoding: String(r.headers['content-encoding'] ?? ''), html: body };
    };

    const home = await get('/', null);
    const cssHref = /href="(\/assets\/site\.css\?v=[0-9a-f]+)"/.exec((await decoded(home.body, home.encoding)).toString())?.[1];
    if (!cssHref) throw new Error('no stylesheet link on the home page');
    const css = await get(cssHref, null);
    const jsSrc = /src="(\/assets\/portal\.js\?v=[0-9a-f]+)"/.exec((await decoded(home.body, home.encoding)).toString())?.[1];
    if (!jsSrc) throw new Error('no portal script on the home page');
    const js = await get(jsSrc, null);

    const pages: { page: string; path: string; token: string | null; target: Row['target'] }[] = [
      { page: 'home', path: '/', token: null, target: { kb: 50, ttfb: 20 } },
      { page: 'procedure', path: `/thu-tuc/${PROCEDURE}`, token: null, target: { kb: 50, ttfb: 20 } },
      { page: 'search', path: '/thu-tuc?q=khai+sinh', token: null, target: { kb: 50, ttfb: 20 } },
      { page: 'form step (draft)', path: `/ho-so/${draftJson.id}`, token: citizen, target: { kb: 50, ttfb: 20 } },
      { page: 'my dossiers', path: '/ho-so', token: citizen, target: { kb: 50, ttfb: 20 } },
      { page: 'officer worklist', path: '/can-bo/ho-so', token: officer, target: { ttfb: 100 } },
    ];
    const rows: Row[] = [];
    for (const pg of pages) {
      for (let i = 0; i < 20; i++) await get(pg.path, pg.token); // warm-up
      const times: number[] = [];
      let last = await get(pg.path, pg.token);
      for (let i = 0; i < REQUESTS; i++) {
        last = await get(pg.path, pg.token);
        times.push(last.ttfb);
      }
      times.sort((a, b) => a - b);
      const htmlBytes = (await decoded(last.body, last.encoding)).length;
      rows.push({
        page: pg.page,
        path: pg.path,
        htmlBytes,
        transferred: last.body.length + css.body.length + js.body.length,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        target: pg.target,
      });
    }

    console.log(
      `\nPortal pages (built bundle, PGlite, demo data; ${REQUESTS} sequential requests each; stylesheet ${css.body.length} B and script ${js.body.length} B brotli, counted in every page)`,
    );
    console.log('page                 | HTML bytes | transferred (br, +CSS+JS) | TTFB p50 | TTFB p95 | target');
    let failed = 0;
    for (const r of rows) {
      const okSize = r.target.kb === undefined || r.transferred <= r.target.kb * 1024;
      const okTime = r.p50 <= r.target.ttfb;
      if (!okSize || !okTime) failed++;
      console.log(
        `${r.page.padEnd(20)} | ${String(r.htmlBytes).padStart(10)} | ${`${(r.transferred / 1024).toFixed(1)} KB`.padStart(22)} | ${`${r.p50.toFixed(1)} ms`.padStart(8)} | ${`${r.p95.toFixed(1)} ms`.padStart(8)} | ${r.target.kb ? `≤ ${r.target.kb} KB, ` : ''}p50 ≤ ${r.target.ttfb} ms ${okSize && okTime ? 'met' : 'MISSED'}`,
      );
    }
    console.log(failed ? `\n${failed} page(s) missed a target` : '\nall targets met');
  } finally {
    await http.close();
    await stopServer(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function decoded(body: Buffer, encoding: string): Promise<Buffer> {
  const zlib = await import('node:zlib');
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  return body;
}

await main();
