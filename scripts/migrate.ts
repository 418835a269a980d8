/**
 * `npm run db:migrate`: creates the database named in DATABASE_URL when it is
 * missing and brings its schema to the newest migration.
 */
import { loadConfig } from '../src/config';
import { createDb, ensureDatabase, parseDatabaseUrl } from '../src/platform/db/index';
import { migrateToLatest } from '../src/platform/db/migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  const { host, port, database } = parseDatabaseUrl(config.databaseUrl);
  await ensureDatabase(config.databaseUrl);
  const { db } = createDb(config.databaseUrl, 1);
  try {
    const result = await migrateToLatest(db);
    const applied = (result.results ?? []).filter((r) => r.status === 'Success');
    if (applied.length === 0) {
      console.log(`db:migrate: ${database} on ${host}:${port} is up to date`);
    } else {
      for (const r of applied) console.log(`db:migrate: applied ${r.migrationName}`);
      console.log(`db:migrate: ${database} on ${host}:${port} now at ${applied[applied.length - 1].migrationName}`);
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
