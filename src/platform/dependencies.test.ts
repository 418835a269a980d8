import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { DependencyMonitor, DependencyUnavailable, dependencyDown } from './dependencies';

function error(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

/** A logger that keeps the warning lines. */
function recorder() {
  const lines: string[] = [];
  const log = { warn: (_obj: unknown, msg: string) => lines.push(msg) } as unknown as FastifyBaseLogger;
  return { lines, log };
}

describe('dependencyDown: which errors mean a dependency is down', () => {
  test('mysql2: unreachable, lost, shutting down, killed, out of connections, pool closed, acquire timeout', () => {
    const down = [
      error('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED', fatal: true }),
      error('connect ETIMEDOUT', { code: 'ETIMEDOUT', fatal: true }),
      error('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      error('Server shutdown in progress', { code: 'ER_SERVER_SHUTDOWN', errno: 1053, sqlState: '08S01' }),
      error('Connection was killed', { code: 'ER_CONNECTION_KILLED', errno: 1927, sqlState: '70100' }),
      error('Too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040, sqlState: '08004' }),
      error('Pool is closed.'),
      error("Can't add new command when connection is in closed state"),
      new DependencyUnavailable('mysql', 'no database connection within 5000 ms'),
    ];
    for (const err of down) assert.equal(dependencyDown(err), 'mysql', err.message);
  });

  test('ioredis: retries used up, connection closed, no offline queue, command timeout, LOADING, a cluster down', () => {
    const replyError = error('LOADING Redis is loading the dataset in memory');
    replyError.name = 'ReplyError';
    const retries = error('Reached the max retries per request limit (which is 0).');
    retries.name = 'MaxRetriesPerRequestError';
    const down = [
      retries,
      error('Connection is closed.'),
      error("Stream isn't writeable and enableOfflineQueue options is false"),
      error('Command timed out'),
      replyError,
      Object.assign(error('Command aborted due to connection close'), { name: 'AbortError' }),
      error("Cluster isn't ready and enableOfflineQueue options is false"),
      error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
      Object.assign(error('CLUSTERDOWN The cluster is down'), { name: 'ReplyError' }),
    ];
    for (const err of down) assert.equal(dependencyDown(err), 'redis', err.message);
  });

  test("a lock InnoDB gave up on (a deadlock's victim, a lock wait timeout) is MySQL too busy: 503, yet no outage", () => {
    const contention = [
      error('Deadlock found when trying to get lock; try restarting transaction', { code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' }),
      error('Lock wait timeout exceeded; try restarting transaction', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205, sqlState: 'HY000' }),
    ];
    const { log, lines } = recorder();
    const monitor = new DependencyMonitor(log, async () => undefined);
    for (const err of contention) {
      assert.equal(dependencyDown(err), 'mysql', err.message);
      assert.equal(monitor.report(err), true);
    }
    assert.equal(monitor.isDown('mysql'), false);
    assert.deepEqual(lines, []);
    monitor.close();
  });

  test('follows cause; everything else is not an outage', () => {
    assert.equal(dependencyDown(new Error('wrapped', { cause: error('x', { code: 'ECONNREFUSED' }) })), 'mysql');
    const notDown = [
      error("Duplicate entry 'a' for key 'uk'", { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' }),
      error('You have an error in your SQL syntax', { code: 'ER_PARSE_ERROR', errno: 1064, sqlState: '42000', fatal: false }),
      Object.assign(error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' }),
      new TypeError('x is undefined'),
      null,
      'a string',
    ];
    for (const err of notDown) assert.equal(dependencyDown(err), undefined, String((err as Error | null)?.message ?? err));
  });
});

describe('DependencyMonitor: one line per change of state', () => {
  test('down many times, up many times: two lines; MySQL is probed until it answers', async () => {
    const { lines, log } = recorder();
    const busy = new DependencyMonitor(log);
    busy.report(new DependencyUnavailable('mysql', 'no database connection within 10000 ms', true));
    assert.equal(busy.isDown('mysql'), false, 'a full pool is no outage');
    let answers = false;
    let probes = 0;
    const monitor = new DependencyMonitor(log, async () => {
      probes++;
      if (!answers) throw new Error('connect ECONNREFUSED');
    }, 20);
    const refused = error('connect ECONNREFUSED', { code: 'ECONNREFUSED' });
    for (let i = 0; i < 5; i++) assert.equal(monitor.report(refused), true);
    assert.equal(monitor.report(new Error('a bug')), false);
    assert.equal(monitor.report(new DependencyUnavailable('mysql', 'pool busy', true)), true, 'a full pool is a 503 too');
    assert.equal(monitor.isDown('mysql'), true);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(probes >= 2);
    answers = true;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(monitor.isDown('mysql'), false);
    monitor.markUp('mysql');
    assert.deepEqual(lines, ['mysql is down: requests that need it answer 503', 'mysql is up again']);
    monitor.close();
  });
});
