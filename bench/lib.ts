import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Server {
  proc: ChildProcess;
  url: string;
  readyMs: number;
  /** What the server wrote (its first 1 MB: start-up lines and early errors). */
  output: () => string;
  /** Lines the server has written so far. */
  lines: () => number;
}

/** Builds the server as `npm start` does, into dist/ or into `folder` (relative to the project). */
export function buildDist(folder?: string): void {
  execFileSync(process.execPath, ['scripts/build.mjs', ...(folder ? [folder] : [])], { cwd: ROOT, stdio: 'inherit' });
}

/** A process's parent and CPU times, ms (Linux /proc/<pid>/stat; clock ticks of 10 ms): its own, and its waited-for children's. */
function procStat(pid: number | string): { ppid: number; user: number; system: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), user: Number(f[11]) * 10, system: Number(f[12]) * 10, children: (Number(f[13]) + Number(f[14])) * 10 };
}

/** CPU time a process has used in user and system mode, ms; NaN once it is gone. */
export function cpuMsOf(pid: number): { user: number; system: number; total: number } {
  try {
    const { user, system } = procStat(pid);
    return { user, system, total: user + system };
  } catch {
    return { user: NaN, system: NaN, total: NaN };
  }
}

/**
 * CPU time (user + system, ms) of a process and its children: the live ones, and those that ended
 * and were waited for (the parent's cutime/cstime). A PostgreSQL server's postmaster with its
 * backends (those closed during the run included), or the server with its HTTP workers.
 */
export function processTreeCpuMs(rootPid: number): number {
  let ms: number;
  try {
    const root = procStat(rootPid);
    ms = root.user + root.system + root.children;
  } catch {
    return NaN;
  }
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === String(rootPid)) continue;
    try {
      const st = procStat(pid);
      if (st.ppid === rootPid) ms += st.user + st.system;
    } catch {
      // The process ended between the listing and the read (its time is now in the root's).
    }
  }
  return ms;
}

/** The postmaster of the PostgreSQL server scripts/pg-temp.sh started for this run (PG_TEMP_DATA), or null. */
export function pgTempPostmasterPid(): number | null {
  const data = process.env.PG_TEMP_DATA;
  if (!data) return null;
  try {
    return Number(readFileSync(`${data}/postmaster.pid`, 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

const OUTPUT_KEPT = 1 << 20;

/**
 * Starts the server in a child process and waits until /readyz answers 200: the built bundle
 * (`dist/main.js`, as `npm start` runs it, or the one in the folder `built` names) when `built`,
 * else `src/main.ts` through tsx. BENCH_NODE_FLAGS go to its node (e.g. --cpu-prof).
 */
export async function startServer(env: Record<string, string>, opts: { built?: boolean | string; timeoutMs?: number } = {}): Promise<Server> {
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const entry = opts.built ? [path.join(typeof opts.built === 'string' ? opts.built : 'dist', 'main.js')] : ['--import', 'tsx', 'src/main.ts'];
  const port = await freePort();
  const started = Date.now();
  let out = '';
  let lines = 0;
  const keep = (d: Buffer) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    if (out.length < OUTPUT_KEPT) out += d.toString();
  };
  const proc = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...entry], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}):\n${out}`);
    if (Date.now() - started > timeoutMs) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready in ${timeoutMs} ms:\n${out}`);
    }
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return { proc, url, readyMs: Date.now() - started, output: () => out, lines: () => lines };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopServer(s: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  // Already gone: exited (exitCode) or killed by a signal (signalCode; exitCode stays null then).
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill(signal);
  await exited;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const SAMPLE_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export function multipartBody(component: string, data: Buffer) {
  const boundary = '----tinhsobench7MA4YWxkTrZu0gW';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="component"\r\n\r\n${component}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="don.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The body of a one-request submission (POST /api/v1/dossiers/submissions): the dossier's JSON and one file for `component`. */
export function submissionBody(dossier: unknown, component: string, data: Buffer) {
  const boundary = '----tinhsobench7MA4YWxkTrZu0gW';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="dossier"\r\n\r\n${JSON.stringify(dossier)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${component}"; filename="don.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The load of bench:floor and bench:bound: `concurrency` clients over keep-alive connections, each
 * in a loop creating a draft (`POST /dossiers`, JSON), attaching the small PDF (`POST
 * /dossiers/{id}/files`, multipart) and submitting (`POST /dossiers/{id}/submit`), for `seconds`
 * after `warmupSeconds`. Returns the submissions of the measured seconds, the CPU ms that `cpu()`
 * counted over them (e.g. a server's and PostgreSQL's) and this process's (the load generator's).
 */
export async function threeRequestLoad(
  origin: string,
  opts: { concurrency: number; seconds: number; warmupSeconds: number; headers?: Record<string, string> },
  cpu: () => number[],
): Promise<{ done: number; cpuMs: number[]; loadGeneratorMs: number }> {
  const http = new Pool(origin, { connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const file = multipartBody('DON', SAMPLE_PDF);
  const draft = JSON.stringify({ procedureCode: '1.001776', applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form: {} });
  const post = async (p: string, body: string | Buffer, contentType: string, want: number) => {
    const r = await http.request({ path: p, method: 'POST', headers: { ...opts.headers, 'content-type': contentType }, body });
    const text = await r.body.text();
    if (r.statusCode !== want) throw new Error(`${p}: ${r.statusCode} ${text}`);
    return text;
  };
  const measureFrom = Date.now() + opts.warmupSeconds * 1000;
  const end = measureFrom + opts.seconds * 1000;
  let done = 0;
  let atStart: { cpu: number[]; self: NodeJS.CpuUsage } | null = null;
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (Date.now() < end) {
          const { id } = JSON.parse(await post('/dossiers', draft, 'application/json', 201)) as { id: string };
          await post(`/dossiers/${id}/files`, file.payload, file.contentType, 201);
          await post(`/dossiers/${id}/submit`, '{}', 'application/json', 200);
          if (Date.now() < measureFrom) continue;
          atStart ??= { cpu: cpu(), self: process.cpuUsage() };
          done++;
        }
      }),
    );
  } finally {
    await http.close();
  }
  // Set inside the clients' loop, which TypeScript's narrowing does not follow.
  const started = atStart as { cpu: number[]; self: NodeJS.CpuUsage } | null;
  if (!started) throw new Error('no submission in the measured seconds');
  const self = process.cpuUsage(started.self);
  return { done, cpuMs: cpu().map((ms, i) => ms - started.cpu[i]!), loadGeneratorMs: (self.user + self.system) / 1000 };
}
