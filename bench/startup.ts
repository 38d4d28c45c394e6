/**
 * npm run bench:startup: time to ready and resident memory of the embedded default (PGlite), on
 * the first start (migrations + demo data) and on later starts, after 3 s idle, with the time and
 * RSS at each start-up phase (the `startupPhases` of the ready log line, src/main.ts). CPU time
 * to ready is the figure to compare on a busy machine, where wall time mostly measures the others.
 *
 * STARTUP_DATA_DIR=<dir> reuses a data folder that already holds the demo data (no first start;
 * the folder is kept); STARTUP_RUNS sets the number of later starts (default 2).
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildDist, startServer, stopServer } from './lib.ts';

interface Phase {
  phase: string;
  ms: number;
  cpuMs: number;
  rssMb: number;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** The phases logged with "tinhso is ready" (pino JSON on stdout). */
function phasesOf(output: string): Phase[] {
  for (const line of output.split('\n')) {
    if (!line.includes('"tinhso is ready"')) continue;
    try {
      return (JSON.parse(line) as { startupPhases?: Phase[] }).startupPhases ?? [];
    } catch {
      return [];
    }
  }
  return [];
}

buildDist();
const loadBefore = os.loadavg()[0]!;
const reuse = process.env.STARTUP_DATA_DIR;
const dir = reuse ?? (await mkdtemp(path.join(os.tmpdir(), 'tinhso-startup-')));
const runs = Number(process.env.STARTUP_RUNS ?? 2);
try {
  const rows: string[] = [];
  const phaseRows: string[] = [];
  const labels = [...(reuse ? [] : ['first start (migrate + demo data)']), ...Array.from({ length: runs }, () => 'later start')];
  for (const label of labels) {
    const s = await startServer({ DATA_DIR: dir, LOG_LEVEL: 'info' }, { built: true });
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await rssMb(s.proc.pid!);
    rows.push(`| ${label} | ${s.readyMs} | ${idle} |`);
    const phases = phasesOf(s.output());
    const steps = phases.map(
      (p, i) => `${p.phase} ${p.ms - (i ? phases[i - 1]!.ms : 0)} ms, CPU ${p.cpuMs - (i ? phases[i - 1]!.cpuMs : 0)} ms (${p.rssMb} MB)`,
    );
    phaseRows.push(`| ${label} | ${steps.join(' → ')} |`);
    rows[rows.length - 1] += ` ${phases.at(-1)?.cpuMs ?? '-'} |`;
    await stopServer(s);
  }
  console.log(`load average (1 min) before: ${loadBefore.toFixed(2)}, after: ${os.loadavg()[0]!.toFixed(2)} (${os.cpus().length} cores)`);
  console.log('| embedded default (PGlite) | time to ready (ms) | idle RSS (MB) | CPU to ready (ms) |\n|---|---|---|---|\n' + rows.join('\n'));
  console.log('\n| start | phases: time spent in each (RSS after it) |\n|---|---|\n' + phaseRows.join('\n'));
} finally {
  if (!reuse) await rm(dir, { recursive: true, force: true });
}
