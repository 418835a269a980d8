import { Kysely, MysqlDialect, sql, type MysqlPool, type MysqlPoolConnection } from 'kysely';
import { createPool, type Pool, type PoolConnection } from 'mysql2';
import { DependencyUnavailable } from '../dependencies';
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

/** How long to wait for the server, so that a database that is down is an answer in seconds. */
export interface DbTimeouts {
  /** A new connection's TCP connect and handshake. */
  connectTimeoutMs?: number;
  /** Waiting for a free pool connection (all busy, or each attempt failing slowly). */
  acquireTimeoutMs?: number;
  /**
   * A statement's answer (a server that stopped answering, a network gone
   * silent); the connection is then closed, since its state is unknown.
   * 0 or absent: no limit (scripts, migrations).
   */
  queryTimeoutMs?: number;
}

/**
 * Kysely over a mysql2 pool. Every session runs in UTC and DECIMALs come back
 * as strings, so money never passes through a binary float.
 */
export function createDb(url: string, poolSize = 20, timeouts: DbTimeouts = {}): DbHandle {
  const opts = parseDatabaseUrl(url);
  const pool = createPool({
    ...opts,
    connectTimeout: timeouts.connectTimeoutMs ?? 3000,
    connectionLimit: poolSize,
    timezone: 'Z',
    dateStrings: ['DATE'], // a calendar day stays a 'YYYY-MM-DD' string, never shifted by a time zone
    decimalNumbers: false,
    supportBigNumbers: true,
    charset: 'utf8mb4_unicode_ci',
  });
  pool.on('connection', (conn) => {
    // With a callback: a server gone between handshake and this statement is the next query's error, not an unhandled one.
    conn.query("SET time_zone = '+00:00'", () => undefined);
  });
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({ pool: bounded(pool, timeouts.acquireTimeoutMs ?? 10_000, timeouts.queryTimeoutMs ?? 0) }),
  });
  return { db, pool };
}

/**
 * The pool as Kysely sees it, with bounded waits that end in a
 * `DependencyUnavailable` (503): a connection not had within `acquireMs`
 * (one that turns up later goes straight back to the pool), and, with
 * `queryMs`, a statement not answered in time (its connection is closed and
 * leaves the pool; the server rolls back whatever it had open).
 */
function bounded(pool: Pool, acquireMs: number, queryMs: number): MysqlPool {
  const wrapped = new WeakMap<PoolConnection, MysqlPoolConnection>();
  const timed = (conn: PoolConnection): MysqlPoolConnection => {
    let found = wrapped.get(conn);
    if (!found) {
      found = {
        query: ((sqlText: string, parameters: unknown[], callback?: (error: unknown, result: unknown) => void) => {
          if (!callback) return conn.query(sqlText, parameters); // a stream: not bounded
          let settled = false;
          const timer = setTimeout(() => {
            settled = true;
            conn.destroy();
            callback(new DependencyUnavailable('mysql', `no answer from the database within ${queryMs} ms`), undefined);
          }, queryMs);
          conn.query(sqlText, parameters, (err, result) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            callback(err, result);
          });
        }) as MysqlPoolConnection['query'],
        release: () => conn.release(),
      };
      wrapped.set(conn, found);
    }
    return found;
  };
  return {
    getConnection(callback) {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        // Busy, not down: a server that is down fails each connection attempt by itself.
        callback(new DependencyUnavailable('mysql', `no database connection within ${acquireMs} ms`, true), undefined as never);
      }, acquireMs);
      pool.getConnection((err, conn) => {
        if (settled) {
          if (!err) conn.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        callback(err, (err || queryMs <= 0 ? conn : timed(conn)) as never);
      });
    },
    end(callback) {
      pool.end(callback);
    },
  };
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
