/**
 * npm run bench:payments: bank webhooks processed per second (over HTTP, signed, each confirming
 * a payment and moving its dossier on in one transaction; and held ones with unknown references),
 * and electronic receipts (PDF) rendered per second. PGlite in memory by default; a throwaway
 * PostgreSQL database when TEST_DATABASE_URL is set (as the integration tests do).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_PAYMENT_WEBHOOK_SECRET, loadConfig } from '../src/config.ts';
import { queryRows, sql } from '../src/db/client.ts';
import { performAction } from '../src/modules/dossiers/dossiers.service.ts';
import { renderPaymentReceipt } from '../src/modules/payments/payments.routes.ts';
import { payments } from '../src/modules/payments/payments.schema.ts';
import { signPayload } from '../src/modules/payments/signature.ts';
import type { Actor } from '../src/platform/context.ts';
import { createTestApp } from '../test/harness.ts';
import { ROOT } from './lib.ts';

const DOSSIERS = Number(process.argv[2] ?? 1500);
const CONCURRENCY = 8;
const RECEIPTS = 300;

const t = await createTestApp({ dossiers: DOSSIERS });
const cfg = loadConfig({ NODE_ENV: 'test' }).payments;
try {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/api/v1/payments/notifications`;
  const log = t.app.log;

  // Setup: every received or in-progress demo dossier gets a payment request from its desk.
  const open = await queryRows<{ id: string; receiving_agency_id: string }>(
    t.database.db,
    sql`SELECT id, receiving_agency_id FROM dossiers WHERE status IN ('received', 'in_progress') ORDER BY id`,
  );
  const [deskUser] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE username = 'reception.dung'`);
  const setupStart = performance.now();
  for (const d of open) {
    const desk: Actor = {
      userId: deskUser!.id,
      username: 'bench',
      displayName: 'bench',
      kind: 'staff',
      roles: [{ role: 'reception', agencyId: d.receiving_agency_id, agencyCode: null, includeChildren: false, scope: [d.receiving_agency_id] }],
      agencyScope: [d.receiving_agency_id],
      sessionId: null,
    };
    await performAction({ db: t.database.db, actor: desk, now: new Date(), log, keyring: t.app.keyring }, d.id, { action: 'request_payment', amount: 25_000 });
  }
  const requests = await t.database.db.select({ id: payments.id, reference: payments.reference, amount: payments.amount }).from(payments);
  const setupMs = performance.now() - setupStart;

  const send = async (body: Record<string, unknown>) => {
    const raw = JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tinhso-timestamp': String(ts),
        'x-tinhso-signature': signPayload(DEMO_PAYMENT_WEBHOOK_SECRET, ts, raw),
      },
      body: raw,
    });
    const json = (await res.json()) as { outcome?: string };
    if (res.status !== 200) throw new Error(`webhook ${res.status}: ${JSON.stringify(json)}`);
    return json.outcome;
  };
  const run = async <T>(items: T[], fn: (x: T) => Promise<unknown>) => {
    const outcomes: unknown[] = [];
    let next = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) outcomes.push(await fn(items[next++]!));
      }),
    );
    const cpu = process.cpuUsage(cpuStart);
    // The app, PGlite and the client share this process: its CPU time is the whole cost.
    return { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, outcomes };
  };

  const confirmed = await run(requests, (p) =>
    send({ transactionId: `BENCH-C-${p.reference}`, amount: p.amount, currency: 'VND', description: `${p.reference} le phi` }),
  );
  const replayed = await run(requests, (p) =>
    send({ transactionId: `BENCH-C-${p.reference}`, amount: p.amount, currency: 'VND', description: `${p.reference} le phi` }),
  );
  const heldItems = Array.from({ length: requests.length }, (_, i) => i);
  const held = await run(heldItems, (i) => send({ transactionId: `BENCH-H-${i}`, amount: 10_000, currency: 'VND', description: 'khong co ma' }));
  const count = (xs: unknown[], v: string) => xs.filter((x) => x === v).length;
  if (count(confirmed.outcomes, 'confirmed') !== requests.length) throw new Error(`not all confirmed: ${JSON.stringify(confirmed.outcomes.slice(0, 5))}`);
  if (count(replayed.outcomes, 'duplicate') !== requests.length) throw new Error('replays were not all duplicates');
  if (count(held.outcomes, 'held') !== heldItems.length) throw new Error('unknown references were not all held');

  // Receipts: rendered one after another in this process (one core).
  const paid = await t.database.db.select().from(payments).limit(RECEIPTS);
  for (const p of paid.slice(0, 5)) await renderPaymentReceipt(t.database, cfg, p, t.app.keyring); // warm up fonts
  const rStart = performance.now();
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < RECEIPTS; i++) bytes += (await renderPaymentReceipt(t.database, cfg, paid[i % paid.length]!, t.app.keyring)).length;
  const receiptMs = performance.now() - rStart;
  // CPU time of this process: the rate one free core would give, whatever else runs on the machine.
  const cpu = process.cpuUsage(cpu0);
  const receiptCpuMs = (cpu.user + cpu.system) / 1000;

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000 * 10) / 10;
  const result = {
    database: t.database.kind,
    at: new Date().toISOString(),
    paymentRequests: requests.length,
    setupRequestPaymentPerSecond: rate(requests.length, setupMs),
    webhooks: {
      concurrency: CONCURRENCY,
      confirmedPerSecond: rate(requests.length, confirmed.ms),
      confirmedPerCpuSecond: rate(requests.length, confirmed.cpuMs),
      duplicatePerSecond: rate(requests.length, replayed.ms),
      duplicatePerCpuSecond: rate(requests.length, replayed.cpuMs),
      heldPerSecond: rate(heldItems.length, held.ms),
      heldPerCpuSecond: rate(heldItems.length, held.cpuMs),
    },
    receipts: {
      count: RECEIPTS,
      perSecond: rate(RECEIPTS, receiptMs),
      perCpuSecond: rate(RECEIPTS, receiptCpuMs),
      averageBytes: Math.round(bytes / RECEIPTS),
      target: 50,
    },
    loadAverage: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10),
  };
  console.log(`| payments bench (${result.database}) | per second (wall) | per CPU second |
|---|---|---|
| webhooks confirming a payment and moving the dossier on (${requests.length}, ${CONCURRENCY} in flight) | ${result.webhooks.confirmedPerSecond} | ${result.webhooks.confirmedPerCpuSecond} |
| webhooks replayed (same transaction id, no change) | ${result.webhooks.duplicatePerSecond} | ${result.webhooks.duplicatePerCpuSecond} |
| webhooks held for review (unknown reference) | ${result.webhooks.heldPerSecond} | ${result.webhooks.heldPerCpuSecond} |
| receipts (PDF, ${result.receipts.averageBytes} bytes each, one after another; target ≥ 50) | ${result.receipts.perSecond} | ${result.receipts.perCpuSecond} |
(load average ${result.loadAverage.join(' ')})`);
  await writeFile(path.join(ROOT, 'bench', 'results', `payments-${result.database}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await t.close();
}
