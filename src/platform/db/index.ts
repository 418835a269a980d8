import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { Database } from './types';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  pool: Pool;
}

/** Connection options from a mysql:// URL, split so scripts can connect before the database exists. */
export function parseDatabaseUrl(url: string) {
  const u = new URL(url);
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new Error(`DATABASE_URL must start with mysql://, got ${u.protocol}`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`bad database name "${database}"`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
  };
}

/**
 * Kysely over a mysql2 pool. Every session runs in UTC and DECIMALs come back
 * as strings, so money never passes through a binary float.
 */
export function createDb(url: string, poolSize = 20): DbHandle {
  const opts = parseDatabaseUrl(url);
  const pool = createPool({
    ...opts,
    connectionLimit: poolSize,
    timezone: 'Z',
    dateStrings: ['DATE'], // a calendar day stays a 'YYYY-MM-DD' string, never shifted by a time zone
    decimalNumbers: false,
    supportBigNumbers: true,
    charset: 'utf8mb4_unicode_ci',
  });
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  return { db, pool };
}

/** Creates the database named in the URL when it is missing. */
export async function ensureDatabase(url: string): Promise<void> {
  const { database, ...server } = parseDatabaseUrl(url);
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection(server);
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { database, ...server } = parseDatabaseUrl(url);
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection(server);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await conn.end();
  }
}

/**
 * Waits (up to `timeoutMs`) until no query holds or waits for a connection:
 * handlers of requests whose client already left may still be running when
 * the server has closed, and must not find the pool closed under them.
 */
export async function drainPool(pool: Pool, timeoutMs = 5000): Promise<void> {
  const p = pool as unknown as {
    _allConnections?: { length: number };
    _freeConnections?: { length: number };
    _connectionQueue?: { length: number };
  };
  const idle = () => (p._connectionQueue?.length ?? 0) === 0 && (p._allConnections?.length ?? 0) === (p._freeConnections?.length ?? 0);
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    quiet = idle() ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function pingDb(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/** MySQL's duplicate-key error, for "one live X per Y" unique keys. */
export function isDuplicateKey(err: unknown, keyName?: string): boolean {
  const e = err as { code?: string; errno?: number; message?: string } | null;
  if (!e || (e.code !== 'ER_DUP_ENTRY' && e.errno !== 1062)) return false;
  return keyName === undefined || (e.message ?? '').includes(keyName);
}
