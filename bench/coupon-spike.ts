/**
 * Scenario `coupon-spike`: a first-come coupon opens and everyone clicks at once.
 *
 * 10,000 distinct users (tokens signed beforehand) over 1,000 concurrent
 * connections each ask once for a 1,000-unit coupon through the real route
 * (`POST /coupons/{id}/issue`: JWT, coupon checks, issue.lua, the MySQL
 * transaction with its outbox event). Beside it, in the same process and run, a
 * floor: a bare route behind the same hooks that only runs the same Lua script
 * on a key set of its own — what the spike would cost if MySQL were free.
 *
 * Reported per target: wall time of the whole spike, requests/s over it,
 * issuances/s (1,000 over the window from first to last issuance), p50/p99
 * latency. After each spike: zero over-issue (rows = Redis set = units, none free or pending).
 *
 * Targets: p99 < 100 ms; requests/s ≥ 60 % of the floor's.
 *
 * Listen backlog: all 1,000 connections open at once. Node's default backlog
 * (511) overflows, the kernel drops the extra SYNs and the clients retry after
 * 1 s and 3 s — seconds of latency that measure the accept queue, not the
 * service (autocannon's first request per connection includes its connect). So
 * the load arrives through a listener with a larger backlog that hands each
 * socket to the app's own HTTP server (floor and spike alike); BENCH_BACKLOG=0
 * uses the app's listener as the harness opened it.
 *
 * Environment: BENCH_USERS (10000), BENCH_UNITS (1000), BENCH_CONNECTIONS (1000),
 * BENCH_ROUNDS (3; the median round is judged), BENCH_WARMUP (seconds in other
 * scenarios; here 0 skips the unmeasured warm-up round), BENCH_BACKLOG (4096).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { App } from '../src/app';
import { principal } from '../src/platform/http/auth';
import { API_PREFIX } from '../src/platform/http/envelope';
import { fail } from '../src/platform/http/errors';
import { adminCouponRoutes, couponRoutes } from '../src/modules/coupon/routes';
import { CouponRedis } from '../src/modules/coupon/redis';
import { CouponService } from '../src/modules/coupon/service';
import { BenchApp, table, envInt, runNodeJson } from './harness';

const P99_TARGET_MS = 100;
const THROUGHPUT_TARGET = 0.6;
const FLOOR_PATH = `${API_PREFIX}/bench/coupon-floor/:key/issue`;

/** One spike as the load generator saw it. */
interface SpikeResult {
  title: string;
  requests: number;
  wallMs: number;
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  status: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Issuances per second over the window from the first to the last one (spike only). */
  issuancesPerSecond?: number;
  issueWindowMs?: number;
  /** Over-issue check (spike only). */
  check?: { rows: number; members: number; stock: number | null; pending: number; status: string; ok: boolean };
}

/**
 * The load generator, run in a child process so it doesn't share the server's
 * event loop: autocannon with one token per request. Each connection builds its
 * next request when a response arrives (and one more after its last), so the
 * token list holds `requests + connections` tokens and every token is used at
 * most once: every request sent is a different user.
 */
const GENERATOR = `
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const [autocannonPath, configPath] = process.argv.slice(1);
const autocannon = require(autocannonPath);
const { url, tokens, connections, requests } = JSON.parse(fs.readFileSync(configPath, 'utf8'));
let next = 0;
const started = performance.now();
// autocannon ends a run only on its sampling tick (1 s by default), which would round every
// wall time up to whole seconds plus start-up: sample every 10 ms instead.
autocannon({
  url, connections, amount: requests, method: 'POST', timeout: 30, sampleInt: 10,
  requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: 'Bearer ' + (tokens[next++] || 'exhausted') } }) }],
}, (err, r) => {
  if (err) { console.error(err.stack || String(err)); process.exit(1); }
  const wallMs = performance.now() - started;
  const status = {};
  for (const [code, s] of Object.entries(r.statusCodeStats || {})) status[code] = s.count;
  process.stdout.write(JSON.stringify({ wallMs, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, status, errors: r.errors, timeouts: r.timeouts, tokensUsed: next }));
});
`;

const autocannonPath = createRequire(import.meta.url).resolve('autocannon');

function generate(configPath: string): Promise<{ wallMs: number; total: number; p50: number; p99: number; max: number; status: Record<string, number>; errors: number; timeouts: number; tokensUsed: number }> {
  return runNodeJson(['--input-type=commonjs', '-e', GENERATOR, autocannonPath, configPath]) as Promise<any>;
}

