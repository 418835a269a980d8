/**
 * The compiled service as a process manager runs it: `npm run build` output started with
 * `npm start` (or `node dist/main.js`), stopped with SIGTERM/SIGINT while a request is in
 * flight. The build goes to a directory of its own (with the project's package.json and
 * node_modules beside it), so the test neither needs nor touches ./dist.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDb, dropDatabase, ensureDatabase } from '../src/platform/db/index';
import { migrateToLatest } from '../src/platform/db/migrate';
import { deleteKeysWithPrefix } from '../src/platform/redis/index';
import { until } from './helpers';
import { freePort } from './servers';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const id = randomBytes(5).toString('hex');
const server = (process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test').replace(/\/[^/]*$/, '');
const DATABASE_URL = `${server}/shop_test_${id}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = `test:${id}:`;
const JWT_SECRET = randomBytes(24).toString('hex');
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shop-build-'));
  // The type check is `npm test`'s first step; here only the emit is under test.
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--no-check', '--out-dir', join(dir, 'dist')], { cwd: ROOT });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await ensureDatabase(DATABASE_URL);
  const { db } = createDb(DATABASE_URL, 1);
  await migrateToLatest(db);
  await db.destroy();
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase(DATABASE_URL);
  await deleteKeysWithPrefix(REDIS_URL, REDIS_KEY_PREFIX);
});

/** Living processes below `pid` (zombies count as gone), read from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parent.set(Number(name), Number(ppid));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) out.push(child), walk(child);
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
}

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function start(command: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const started = { child, port, output: () => out };
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before serving:\n${out}`);
      return fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false);
    }, 90_000, `the service on port ${port}`);
  } catch (err) {
    for (const pid of [...descendants(child.pid!), child.pid!]) process.kill(pid, 'SIGKILL');
    throw err;
  }
  return started;
}

/** A login whose body is half sent: the request is in flight until `finish()` sends the rest. */
async function halfSentLogin(port: number): Promise<{ finish: () => Promise<{ status: number; body: any }> }> {
  const body = JSON.stringify({ email: 'nobody@example.com', password: 'password123' });
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  const closed = once(socket, 'close');
  socket.write(
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, 10),
  );
  return {
    finish: async () => {
      socket.write(body.slice(10));
      await until(() => /\r\n\r\n[\s\S]*\}$/.test(received), 30_000, 'the answer to the in-flight request');
      socket.end();
      await closed;
      const [head, ...rest] = received.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), body: JSON.parse(rest.join('\r\n\r\n')) };
    },
  };
}

/** Whether a new connection is refused (the service stopped listening). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

async function stopsGracefully(s: Started, target: number, signal: NodeJS.Signals): Promise<void> {
  const processes = [s.child.pid!, ...descendants(s.child.pid!)];
  try {
    const inFlight = await halfSentLogin(s.port);
    await sleep(200); // the request has reached its handler's body parsing
    const exited = once(s.child, 'exit');
    process.kill(target, signal);
    await until(() => refused(s.port), 15_000, 'the service to stop accepting connections');
    // Not yet exited: the request that was in flight holds the shutdown open.
    assert.equal(s.child.exitCode, null, s.output());
    const answer = await inFlight.finish();
    assert.equal(answer.status, 401, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'A001', 'the in-flight request was served to its end (database included)');
    const [code] = await Promise.race([exited, sleep(20_000).then(() => [`still running:\n${s.output()}`])]);
    assert.equal(code, 0, s.output());
    await until(() => processes.every((pid) => !alive(pid)), 5000, `no process left of ${processes.join(', ')}`);
    assert.match(s.output(), new RegExp(`"signal":"${signal}".*"msg":"shutting down"`));
  } finally {
    // Whatever the outcome, nothing of this test keeps running.
    for (const pid of [...processes, ...processes.flatMap(descendants)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

test('SIGTERM to `npm start`: the in-flight request finishes, then npm and the service exit, nothing left running', async () => {
  const s = await start('npm', ['start']);
  const processes = descendants(s.child.pid!);
  assert.ok(processes.length >= 1, 'npm runs the service as a child');
  // The start-up line shows the effective settings, secrets masked.
  const line = s.output().split('\n').find((l) => l.includes('"msg":"configuration"'));
  assert.ok(line, s.output());
  const { config } = JSON.parse(line) as { config: Record<string, unknown> };
  assert.equal(config.port, s.port);
  assert.equal(config.jwtSecret, '***');
  assert.ok(!s.output().includes(JWT_SECRET), 'the secret itself is never printed');
  await stopsGracefully(s, s.child.pid!, 'SIGTERM');
});

test('SIGINT to `node dist/main.js`: the same graceful stop', async () => {
  const s = await start(process.execPath, ['dist/main.js']);
  await stopsGracefully(s, s.child.pid!, 'SIGINT');
});

test('bad settings: every problem in one message, no stack trace, exit code 2', async () => {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: { ...process.env, PORT: 'eighty', LOG_LEVEL: 'verbose', TRUST_GATEWAY_HEADERS: 'yes', DB_POOL_SIZE: '7.5', JWT_SECRET: 'short-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2, stderr);
  assert.equal(stderr, [
    'invalid configuration (5 problems):',
    '  PORT must be a whole number from 0 to 65535, got "eighty"',
    '  DB_POOL_SIZE must be a whole number from 1 to 10000, got "7.5"',
    '  JWT_SECRET must be at least 32 characters',
    '  TRUST_GATEWAY_HEADERS must be true, false, 1 or 0, got "yes"',
    '  LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    '',
  ].join('\n'));
});
