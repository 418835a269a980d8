/**
 * Schema migrations, run before the service starts (it never migrates by itself).
 *
 *   npm run db:migrate                    create the database if missing, apply every pending migration
 *   npm run db:rollback                   undo the newest applied migration
 *   npm run db:rollback -- --to <name>    undo every migration after <name>
 *   npm run db:rollback -- --all          undo every migration
 *
 * Part of the build too, so a deployment without dev tools runs `node dist/migrate.js [--rollback …]`.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { createDb, ensureDatabase, parseDatabaseUrl } from './platform/db/index';
import { appliedMigrations, migrateToLatest, rollback } from './platform/db/migrate';

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { rollback: { type: 'boolean', default: false }, to: { type: 'string' }, all: { type: 'boolean', default: false } },
  });
  const command = args.rollback ? 'db:rollback' : 'db:migrate';
  if (!args.rollback && (args.to !== undefined || args.all)) throw new Error('--to and --all go with --rollback');
  if (args.to !== undefined && args.all) throw new Error('give --to <name> or --all, not both');
  const config = loadConfig();
  const { host, port, database } = parseDatabaseUrl(config.databaseUrl);
  if (!args.rollback) await ensureDatabase(config.databaseUrl);
  const { db } = createDb(config.databaseUrl, 1);
  try {
    const result = args.rollback ? await rollback(db, args.all ? 'all' : args.to) : await migrateToLatest(db);
    const done = (result.results ?? []).filter((r) => r.status === 'Success');
    for (const r of done) console.log(`${command}: ${args.rollback ? 'reverted' : 'applied'} ${r.migrationName}`);
    const applied = await appliedMigrations(db);
    const at = applied.length > 0 ? `at ${applied[applied.length - 1]}` : 'without any migration';
    console.log(`${command}: ${database} on ${host}:${port} ${done.length === 0 ? 'unchanged, ' : 'now '}${at}`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  const command = process.argv.includes('--rollback') ? 'db:rollback' : 'db:migrate';
  console.error(`${command} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