export async function couponSpikeScenario(): Promise<boolean> {
  const users = envInt('BENCH_USERS', 10_000);
  const units = envInt('BENCH_UNITS', 1_000);
  const connections = Math.min(envInt('BENCH_CONNECTIONS', 1_000), users);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const warmup = envInt('BENCH_WARMUP', 1, 0) > 0;
  const backlog = envInt('BENCH_BACKLOG', 4096, 0);

  // The routes need the services, which exist only once the app is built: bind late.
  let coupons: CouponService | undefined;
  let couponRedis: CouponRedis | undefined;
  const lazy = new Proxy({} as CouponService, {
    get: (_t, prop) => {
      const v = (coupons as unknown as Record<string | symbol, unknown>)[prop];
      return typeof v === 'function' ? v.bind(coupons) : v;
    },
  });
  const bench = await BenchApp.start(async (app: App) => {
    if (!app.hasRoute({ method: 'POST', url: `${API_PREFIX}/coupons/:couponId/issue` })) {
      await app.register(
        async (api) => {
          await api.register(couponRoutes(lazy));
          await api.register(adminCouponRoutes(lazy), { prefix: '/admin' });
        },
        { prefix: API_PREFIX },
      );
    }
    // The floor: same server, hooks (JWT, envelope, metrics) and status codes; only the script.
    app.post(
      FLOOR_PATH,
      { schema: { hide: true, params: Type.Object({ key: Type.String({ maxLength: 40 }) }) } },
      async (request, reply) => {
        const params = request.params as { key: string };
        const outcome = await couponRedis!.issue(`floor-${params.key}`, principal(request).userId);
        if (outcome.kind === 'admitted') return reply.status(201).send({ success: true, data: { remaining: outcome.remaining } });
        throw fail(outcome.kind === 'already-issued' ? 'COUPON_ALREADY_ISSUED' : 'COUPON_EXHAUSTED');
      },
    );
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coupon-spike-'));
  let front: net.Server | undefined;
  try {
    let baseUrl = bench.baseUrl;
    if (backlog > 0) {
      const server = net.createServer((socket) => bench.app.server.emit('connection', socket));
      front = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0, backlog }, resolve);
      });
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    const existing = (bench.services as unknown as { coupons?: CouponService }).coupons;
    coupons = existing ?? new CouponService(bench.infra.db, bench.infra.redis);
    couponRedis = new CouponRedis(bench.infra.redis);
    const redis = bench.infra.redis;

    const signStarted = Date.now();
    const tokens = await Promise.all(
      Array.from({ length: users + connections + 16 }, () => bench.infra.tokens.sign({ userId: randomUUID(), roles: ['ROLE_USER'] })),
    );
    const signMs = Date.now() - signStarted;

    const [{ version }] = (await sql<{ version: string }>`SELECT VERSION() AS version`.execute(bench.infra.db)).rows;
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    const cpus = os.cpus();
    console.log(
      `coupon-spike: ${users.toLocaleString('en-US')} users (1 request each), ${connections} connections, ${units.toLocaleString('en-US')} units; ` +
        `${rounds} round(s)${warmup ? ' after a warm-up round' : ''}; ${tokens.length} tokens signed in ${signMs} ms\n` +
        `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
        `Node ${process.version}, MariaDB ${version}, Redis ${redisVersion}; DB pool ${bench.config.dbPoolSize}; ` +
        `listen backlog ${backlog > 0 ? backlog : 'default (511)'}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
    );

    let run = 0;
    const spike = async (title: string, url: string): Promise<Omit<SpikeResult, 'issuancesPerSecond' | 'issueWindowMs' | 'check'>> => {
      const configPath = path.join(dir, `run-${++run}.json`);
      await writeFile(configPath, JSON.stringify({ url, tokens, connections, requests: users }));
      const r = await generate(configPath);
      return {
        title,
        requests: r.total,
        wallMs: r.wallMs,
        requestsPerSecond: (r.total / r.wallMs) * 1000,
        latencyP50: r.p50,
        latencyP99: r.p99,
        latencyMax: r.max,
        status: r.status,
        errors: r.errors,
        timeouts: r.timeouts,
      };
    };

    const floorRound = async (label: string): Promise<SpikeResult> => {
      const key = randomUUID().slice(0, 8);
      await couponRedis!.load(`floor-${key}`, units);
      const r = await spike(`floor (issue.lua only) ${label}`, `${baseUrl}${FLOOR_PATH.replace(':key', key)}`);
      await couponRedis!.remove(`floor-${key}`);
      return r;
    };

    const couponRound = async (label: string): Promise<SpikeResult> => {
      const c = await coupons!.create({
        code: `SPIKE_${randomUUID().slice(0, 8)}`,
        name: '선착순 1,000명 5,000원 할인',
        discountType: 'FIXED',
        discountValue: 5000,
        minimumOrderAmount: 30000,
        maximumDiscountAmount: 5000,
        totalQuantity: units,
        startsAt: new Date(Date.now() - 60_000),
        expiresAt: new Date(Date.now() + 7 * 24 * 3600_000),
      });
      const r = await spike(`POST /coupons/{id}/issue ${label}`, `${baseUrl}${API_PREFIX}/coupons/${c.id}/issue`);
      const [window, keys, after] = await Promise.all([
        bench.infra.db
          .selectFrom('user_coupons')
          .select([sql<number>`COUNT(*)`.as('n'), sql<Date>`MIN(issued_at)`.as('first'), sql<Date>`MAX(issued_at)`.as('last')])
          .where('coupon_id', '=', c.id)
          .executeTakeFirstOrThrow(),
        couponRedis!.read(c.id),
        coupons!.get(c.id),
      ]);
      const rows = Number(window.n);
      const windowMs = rows > 0 ? Math.max(1, new Date(window.last).getTime() - new Date(window.first).getTime()) : 0;
      const check = {
        rows,
        members: keys?.issued.length ?? 0,
        stock: keys?.available ?? null,
        pending: keys?.pending.length ?? 0,
        status: after.status,
        ok:
          rows === units &&
          keys?.issued.length === units &&
          keys.available === 0 &&
          keys.pending.length === 0 &&
          after.status === 'EXHAUSTED' &&
          (r.status['201'] ?? 0) === units,
      };
      return { ...r, issuancesPerSecond: windowMs > 0 ? (rows / windowMs) * 1000 : 0, issueWindowMs: windowMs, check };
    };

    if (warmup) {
      process.stdout.write('  warm-up round …');
      await floorRound('(warm-up)');
      await couponRound('(warm-up)');
      process.stdout.write(' done\n');
    }
    const floors: SpikeResult[] = [];
    const spikes: SpikeResult[] = [];
    for (let i = 1; i <= rounds; i++) {
      // Alternate which goes first, so neither always meets a warmer (or busier) machine.
      const order = i % 2 === 1 ? ['floor', 'spike'] : ['spike', 'floor'];
      for (const which of order) {
        process.stdout.write(`  round ${i}: ${which} …`);
        const r = which === 'floor' ? await floorRound(`#${i}`) : await couponRound(`#${i}`);
        (which === 'floor' ? floors : spikes).push(r);
        process.stdout.write(` ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.latencyP99} ms, ${Math.round(r.wallMs)} ms\n`);
      }
    }

    const median = (list: SpikeResult[]) => [...list].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(list.length / 2)];
    const floor = median(floors);
    const judged = median(spikes);
    const expected = (r: SpikeResult) =>
      r.errors === 0 && r.timeouts === 0 && r.requests === users && Object.keys(r.status).every((s) => s === '201' || s === '409') && (r.status['201'] ?? 0) === units;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const rows = [...floors, ...spikes].map((r) => [
      r.title,
      fmt(r.requests),
      `${fmt(r.wallMs)} ms`,
      fmt(r.requestsPerSecond),
      r.issuancesPerSecond === undefined ? '–' : `${fmt(r.issuancesPerSecond)} (${fmt(r.issueWindowMs!)} ms)`,
      String(r.latencyP50),
      String(r.latencyP99),
      String(r.latencyMax),
      Object.entries(r.status).map(([k, v]) => `${k}×${v}`).join(' ') + (r.errors + r.timeouts > 0 ? ` err ${r.errors} t/o ${r.timeouts}` : ''),
      r.check ? (r.check.ok ? `OK ${r.check.rows}/${units}` : `FAIL rows ${r.check.rows} set ${r.check.members} free ${r.check.stock} pending ${r.check.pending} ${r.check.status}`) : '–',
    ]);
    console.log(
      '\n' +
        table(['target', 'requests', 'wall', 'req/s', 'issuances/s (window)', 'p50 ms', 'p99 ms', 'max ms', 'statuses', 'over-issue check'], rows),
    );

    const ratio = judged.requestsPerSecond / floor.requestsPerSecond;
    const p99Ok = judged.latencyP99 < P99_TARGET_MS;
    const ratioOk = ratio >= THROUGHPUT_TARGET;
    const exact = spikes.every((r) => r.check?.ok) && spikes.every(expected) && floors.every(expected);
    console.log(
      `\nmedian spike vs median floor: ${fmt(judged.requestsPerSecond)} / ${fmt(floor.requestsPerSecond)} req/s = ${(ratio * 100).toFixed(0)} % ` +
        `(target ≥ ${THROUGHPUT_TARGET * 100} %: ${ratioOk ? 'PASS' : 'FAIL'}); ` +
        `p99 ${judged.latencyP99} ms (target < ${P99_TARGET_MS} ms: ${p99Ok ? 'PASS' : 'FAIL'}); floor p99 ${floor.latencyP99} ms; ` +
        `zero over-issue and only 201/409 in every round: ${exact ? 'PASS' : 'FAIL'}`,
    );
    const pass = p99Ok && ratioOk && exact;
    console.log(`\ncoupon-spike: ${pass ? 'PASS' : 'FAIL'}`);

    const resultsDir = new URL('./results/', import.meta.url);
    await mkdir(resultsDir, { recursive: true });
    const file = new URL(`coupon-spike-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir);
    await writeFile(
      file,
      JSON.stringify(
        { scenario: 'coupon-spike', date: new Date().toISOString(), users, units, connections, rounds, backlog, loadAverage: os.loadavg(), cpus: cpus.length, node: process.version, mariadb: version, redis: redisVersion, floors, spikes, pass },
        null,
        2,
      ),
    );
    console.log(`results written to bench/results/${file.pathname.split('/').pop()}`);
    return pass;
  } finally {
    front?.close();
    await rm(dir, { recursive: true, force: true });
    await bench.close();
  }
}
