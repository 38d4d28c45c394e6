/**
 * npm run bench:startup: time to ready and resident memory of the embedded default (PGlite), on
 * the first start (migrations + demo data) and on later starts, after 3 s idle.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildDist, startServer, stopServer } from './lib.ts';

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

buildDist();
const dir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-startup-'));
try {
  const rows: string[] = [];
  for (const label of ['first start (migrate + demo data)', 'later start', 'later start']) {
    const s = await startServer({ DATA_DIR: dir }, { built: true });
    await new Promise((r) => setTimeout(r, 3000));
    rows.push(`| ${label} | ${s.readyMs} | ${await rssMb(s.proc.pid!)} |`);
    await stopServer(s);
  }
  console.log('| embedded default (PGlite) | time to ready (ms) | idle RSS (MB) |\n|---|---|---|\n' + rows.join('\n'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
