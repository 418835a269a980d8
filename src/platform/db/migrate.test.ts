import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Migrator, sql } from 'kysely';
import { createDb, dropDatabase, ensureDatabase, type Db } from './index';
import { appliedMigrations, migrateToLatest, rollback } from './migrate';
import { migrations } from './migrations/index';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const server = (process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test').replace(/\/[^/]*$/, '');
const url = `${server}/shop_test_${randomBytes(5).toString('hex')}`;
const names = Object.keys(migrations);
let db: Db;

/**
 * Every table's definition, the migrator's own tables left out: columns in order, keys and
 * constraints as a set (a key dropped and added back comes last, the same key all the same),
 * AUTO_INCREMENT counters aside.
 */
async function schema(): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(db);
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const res = await sql<Record<string, string>>`SHOW CREATE TABLE ${sql.table(name)}`.execute(db);
    const lines = res.rows[0]['Create Table'].replace(/ AUTO_INCREMENT=\d+/, '').split('\n').map((l) => l.trim().replace(/,$/, ''));
    const isKey = (l: string) => /^(PRIMARY |UNIQUE |FULLTEXT )?KEY |^CONSTRAINT /.test(l);
    out[name] = [...lines.filter((l) => !isKey(l)), ...lines.filter(isKey).sort()].join('\n');
  }
  return out;
}

before(async () => {
  await ensureDatabase(url);
  db = createDb(url, 2).db;
});

after(async () => {
  await db.destroy();
  await dropDatabase(url);
});

test('every down() undoes its up(): step by step the schema returns to what it was, then up again', async () => {
  // Up one step at a time, noting the schema after each.
  const snapshots: Record<string, string>[] = [await schema()];
  assert.deepEqual(snapshots[0], {});
  for (const name of names) {
    const result = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateUp();
    assert.equal(result.error, undefined);
    assert.deepEqual(result.results?.map((r) => r.migrationName), [name]);
    snapshots.push(await schema());
  }
  assert.deepEqual(await appliedMigrations(db), names);

  // Down one step at a time: each down() must bring back the schema from before its up().
  for (let i = names.length; i > 0; i--) {
    const result = await rollback(db);
    assert.deepEqual(result.results?.map((r) => [r.migrationName, r.direction, r.status]), [[names[i - 1], 'Down', 'Success']]);
    assert.deepEqual(await schema(), snapshots[i - 1], `schema after undoing ${names[i - 1]}`);
  }
  assert.deepEqual(await appliedMigrations(db), []);
  assert.deepEqual((await rollback(db)).results, [], 'nothing left to undo');

  // And up again to the newest, to the same schema as the first time.
  await migrateToLatest(db);
  assert.deepEqual(await schema(), snapshots[names.length]);
});

test('rollback --to keeps the named migration, refuses an unknown or unapplied one, never migrates up', async () => {
  await migrateToLatest(db);
  const result = await rollback(db, names[1]);
  assert.deepEqual(result.results?.map((r) => r.migrationName), names.slice(2).reverse());
  assert.deepEqual(await appliedMigrations(db), names.slice(0, 2));
  await assert.rejects(rollback(db, 'no_such_migration'), /no migration named "no_such_migration"/);
  await assert.rejects(rollback(db, names[3]), new RegExp(`${names[3]} is not applied`));
  assert.deepEqual(await appliedMigrations(db), names.slice(0, 2));
  await rollback(db, 'all');
  assert.deepEqual(await appliedMigrations(db), []);
});

test('npm run db:migrate / db:rollback: up, one step down, down to a name, all the way down', async () => {
  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/migrate.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
    });
    return stdout;
  };
  const last = names[names.length - 1];
  assert.match(await cli(), new RegExp(`applied ${last}\\n.* now at ${last}`));
  assert.match(await cli('--rollback'), new RegExp(`reverted ${last}\\n.* now at ${names[names.length - 2]}`));
  assert.match(await cli('--rollback', '--to', names[0]), new RegExp(`reverted ${names[1]}\\n.* now at ${names[0]}\\n$`));
  assert.match(await cli('--rollback', '--all'), /reverted 001_catalog\n.* now without any migration/);
  assert.deepEqual(await appliedMigrations(db), []);
  await assert.rejects(cli('--rollback', '--to', 'nope'), (err: { code: number; stderr: string }) =>
    err.code === 1 && /db:rollback failed: no migration named "nope"/.test(err.stderr));
});
