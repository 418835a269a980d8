/**
 * The service on a three-master Redis Cluster of its own (`startRedisCluster`).
 *
 * The coupon, time-deal and waiting-room test files run unchanged against it:
 * a child test run with `REDIS_CLUSTER_NODES` set, which every `TestApp` (and
 * every child app) takes from the environment. By default a representative set
 * of those files runs, to keep this file short; `REDIS_CLUSTER_SUITE=all` runs
 * every one of them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis as Server } from 'ioredis';
import { codeOf, TestApp, until } from './helpers';
import { loadConfig } from '../src/config';
import { redisConnection } from '../src/platform/redis/index';
import { startRedisCluster, type PrivateRedisCluster } from './servers';
import { couponKeys } from '../src/modules/coupon/redis';
import { createCoupon } from '../src/modules/coupon/test-support';
import { dealKeys } from '../src/modules/timedeal/redis';
import { queueKeys } from '../src/modules/queue/redis';

const REPRESENTATIVE = [
  'src/modules/coupon/issue.test.ts',
  'src/modules/timedeal/purchase.test.ts',
  'src/modules/timedeal/timedeal.test.ts',
  'src/modules/queue/queue.test.ts',
  'src/modules/queue/stream.test.ts',
];
const ALL = [
  'src/modules/coupon/coupon.test.ts',
  'src/modules/coupon/issue.test.ts',
  'src/modules/coupon/faults.test.ts',
  'src/modules/timedeal/timedeal.test.ts',
  'src/modules/timedeal/purchase.test.ts',
  'src/modules/timedeal/faults.test.ts',
  'src/modules/timedeal/spike.test.ts',
  'src/modules/queue/queue.test.ts',
  'src/modules/queue/stream.test.ts',
];

interface FileRun {
  file: string;
  code: number | null;
  /** Killed at the deadline: it hung, or the machine is far too slow. */
  timedOut: boolean;
  output: string;
}

/**
 * Runs one test file in a child `node --test` with `env` added, killed (with
 * every process it started) at `deadlineMs` or when `signal` aborts.
 */
function runFile(file: string, env: Record<string, string>, deadlineMs: number, signal: AbortSignal): Promise<FileRun> {
  return new Promise((resolve, reject) => {
    // Not as a subtest of this run: the child reports on its own (TAP on stdout).
    const { NODE_TEST_CONTEXT: _, ...parentEnv } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
      env: { ...parentEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: killed with everything it started
    });
    let timedOut = false;
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, deadlineMs);
    signal.addEventListener('abort', stop, { once: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      resolve({ file, code, timedOut, output });
    });
  });
}

/** Runs the files, `concurrency` at a time. */
async function runFiles(files: string[], concurrency: number, run: (file: string) => Promise<FileRun>): Promise<FileRun[]> {
  const runs: FileRun[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) runs.push(await run(files[next++]));
    }),
  );
  return runs;
}

test('settings: cluster seed nodes, or Sentinels with their group name; never both; no braces in the prefix of a cluster', () => {
  const cluster = loadConfig({ REDIS_CLUSTER_NODES: '10.0.1.1:6379, redis-2.internal:7000', REDIS_KEY_PREFIX: 'shop:' });
  assert.deepEqual(redisConnection(cluster), {
    url: 'redis://127.0.0.1:6379',
    clusterNodes: ['10.0.1.1:6379', 'redis-2.internal:7000'],
    sentinels: [],
    sentinelName: undefined,
    sentinelPassword: undefined,
  });
  const sentinel = loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'shop', REDIS_SENTINEL_PASSWORD: 'pw' });
  assert.deepEqual([sentinel.redisSentinels, sentinel.redisSentinelName, sentinel.redisSentinelPassword], [['s1:26379', 's2:26379'], 'shop', 'pw']);
  const single = loadConfig({});
  assert.deepEqual([single.redisClusterNodes, single.redisSentinels, single.redisSentinelName], [[], [], undefined]);
  assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'shop' }), /not both/);
  assert.throws(() => loadConfig({ REDIS_SENTINELS: 'b:2' }), /REDIS_SENTINEL_NAME/);
  assert.throws(() => loadConfig({ REDIS_SENTINEL_NAME: 'shop' }), /REDIS_SENTINELS/);
  assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1' }), /host:port/);
  assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_KEY_PREFIX: '{shop}:' }), /REDIS_KEY_PREFIX/);
  // One hash tag per waiting room: queues spread over the slots.
  assert.equal(queueKeys('TIMEDEAL', 42).waiting, 'queue:{TIMEDEAL:42}:waiting');
});

