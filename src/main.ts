import cluster from 'node:cluster';
import path from 'node:path';
import v8 from 'node:v8';
import pino from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, isSeeded, seedDemo } from './db/demo/seed.ts';
import { migrate } from './db/migrate.ts';
import { upgradePgliteFolder } from './db/pglite-upgrade.ts';
import { startStandInBank } from './modules/payments/stand-in-bank.ts';
import { paymentJobHandlers } from './modules/payments/refunds.ts';
import { notificationSchedules, startNotificationDelivery } from './modules/notifications/index.ts';
import { securityJobHandlers, securitySchedules } from './modules/security/index.ts';
import { identityJobHandlers, identitySchedules } from './modules/identity/identity.jobs.ts';
import { withLocalIdp } from './modules/identity/local-idp.ts';
import { keyringFor } from './platform/crypto.ts';
import { LocalFileStore } from './platform/files.ts';
import { housekeepingHandlers, housekeepingSchedules } from './platform/housekeeping.ts';
import { JobWorker } from './platform/jobs.ts';

/**
 * Start-up phases, logged with the ready line (docs/PERFORMANCE.md): ms since the process
 * started, CPU ms used so far (comparable on a busy machine, where wall time is not) and RSS.
 */
const startupPhases: { phase: string; ms: number; cpuMs: number; rssMb: number }[] = [];
const mark = (phase: string) => {
  const cpu = process.cpuUsage();
  startupPhases.push({
    phase,
    ms: Math.round(performance.now()),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  });
};

/**
 * Start: load config, open the database, migrate, load demo data once, then serve. With
 * WORKERS > 1 (PostgreSQL only) the primary prepares the database and forks HTTP workers that
 * share the port; each is a stateless instance, as behind a load balancer.
 */
async function main() {
  // Counted from the process start, so loading the code is part of the time to ready.
  const started = Date.now() - Math.round(performance.now());
  mark('code loaded');
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // Identity (docs/IDENTITY.md): no start without the data encryption key in production; outside
  // production with no national identity provider configured, the local one stands in (in the
  // primary; forked workers inherit its address through the environment).
  try {
    keyringFor(config);
  } catch (err) {
    console.error(`Invalid configuration:\n  - ${(err as Error).message}`);
    process.exit(2);
  }
  if (cluster.isPrimary && !config.oidc.issuer && config.env !== 'production') {
    const local = await withLocalIdp(config);
    config = local.config;
    process.env.OIDC_ISSUER = config.oidc.issuer;
    console.log(`  Local stand-in for VNeID (OpenID provider): ${config.oidc.issuer}`);
    mark('local identity provider');
  }
  // The embedded database: PGlite's WebAssembly on V8's baseline compiler (Liftoff) only. The
  // optimizing tier recompiles PostgreSQL's hot functions in the background for ~1 s of CPU and
  // ~50 MB at start, to run queries ~15-20 % faster afterwards (docs/PERFORMANCE.md).
  if (!config.databaseUrl && config.pgliteWasmTiers === 'baseline') v8.setFlagsFromString('--liftoff-only');
  if (cluster.isPrimary && config.workers > 1) {
    await (await prepare(config)).close();
    return supervise(config, started);
  }
  // One process: keep the database open from preparation to serving (PGlite opens in ~1 s).
  const database = cluster.isPrimary ? await prepare(config) : undefined;
  await serve(config, started, database);
}

const dataFolders = (config: Config) => ({ pglite: path.join(config.dataDir, 'pglite'), files: path.join(config.dataDir, 'files') });

