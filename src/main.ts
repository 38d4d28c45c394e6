import path from 'node:path';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, isSeeded, seedDemo } from './db/demo/seed.ts';
import { migrate } from './db/migrate.ts';
import { notificationJobHandlers } from './modules/notifications/notifications.jobs.ts';
import { LocalFileStore } from './platform/files.ts';
import { JobWorker } from './platform/jobs.ts';

/** Start: load config, open the database, migrate, load demo data once, build the app, listen. */
async function main() {
  const started = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite'), poolSize: config.databasePoolSize });
  const files = new LocalFileStore(path.join(config.dataDir, 'files'));
  await files.init();
  const app = await buildApp({ config, database, files });
  const applied = await migrate(database);
  if (applied.length) app.log.info({ applied }, 'migrations applied');

  if (config.loadDemoData && !(await isSeeded(database.db))) {
    app.log.info('loading demo data (first start)…');
    await seedDemo(database.db, files, app.log, { dossiers: config.demoDossiers });
  }

  const worker = new JobWorker(database.db, { ...notificationJobHandlers }, app.log);
  worker.start();

  await app.listen({ host: config.host, port: config.port });
  const url = `http://localhost:${(app.server.address() as { port: number }).port}`;
  const rss = Math.round(process.memoryUsage().rss / 1048576);
  app.log.info({ url, database: database.kind, readyMs: Date.now() - started, rssMb: rss }, 'tinhso is ready');
  if (config.loadDemoData) {
    const lines = DEMO_ACCOUNTS.map((a) => `    ${a.username.padEnd(18)} ${a.description}`).join('\n');
    console.log(`\n  Tỉnh Số is running at ${url}  (API reference: ${url}/api/docs)\n  Database: ${database.kind === 'pglite' ? `PGlite in ${path.join(config.dataDir, 'pglite')}` : 'PostgreSQL'}; ready in ${Date.now() - started} ms, RSS ${rss} MB\n  Demo accounts (password "${DEMO_PASSWORD}"):\n${lines}\n`);
  }

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
