#!/usr/bin/env node
// Dependency audit for the test command: fails when npm's advisory database reports a high or
// critical vulnerability in any installed package (runtime or development). When the advisory
// service cannot be reached (an offline build machine), it says so loudly and does not fail:
// that is a fact about the network, not about our dependencies.
import { spawnSync } from 'node:child_process';

const r = spawnSync('npm', ['audit', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(r.stdout || '{}');
} catch {
  console.error(`!!! npm audit printed no JSON (exit ${r.status}):\n${r.stderr}`);
  process.exit(1);
}
if (report.error || !report.metadata) {
  const why = report.message ?? report.error?.summary ?? report.error?.code ?? r.stderr.split('\n').find((l) => /audit/i.test(l)) ?? 'no report';
  console.warn(`!!! dependency audit NOT performed: the npm advisory service is unreachable (${why.trim()}).`);
  process.exit(0);
}
const v = report.metadata.vulnerabilities ?? {};
const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, x]) => x.severity === 'high' || x.severity === 'critical');
console.log(`npm audit: ${v.critical ?? 0} critical, ${v.high ?? 0} high, ${v.moderate ?? 0} moderate, ${v.low ?? 0} low`);
for (const [name, x] of serious) console.log(`  ${x.severity.padEnd(8)} ${name} ${x.range ?? ''} ${x.fixAvailable ? '(fix available)' : ''}`);
process.exit(serious.length ? 1 : 0);
