/**
 * Private Redis and MariaDB servers for tests that stop, kill or restart a
 * dependency, and private Redis Clusters and Sentinel groups: each server runs
 * on a free port of its own with its data in a temporary folder, so the shared
 * servers other test files use are never touched.
 * `dispose()` ends the server and removes its data; a test process that exits
 * without calling it still kills its servers (and removes their data) on exit.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
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

/** A probe: does a Redis server (or Sentinel) answer PING on this port? */
async function redisAnswers(port: number): Promise<boolean> {
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } finally {
    probe.disconnect();
  }
}

export interface RedisServerOptions {
  /** Default: a free port. */
  port?: number;
  /** More `redis-server` arguments (`--cluster-enabled yes`, `--replicaof host port`). */
  args?: string[];
}

/** A private `redis-server` (no persistence) on a free port. */
export async function startRedis(options: RedisServerOptions = {}): Promise<PrivateServer> {
  const dir = mkdtempSync(join(tmpdir(), 'test-redis-'));
  const port = options.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.args ?? [])];
  const server = managed(
    'redis-server',
    dir,
    port,
    url,
    (log) => spawn(program('redis-server'), args, { stdio: ['ignore', log, log] }),
    () => redisAnswers(port),
  );
  return started(server);
}

/** Can we listen on this port right now? */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port below 55536 whose port + 10000 (a cluster node's bus port) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port).add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair for a cluster node');
}

export interface PrivateRedisCluster {
  /** `127.0.0.1:<port>` of each master: the seed nodes (REDIS_CLUSTER_NODES). */
  nodes: string[];
  /** The master servers, in the order of `nodes`. */
  servers: PrivateServer[];
  /** Ends every node and removes their data. */
  dispose(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/**
 * A private Redis Cluster of `masters` masters (no replicas): `redis-server
 * --cluster-enabled yes` on ports below 55536, joined by `redis-cli --cluster
 * create`, which splits the 16384 slots evenly in node order. Resolves once
 * every node says the cluster is ok.
 */
export async function startRedisCluster(masters = 3): Promise<PrivateRedisCluster> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freeClusterPort(taken));
  const servers: PrivateServer[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  try {
    // Redis' default node timeout: a node starved of CPU on a busy test machine for a couple of
    // seconds must not be voted down (the whole cluster then answers CLUSTERDOWN).
    const clusterArgs = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '15000'];
    servers.push(...(await Promise.all(ports.map((port) => startRedis({ port, args: clusterArgs })))));
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await execFileAsync(program('redis-cli'), ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 20_000;
    for (const port of ports) {
      for (;;) {
        const info = await execFileAsync(program('redis-cli'), ['-p', String(port), 'cluster', 'info']).then((r) => r.stdout, () => '');
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${port} not ok within 20 s:\n${info}`);
        await sleep(100);
      }
    }
    return { nodes, servers, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

export interface PrivateSentinelGroup {
  /** The group's name (REDIS_SENTINEL_NAME). */
  name: string;
  /** `127.0.0.1:<port>` of the Sentinel (REDIS_SENTINELS). */
  sentinels: string[];
  master: PrivateServer;
  replica: PrivateServer;
  sentinel: PrivateServer;
  /** The master's port as the Sentinel names it now. */
  masterPort(): Promise<number>;
  /** Ends the three servers and removes their data. */
  dispose(): Promise<void>;
}

/**
 * A private Sentinel group: a master, one replica of it, and one Sentinel
 * (quorum 1) watching them. Resolves once the replica is in sync and the
 * Sentinel knows it, so a `SENTINEL FAILOVER` can promote it.
 */
export async function startRedisSentinel(name = 'shop'): Promise<PrivateSentinelGroup> {
  const servers: PrivateServer[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  try {
    // A full sync at once (not after the 5 s a diskless sync waits for more replicas by default).
    const sync = ['--repl-diskless-sync-delay', '0'];
    const master = await startRedis({ args: sync });
    servers.push(master);
    const replica = await startRedis({ args: [...sync, '--replicaof', '127.0.0.1', String(master.port)] });
    servers.push(replica);
    const dir = mkdtempSync(join(tmpdir(), 'test-sentinel-'));
    const port = await freePort();
    // The Sentinel rewrites its config file: it lives in the server's own folder.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const ask = (...args: string[]) => execFileAsync(program('redis-cli'), ['-p', String(port), ...args]).then((r) => r.stdout);
    const sentinel = await started(
      managed(
        'redis-sentinel',
        dir,
        port,
        `redis://127.0.0.1:${port}`,
        (log) => spawn(program('redis-server'), [conf, '--sentinel'], { stdio: ['ignore', log, log] }),
        async () =>
          (await redisAnswers(port)) &&
          /flags\s+slave\b/.test((await ask('sentinel', 'replicas', name)).replace(/\n/g, ' ')) &&
          (await execFileAsync(program('redis-cli'), ['-p', String(replica.port), 'info', 'replication'])).stdout.includes('master_link_status:up'),
      ),
    );
    servers.push(sentinel);
    const masterPort = async () => Number((await ask('sentinel', 'get-master-addr-by-name', name)).trim().split('\n')[1]);
    return { name, sentinels: [`127.0.0.1:${port}`], master, replica, sentinel, masterPort, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
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
    // `--tmpdir` reaches the bootstrap server too, which would otherwise clear the shared /tmp's `#sql*` files (below).
    ['--no-defaults', `--datadir=${data}`, `--tmpdir=${dir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot],
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
