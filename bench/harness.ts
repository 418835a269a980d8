/**
 * What every load scenario needs: the whole app in this process on an ephemeral
 * port, against a database and Redis key prefix of its own (dropped afterwards),
 * and autocannon in a child process so the load generator does not share the
 * server's event loop.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../src/config';
import { buildApp, closeInfra, createInfra, createServices, type App, type Infra, type Services } from '../src/app';
import { dropDatabase, ensureDatabase } from '../src/platform/db/index';
import { migrateToLatest } from '../src/platform/db/migrate';
import { deleteKeysWithPrefix, redisConnection } from '../src/platform/redis/index';

export interface BenchSettings {
  /** Seconds of measured load per target (BENCH_DURATION, default 10). */
  duration: number;
  /** Seconds of unmeasured load before each target (BENCH_WARMUP, default 3). */
  warmup: number;
  /** Concurrent connections (BENCH_CONNECTIONS, default 100). */
  connections: number;
}

/** A whole-number setting from the environment (at least `min`). */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

/** The p-th percentile of values sorted ascending (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs `node <args>` (a load generator, kept out of the server's event loop)
 * and resolves with the JSON it prints on stdout.
 */
export function runNodeJson(args: string[], what = 'load generator'): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`${what} printed no JSON: ${out.slice(0, 200)} ${err.slice(0, 200)}`));
      }
    });
  });
}

export function benchSettings(): BenchSettings {
  return {
    duration: Math.max(1, envInt('BENCH_DURATION', 10, 0)),
    warmup: envInt('BENCH_WARMUP', 3, 0),
    connections: Math.max(1, envInt('BENCH_CONNECTIONS', 100, 0)),
  };
}

/** A running app with everything needed to tear it down again. */
export class BenchApp {
  private readonly onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: removing the bench database and keys`);
    void this.close().finally(() => process.exit(130));
  };

  private constructor(
    readonly app: App,
    readonly infra: Infra,
    readonly services: Services,
    readonly config: Config,
    readonly baseUrl: string,
  ) {}

  /**
   * Builds the app on `shop_bench_<random>` and prefix `bench:<random>:`.
   * `routes` may add extra routes before the app starts listening.
   * Logging is at `warn` (BENCH_LOG_LEVEL) so per-request logs don't measure the terminal.
   */
  static async start(routes?: (app: App) => void | Promise<void>): Promise<BenchApp> {
    const id = randomBytes(4).toString('hex');
    const server = (process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/shop').replace(/\/[^/]*$/, '');
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET: process.env.JWT_SECRET || randomBytes(32).toString('hex'),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      DATABASE_URL: `${server}/shop_bench_${id}`,
      REDIS_KEY_PREFIX: `bench:${id}:`,
    });
    await ensureDatabase(config.databaseUrl);
    let infra: Infra | undefined;
    try {
      infra = await createInfra(config);
      await migrateToLatest(infra.db);
      const services = createServices(infra);
      const app = await buildApp(infra, services);
      if (routes) await routes(app);
      // A spike opens a thousand connections at once: Node's default accept backlog (511) would drop some.
      await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
      const { port } = app.server.address() as AddressInfo;
      const bench = new BenchApp(app, infra, services, config, `http://127.0.0.1:${port}`);
      process.once('SIGINT', bench.onSignal);
      process.once('SIGTERM', bench.onSignal);
      return bench;
    } catch (err) {
      if (infra) await closeInfra(infra).catch(() => undefined);
      await dropDatabase(config.databaseUrl).catch(() => undefined);
      await deleteKeysWithPrefix(redisConnection(config), config.redisKeyPrefix).catch(() => undefined);
      throw err;
    }
  }

  /** Stops the server and removes the bench database and every key under the bench prefix. */
  async close(): Promise<void> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    await this.app.close().catch(() => undefined);
    await closeInfra(this.infra).catch(() => undefined);
    await dropDatabase(this.config.databaseUrl);
    await deleteKeysWithPrefix(redisConnection(this.config), this.config.redisKeyPrefix);
  }
}

/** The parts of autocannon's JSON result we report. */
export interface LoadResult {
  title: string;
  url: string;
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerSecond: number;
}

const autocannonBin = createRequire(import.meta.url).resolve('autocannon');

function autocannon(args: string[]): Promise<Record<string, any>> {
  return runNodeJson([autocannonBin, ...args], 'autocannon');
}

/** Warms the target up (unmeasured), then measures it. */
export async function load(title: string, url: string, s: BenchSettings): Promise<LoadResult> {
  if (s.warmup > 0) await autocannon(['-j', '-c', String(s.connections), '-d', String(s.warmup), url]);
  const r = await autocannon(['-j', '-c', String(s.connections), '-d', String(s.duration), url]);
  return {
    title,
    url,
    requestsPerSecond: r.requests.average,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    latencyMax: r.latency.max,
    total: r.requests.total,
    non2xx: r.non2xx ?? 0,
    errors: r.errors ?? 0,
    timeouts: r.timeouts ?? 0,
    bytesPerSecond: r.throughput.average,
  };
}

/** Pads cells into a plain-text (and Markdown-compatible) table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * Runs `fn`; with BENCH_CPU_PROFILE=<file> set, records a CPU profile of this
 * process (the server's thread) while it runs and writes it there (with
 * `-<part>` before the extension when a scenario profiles several parts), to
 * open in Chrome DevTools. Only measured phases are profiled.
 */
export async function profiled<T>(fn: () => Promise<T>, part?: string): Promise<T> {
  const setting = process.env.BENCH_CPU_PROFILE;
  if (!setting) return fn();
  const file = part ? setting.replace(/(\.cpuprofile)?$/, `-${part}$1`) : setting;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`  CPU profile written to ${file}`);
  }
}
