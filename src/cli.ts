import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { upgradePgliteFolder } from './db/pglite-upgrade.ts';
import { keyringFor } from './platform/crypto.ts';
import { loadSuccessionsCsv, parseUnitsCsv, upsertUnits } from './modules/reference/reference.service.ts';
import { AppError } from './platform/errors.ts';
import { writeAudit } from './platform/audit.ts';
import { verifyAndReport } from './modules/security/index.ts';
// zod's messages in Vietnamese, as on the API (set when it loads).
import './platform/schemas.ts';

/**
 * Administrative commands, on the same configuration as the server:
 *   migrate                 apply pending migrations
 *   import-units FILE.csv   import administrative units (code,name,type,parent_code,valid_from[,valid_to])
 *   import-successions FILE.csv
 *                           import unit successions, old code → new code (from_code,to_code,effective_date[,note]);
 *                           all or nothing, every bad line listed; importing the same file again changes nothing
 *   verify-audit            recompute the audit hash chain; prints {ok, records, firstBrokenId?} and exits 1 when broken
 *   upgrade-data            upgrade an embedded data folder made by an older PGlite (every command does it first;
 *                           this one does only that and prints where the old folder was kept)
 */
const USAGE = 'usage: npm run admin -- migrate | import-units FILE.csv | import-successions FILE.csv | verify-audit | upgrade-data';

async function main(argv: string[]) {
  const [command, arg] = argv;
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  if (!config.databaseUrl) {
    const up = await upgradePgliteFolder(path.join(config.dataDir, 'pglite'), { keyring: keyringFor(config), log });
    if (command === 'upgrade-data') {
      console.log(
        up.upgraded
          ? `upgraded from PostgreSQL ${up.fromMajor} in ${up.ms} ms (${up.tables} tables, ${up.rows} rows); the old folder is kept in ${up.backupDir}`
          : 'nothing to upgrade',
      );
      return 0;
    }
  } else if (command === 'upgrade-data') {
    console.log('nothing to upgrade (DATABASE_URL is set: PostgreSQL is upgraded with its own tools)');
    return 0;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite'), poolSize: 2 });
  try {
    switch (command) {
      case 'migrate': {
        const applied = await migrate(database, undefined, { keyring: keyringFor(config) });
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
        return 0;
      }
      case 'import-units': {
        if (!arg) {
          console.error(USAGE);
          return 2;
        }
        await migrate(database, undefined, { keyring: keyringFor(config) });
        const { units, errors } = parseUnitsCsv(await readFile(arg, 'utf8'));
        if (errors.length) {
          for (const e of errors) console.error(`${e.path}: ${e.message}`);
          console.error(`${errors.length} bad row(s); nothing imported.`);
          return 1;
        }
        const r = await database.db.transaction(async (tx) => {
          const res = await upsertUnits(tx, units);
          await writeAudit(
            { db: tx, actor: null, now: new Date(), ip: 'cli' },
            { action: 'units.import', targetType: 'admin_units', actorRole: 'cli', details: { file: path.basename(arg), rows: units.length, ...res } },
          );
          return res;
        });
        console.log(`${units.length} row(s): ${r.inserted} new, ${r.updated} updated`);
        return 0;
      }
      case 'import-successions': {
        if (!arg) {
          console.error(USAGE);
          return 2;
        }
        await migrate(database, undefined, { keyring: keyringFor(config) });
        const text = await readFile(arg, 'utf8');
        try {
          const r = await database.db.transaction(async (tx) => {
            const res = await loadSuccessionsCsv(tx, text);
            await writeAudit(
              { db: tx, actor: null, now: new Date(), ip: 'cli' },
              { action: 'units.successions.import', targetType: 'admin_unit_successions', actorRole: 'cli', details: { file: path.basename(arg), ...res } },
            );
            return res;
          });
          console.log(`${r.rows} row(s): ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged`);
          return 0;
        } catch (err) {
          if (!(err instanceof AppError && err.errors)) throw err;
          for (const e of err.errors) console.error(`${e.path}: ${e.message}`);
          console.error(`${err.errors.length} bad row(s); nothing imported.`);
          return 1;
        }
      }
      case 'verify-audit': {
        const v = await verifyAndReport(database.db, log, 'cli');
        await writeAudit(
          { db: database.db, actor: null, now: new Date(), ip: 'cli' },
          {
            action: 'audit.verify',
            targetType: 'audit_log',
            actorRole: 'cli',
            outcome: v.ok ? 'success' : 'failure',
            details: { records: v.records, firstBrokenId: v.firstBrokenId ?? null },
          },
        );
        console.log(JSON.stringify(v));
        return v.ok ? 0 : 1;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await database.close();
    log.flush?.();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