/** Opens the database, applies migrations and loads the demo data on first start. */
async function prepare(config: Config): Promise<Database> {
  const log = pino({ level: config.logLevel });
  // A data folder made by an older embedded PostgreSQL is upgraded first (docs/DATABASE.md).
  if (!config.databaseUrl) await upgradePgliteFolder(dataFolders(config).pglite, { keyring: keyringFor(config), log });
  const open = () => openDatabase({ databaseUrl: config.databaseUrl, dataDir: dataFolders(config).pglite, poolSize: config.databasePoolSize });
  let database = await open();
  mark('database open');
  try {
    const applied = await migrate(database, undefined, { keyring: keyringFor(config) });
    if (applied.length) log.info({ applied }, 'migrations applied');
    mark('migrations checked');
    if (config.loadDemoData && !(await isSeeded(database.db))) {
      log.info('loading demo data (first start)…');
      const files = new LocalFileStore(dataFolders(config).files, { syncSmallWrites: config.filesSyncSmallWrites });
      await files.init();
      await seedDemo(database.db, files, log, { dossiers: config.demoDossiers, keyring: keyringFor(config) });
      if (database.kind === 'pglite') {
        // PGlite's memory (WebAssembly) only grows: reopening gives back the ~300 MB the load took.
        await database.close();
        database = await open();
      }
    }
    mark('demo data checked');
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}

function supervise(config: Config, started: number) {
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} exited (${code}); starting another`);
    cluster.fork();
  });
  let ready = 0;
  cluster.on('message', (_w, msg: { ready?: string }) => {
    if (msg?.ready && ++ready === config.workers) banner(config, msg.ready, 'PostgreSQL', started);
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function banner(config: Config, url: string, db: string, started: number) {
  const rss = Math.round(process.memoryUsage().rss / 1048576);
  const lines = DEMO_ACCOUNTS.map((a) => `    ${a.username.padEnd(18)} ${a.description}`).join('\n');
  console.log(
    `\n  Tỉnh Số is running at ${url}  (API reference: ${url}/api/docs)\n  Database: ${db}; ready in ${Date.now() - started} ms, RSS ${rss} MB` +
      (config.loadDemoData ? `\n  Demo accounts (password "${DEMO_PASSWORD}"):\n${lines}\n` : '\n'),
  );
}

async function serve(config: Config, started: number, opened?: Database) {
  const database = opened ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: dataFolders(config).pglite, poolSize: config.databasePoolSize }));
  const files = new LocalFileStore(dataFolders(config).files, { syncSmallWrites: config.filesSyncSmallWrites });
  const staleParts = await files.init();
  const app = await buildApp({ config, database, files });
  mark('app built');
  if (staleParts) app.log.warn({ removed: staleParts }, 'removed the parts of uploads an earlier crash cut short');
  const notify = await startNotificationDelivery(config, app.log);
  const worker = new JobWorker(
    database.db,
    {
      ...housekeepingHandlers,
      ...notify.handlers,
      ...securityJobHandlers(app.log, config.security),
      ...identityJobHandlers,
      ...paymentJobHandlers(config.payments),
    },
    app.log,
    {
      schedules: [...housekeepingSchedules, ...notificationSchedules, ...securitySchedules, ...identitySchedules],
    },
  );
  worker.start();
  await app.listen({ host: config.host, port: config.port });
  mark('listening');
  const url = `http://localhost:${(app.server.address() as { port: number }).port}`;
  // Demo: the stand-in bank (docs/PAYMENTS.md), in one process only.
  const bank =
    config.payments.demoBankPort !== undefined && config.payments.webhookSecret && (!cluster.isWorker || cluster.worker?.id === 1)
      ? await startStandInBank({
          port: config.payments.demoBankPort,
          webhookUrl: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/payments/notifications`,
          secret: config.payments.webhookSecret,
          bankBin: config.payments.bankBin,
          accountNo: config.payments.accountNo,
        })
      : null;
  if (bank) app.log.info({ url: bank.url }, 'stand-in bank is ready');
  app.log.info(
    { url, database: database.kind, readyMs: Date.now() - started, rssMb: Math.round(process.memoryUsage().rss / 1048576), startupPhases },
    'tinhso is ready',
  );
  if (cluster.isWorker) process.send?.({ ready: url });
  else banner(config, url, database.kind === 'pglite' ? `PGlite in ${dataFolders(config).pglite}` : 'PostgreSQL', started);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new requests, finishing the ones in flight');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await bank?.close();
      await worker.stop();
      await notify.close();
      await database.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
