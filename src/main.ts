import cluster from 'node:cluster';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, isSeeded, seedDemo } from './db/demo/seed.ts';
import { migrate } from './db/migrate.ts';
import { notificationJobHandlers, notificationSchedules } from './modules/notifications/notifications.jobs.ts';
import { LocalFileStore } from './platform/files.ts';
import { JobWorker } from './platform/jobs.ts';

/**
 * Start: load config, open the database, migrate, load demo data once, then serve. With
 * WORKERS > 1 (PostgreSQL only) the primary prepares the database and forks HTTP workers that
 * share the port; each is a stateless instance, as behind a load balancer.
 */
async function main() {
  const started = Date.now();
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
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: dataFolders(config).pglite, poolSize: config.databasePoolSize });
  try {
    const applied = await migrate(database);
    if (applied.length) log.info({ applied }, 'migrations applied');
    if (config.loadDemoData && !(await isSeeded(database.db))) {
      log.info('loading demo data (first start)…');
      const files = new LocalFileStore(dataFolders(config).files);
      await files.init();
      await seedDemo(database.db, files, log, { dossiers: config.demoDossiers });
    }
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
  const files = new LocalFileStore(dataFolders(config).files);
  await files.init();
  const app = await buildApp({ config, database, files });
  const worker = new JobWorker(database.db, { ...notificationJobHandlers }, app.log, { schedules: notificationSchedules });
  worker.start();
  await app.listen({ host: config.host, port: config.port });
  const url = `http://localhost:${(app.server.address() as { port: number }).port}`;
  app.log.info({ url, database: database.kind, readyMs: Date.now() - started, rssMb: Math.round(process.memoryUsage().rss / 1048576) }, 'tinhso is ready');
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
      await worker.stop();
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
