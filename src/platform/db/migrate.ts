import { Migrator, NO_MIGRATIONS, type MigrationResultSet } from 'kysely';
import type { Db } from './index';
import { migrations } from './migrations/index';

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** A failed run's error, named after the migration that failed. */
function checked(result: MigrationResultSet): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = result.error instanceof Error ? result.error : new Error(String(result.error));
    err.message = `migration ${failed?.migrationName ?? '?'} failed: ${err.message}`;
    throw err;
  }
  return result;
}

/** Brings the schema to the newest version; throws with the failing migration's error. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  return checked(await migrator(db).migrateToLatest());
}

/** The names of the applied migrations, oldest first. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

/**
 * Undoes migrations, newest first, each through its `down()`: the newest one only, or
 * every one after `to` (which stays applied), or with `to: 'all'` every one. Never
 * applies anything: `to` must be applied already.
 */
export async function rollback(db: Db, to?: string): Promise<MigrationResultSet> {
  const m = migrator(db);
  if (to === undefined) return checked(await m.migrateDown());
  if (to === 'all') return checked(await m.migrateTo(NO_MIGRATIONS));
  if (!(to in migrations)) throw new Error(`no migration named "${to}" (known: ${Object.keys(migrations).join(', ')})`);
  if (!(await appliedMigrations(db)).includes(to)) throw new Error(`${to} is not applied, so there is nothing to roll back to`);
  return checked(await m.migrateTo(to));
}
