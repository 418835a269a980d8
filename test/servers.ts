/**
 * Private Redis and MariaDB servers for tests that stop, kill or restart a
 * dependency: each runs on a free port of its own with its data in a temporary
 * folder, so the shared servers other test files use are never touched.
 * `dispose()` ends the server and removes its data; a test process that exits
 * without calling it still kills its servers (and removes their data) on exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface PrivateServer {
  /** redis://127.0.0.1:<port>, or mysql://root@127.0.0.1:<port> (add `/<database>`). */
  url: string;
  port: number;
  /** Graceful stop (SIGTERM: Redis without saving, MariaDB a clean shutdown); data kept for `restart`. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, or a machine gone; data kept for `restart`. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its connections and port but answers nothing (a hung machine, a silent network). */
  pause(): Promise<void>;
  /** SIGCONT after `pause`. */
  resume(): Promise<void>;
  /** Starts it again on the same port (stopping it first if it runs); resolves once it answers. */
  restart(): Promise<void>;
  /** Ends it for good and removes its data. Safe to call more than once. */
  dispose(): Promise<void>;
}

const live = new Set<{ child?: ChildProcess; dir: string }>();
process.on('exit', () => {
  for (const s of live) {
    try {
      if (s.child?.pid && s.child.exitCode === null) process.kill(s.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** A server program's path: on PATH, or in an sbin folder a non-root PATH leaves out. */
function program(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return name;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>, child: () => ChildProcess | undefined, log: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    const c = child();
    if (c && (c.exitCode !== null || c.signalCode !== null)) {
      throw new Error(`${what} exited (${c.exitCode ?? c.signalCode}):\n${readTail(log)}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${ms} ms:\n${readTail(log)}`);
    await sleep(100);
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Shared lifecycle: `launch` spawns the server, `ready` says it answers. */
function managed(name: string, dir: string, port: number, url: string, launch: (log: number) => ChildProcess, ready: () => Promise<boolean>): PrivateServer & { start(): Promise<void> } {
  const entry: { child?: ChildProcess; dir: string } = { dir };
  live.add(entry);
  const logFile = join(dir, 'server.log');
  let disposed = false;

  const start = async () => {
    if (disposed) throw new Error(`${name} was disposed`);
    const fd = openSync(logFile, 'a');
    try {
      entry.child = launch(fd);
    } finally {
      closeSync(fd);
    }
    entry.child.on('error', () => undefined);
    await waitFor(name, 30_000, ready, () => entry.child, logFile);
  };
  const running = () => {
    const child = entry.child;
    return child && child.exitCode === null && child.signalCode === null ? child : undefined;
  };
  const signal = async (sig: NodeJS.Signals) => {
    const child = running();
    if (!child) return;
    child.kill(sig);
    await exited(child);
  };
  const stop = async () => {
    running()?.kill('SIGCONT'); // a paused server can't shut down
    await signal('SIGTERM');
  };
  const kill = () => signal('SIGKILL');
  return {
    url,
    port,
    start,
    stop,
    kill,
    async pause() {
      running()?.kill('SIGSTOP');
    },
    async resume() {
      running()?.kill('SIGCONT');
    },
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
      live.delete(entry);
    },
  };
}

/** A private `redis-server` (no persistence) on a free port. */
export async function startRedis(): Promise<PrivateServer> {
  const dir = mkdtempSync(join(tmpdir(), 'test-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const server = managed(
    'redis-server',
    dir,
    port,
    url,
    (log) =>
      spawn(program('redis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
        stdio: ['ignore', log, log],
      }),
    async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    },
  );
  return started(server);
}

/**
 * A private `mariadbd` on a free port with a fresh data directory
 * (`mariadb-install-db`), `root` without a password over TCP. Small buffers:
 * it holds one test's data.
 */
export async function startMariaDb(): Promise<PrivateServer> {
  const dir = mkdtempSync(join(tmpdir(), 'test-mariadb-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const install = spawnSync(
    program('mariadb-install-db'),
    ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (${install.status ?? install.error?.message}):\n${install.stderr}`);
  }
  const port = await freePort();
  const url = `mysql://root@127.0.0.1:${port}`;
  const server = managed(
    'mariadbd',
    dir,
    port,
    url,
    (log) =>
      spawn(
        program('mariadbd'),
        [
          '--no-defaults',
          `--datadir=${data}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${join(dir, 'mysqld.sock')}`,
          `--pid-file=${join(dir, 'mysqld.pid')}`,
          // Its own temp dir: at start-up a server deletes every leftover `#sql*` file in its tmpdir,
          // which in the shared /tmp would be the shared server's temporary tables.
          `--tmpdir=${dir}`,
          '--innodb-buffer-pool-size=32M',
          '--innodb-log-file-size=16M',
          '--performance-schema=OFF',
          '--skip-name-resolve',
          ...asRoot,
        ],
        { stdio: ['ignore', log, log] },
      ),
    async () => {
      const { createConnection } = await import('mysql2/promise');
      const conn = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
      try {
        await conn.query('SELECT 1');
        return true;
      } finally {
        conn.destroy();
      }
    },
  );
  return started(server);
}

/** Starts a server; one that fails to start is disposed of (process and data) before the error. */
async function started(server: PrivateServer & { start(): Promise<void> }): Promise<PrivateServer> {
  try {
    await server.start();
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return server;
}