const ALL_FILES = process.env.REDIS_CLUSTER_SUITE === 'all';

describe('on a Redis Cluster of three masters', () => {
  let cluster: PrivateRedisCluster;

  before(async () => {
    cluster = await startRedisCluster(3);
  });
  after(async () => {
    await cluster?.dispose();
  });

  test('the coupon, time-deal and waiting-room tests pass', { timeout: ALL_FILES ? 1_200_000 : 300_000 }, async (ctx) => {
    const env = {
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      // Errors logged (an unexpected 500's cause) and the causes of 503s (logged at debug) reach
      // the output, and the message below.
      TEST_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'debug',
    };
    // Every file at once would overload a small machine (the spike tests alone fill two cores).
    const runs = await runFiles(ALL_FILES ? ALL : REPRESENTATIVE, ALL_FILES ? 2 : 3, (file) => runFile(file, env, 180_000, ctx.signal));
    let passed = 0;
    const problems: string[] = [];
    for (const run of runs) {
      const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.output)?.[1] ?? NaN);
      // Each failure with its YAML block (the error and where), and the errors the app logged.
      const lines = run.output.split('\n');
      const failures = lines.flatMap((line, i) => (/^\s*not ok /.test(line) ? lines.slice(i, i + 30) : []));
      const errors = lines.filter((line) => line.includes('"level":50') || line.includes('"msg":"dependency down"')).slice(0, 10);
      const why = `${run.file}: ${run.timedOut ? 'killed at the deadline; its output:\n' + run.output.slice(-3000) : failures.join('\n')}\nerrors and causes of 503s logged:\n${errors.join('\n')}`;
      if (run.code !== 0 || count('fail') !== 0 || !(count('pass') > 0)) problems.push(why);
      passed += count('pass');
    }
    assert.equal(problems.length, 0, problems.join('\n\n'));
    ctx.diagnostic(`${passed} tests passed on the cluster`);
  });

  test("sales' keys spread over the masters, each sale's keys on one master", { timeout: 60_000 }, async () => {
    const t = await TestApp.start({ REDIS_CLUSTER_NODES: cluster.nodes.join(',') });
    try {
      const sales = new Map<string, string[]>(); // sale → its keys (unprefixed)
      for (let i = 0; i < 6; i++) {
        const coupon = await t.services.coupons.create({
          code: `SPREAD_${i}_${Date.now()}`,
          name: `쿠폰 ${i}`,
          description: null,
          discountType: 'FIXED',
          discountValue: 1000,
          minimumOrderAmount: 10_000,
          maximumDiscountAmount: 1000,
          totalQuantity: 10,
          startsAt: new Date(Date.now() - 60_000),
          expiresAt: new Date(Date.now() + 3600_000),
        });
        const res = await t.call('POST', `/coupons/${coupon.id}/issue`);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const k = couponKeys(coupon.id);
        sales.set(`coupon ${coupon.id}`, [k.units, k.issued]); // pending is empty (gone) once settled
      }
      for (let i = 0; i < 6; i++) {
        const productId = (await t.services.products.create({ name: `딜 상품 ${i}`, price: 10_000, stock: 50 }, 'test')).id;
        const deal = await t.call('POST', '/admin/time-deals', {
          token: t.adminToken,
          body: {
            name: `딜 ${i}`,
            startsAt: new Date(Date.now() - 60_000).toISOString(),
            endsAt: new Date(Date.now() + 3600_000).toISOString(),
            products: [{ productId, dealPrice: 5000, dealQuantity: 5, maxPerUser: 1 }],
          },
        });
        assert.equal(deal.status, 201, JSON.stringify(deal.body));
        const dealId = deal.body.data.id as number;
        const dealProductId = deal.body.data.products[0].id as number;
        await t.services.timedeals.updateStatuses();
        const bought = await t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: dealProductId, quantity: 1 } });
        assert.equal(bought.status, 201, JSON.stringify(bought.body));
        const k = dealKeys(dealId, productId);
        sales.set(`deal ${dealId}`, [k.free, k.bought, k.epoch]); // adm is empty (gone) once settled
      }
      for (let i = 1; i <= 6; i++) {
        const activated = await t.call('POST', `/admin/queue/SPREAD/${i}/activate`, { token: t.adminToken, body: { maxCapacity: 5, entryBatchSize: 1, entryIntervalSeconds: 1 } });
        assert.ok(activated.status < 300, JSON.stringify(activated.body));
        const entered = await t.call('POST', `/queue/SPREAD/${i}/enter`);
        assert.ok(entered.status < 300, JSON.stringify(entered.body));
        const k = queueKeys('SPREAD', i);
        sales.set(`queue ${i}`, [k.waiting, k.users, k.meta, k.ver]);
      }

      // Which master holds each key: ask every master directly.
      const masters = cluster.nodes.map((node) => new Server(`redis://${node}`));
      try {
        const where = new Map<string, number>();
        for (const [m, master] of masters.entries()) {
          let cursor = '0';
          do {
            const [next, keys] = await master.scan(cursor, 'MATCH', `${t.config.redisKeyPrefix}*`, 'COUNT', 1000);
            cursor = next;
            for (const key of keys) where.set(key.slice(t.config.redisKeyPrefix.length), m);
          } while (cursor !== '0');
        }
        const used = new Set<number>();
        const placement: Record<string, number[]> = {};
        for (const [sale, keys] of sales) {
          const on = [...new Set(keys.map((key) => where.get(key) ?? -1))];
          placement[sale] = on;
          assert.equal(on.length, 1, `${sale}'s keys on masters ${on} (-1: missing)`);
          assert.notEqual(on[0], -1, `${sale}'s keys are missing`);
          used.add(on[0]);
        }
        for (const kind of ['coupon', 'deal', 'queue']) {
          const masterOf = Object.entries(placement).filter(([sale]) => sale.startsWith(kind)).map(([, on]) => on[0]);
          assert.ok(new Set(masterOf).size >= 2, `every ${kind} on one master: ${JSON.stringify(placement)}`);
        }
        assert.equal(used.size, 3, `sales on ${used.size} of 3 masters: ${JSON.stringify(placement)}`);
      } finally {
        for (const master of masters) master.disconnect();
      }
    } finally {
      await t.close();
    }
  });
  // Last: it kills the masters.
  test('a master down: only its sales answer 503 C014, at once, the others go on; every master down: 503 at once; back without a restart', { timeout: 90_000 }, async () => {
    const t = await TestApp.start({ REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_COMMAND_TIMEOUT_MS: '1000', REDIS_CONNECT_TIMEOUT_MS: '1000' });
    try {
      const coupons: { id: number }[] = [];
      for (let i = 0; i < 6; i++) coupons.push(await createCoupon(t.services.coupons, { totalQuantity: 100 }));
      let buyer = 0;
      /** Each coupon issued to a new user: its answer and how long it took. */
      const round = async () => {
        const out: { id: number; answer: string; ms: number }[] = [];
        for (const c of coupons) {
          const started = Date.now();
          const res = await t.call('POST', `/coupons/${c.id}/issue`, { token: await t.token(`cluster-buyer-${++buyer}`) });
          out.push({ id: c.id, answer: res.status === 201 ? '201' : `${res.status} ${codeOf(res)}`, ms: Date.now() - started });
        }
        return out;
      };
      assert.ok((await round()).every((r) => r.answer === '201'));
      const masterOf = async (id: number) => {
        for (const [m, s] of cluster.servers.entries()) {
          const node = new Server(s.port, '127.0.0.1');
          try {
            // A master that does not own the key's slot answers MOVED.
            if ((await node.exists(t.config.redisKeyPrefix + couponKeys(id).units).catch(() => 0)) === 1) return m;
          } finally {
            node.disconnect();
          }
        }
        return -1;
      };
      const on = await Promise.all(coupons.map((c) => masterOf(c.id)));
      const victim = on[0];

      await cluster.servers[victim].kill();
      const partial = await round();
      for (const [i, r] of partial.entries()) {
        if (on[i] === victim) assert.equal(r.answer, '503 C014', JSON.stringify(partial));
        else assert.equal(r.answer, '201', JSON.stringify(partial));
        assert.ok(r.ms < 1000, `answered after ${r.ms} ms`);
      }
      await cluster.servers[victim].restart();
      await until(async () => (await round()).every((r) => r.answer === '201'), 15_000, 'every sale back after the master restarted');

      await Promise.all(cluster.servers.map((s) => s.kill()));
      const none = await round();
      assert.ok(none.every((r) => r.answer === '503 C014' && r.ms < 1000), JSON.stringify(none));
      assert.equal((await t.call('GET', '/health/ready', { token: null })).status, 503);
      await Promise.all(cluster.servers.map((s) => s.restart()));
      await until(async () => (await round()).every((r) => r.answer === '201'), 20_000, 'every sale back after the cluster restarted');
    } finally {
      await t.close();
    }
  });
});
