import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { buildApp, closeInfra, createInfra, createServices, type App, type Infra, type Services } from '../../app';
import { codeOf, TestApp, until } from '../../../test/helpers';
import { startRedis, type PrivateServer } from '../../../test/servers';
import { openSse, type SseStream } from '../../../test/sse';
import { buyers, couponInput } from '../coupon/test-support';
import { iso, makeProduct } from '../timedeal/test-support';
import { bucketOf, LATENCY_BOUNDS_MS, quantile, SaleCounters } from './counters';
import type { SaleStats } from './schemas';
import { LiveSalesService } from './service';

const PATH = '/api/v1/shopping/admin/live/sales';

/** The frames of seconds `from`…`to` (epoch seconds), read from Redis after the fact. */
async function framesOf(services: Services, from: number, to: number): Promise<SaleStats[]> {
  const frames: SaleStats[] = [];
  for (let s = from; s <= to; s++) frames.push(await services.live.frame(s));
  return frames;
}

const nowSecond = () => Math.floor(Date.now() / 1000);

/** Waits until every instance has written the second now running (flushes run just after each second starts). */
async function afterFlushOf(second: number): Promise<void> {
  while (nowSecond() <= second) await sleep(50);
  await sleep(300);
}

describe('latency histogram', () => {
  test('buckets: a duration goes to the first bound it does not exceed; above the last, the overflow bucket', () => {
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(0.5), 0);
    assert.equal(bucketOf(0.51), 1);
    assert.equal(bucketOf(10), LATENCY_BOUNDS_MS.indexOf(10));
    assert.equal(bucketOf(10.01), LATENCY_BOUNDS_MS.indexOf(15));
    assert.equal(bucketOf(1e9), LATENCY_BOUNDS_MS.length);
  });

  test('p99 of two instances is read from their summed buckets, not averaged from their p99s', () => {
    const size = LATENCY_BOUNDS_MS.length + 1;
    const fast = new Array<number>(size).fill(0);
    const slow = new Array<number>(size).fill(0);
    fast[bucketOf(1)] = 990; // 990 requests ≤ 1 ms on one instance
    slow[bucketOf(400)] = 10; // 10 requests of ~400 ms on the other
    const merged = fast.map((n, i) => n + slow[i]);
    const p99Fast = quantile(fast, 0.99)!;
    const p99Slow = quantile(slow, 0.99)!;
    const p99 = quantile(merged, 0.99)!;
    // 1000 requests: the 990th is the last fast one, so p99 is within the 1 ms bucket.
    assert.ok(p99 > 0.5 && p99 <= 1, `merged p99 ${p99}`);
    assert.ok(Math.abs((p99Fast + p99Slow) / 2 - p99) > 100, 'averaging the two p99s would be far off');
    // And a pooled histogram gives the same answer whichever instance counted what.
    const counters = [new SaleCounters(() => 5000), new SaleCounters(() => 5000)];
    for (let i = 0; i < 990; i++) counters[i % 2].latency('coupon-issue', 1);
    for (let i = 0; i < 10; i++) counters[0].latency('coupon-issue', 400);
    const sums = new Map<string, number>();
    for (const c of counters) for (const [, counts] of c.take(6)) for (const [f, n] of counts) sums.set(f, (sums.get(f) ?? 0) + n);
    const buckets = Array.from({ length: size }, (_, b) => sums.get(`r:coupon-issue:${b}`) ?? 0);
    assert.equal(quantile(buckets, 0.99), p99);
    assert.equal(sums.get('r:coupon-issue:n'), 1000);
  });

  test('empty: null; everything above the last bound: the last bound', () => {
    const size = LATENCY_BOUNDS_MS.length + 1;
    assert.equal(quantile(new Array<number>(size).fill(0), 0.99), null);
    const over = new Array<number>(size).fill(0);
    over[size - 1] = 3;
    assert.equal(quantile(over, 0.99), LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]);
  });
});

describe('the live sale stream', () => {
  let t: TestApp;
  let base: string;
  /** A second instance on the same database and Redis prefix. */
  let second: { infra: Infra; services: Services; app: App };

  before(async () => {
    t = await TestApp.start({ RATE_LIMIT_ENABLED: 'false', REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000' });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const infra = await createInfra(t.config);
    const services = createServices(infra);
    const app = await buildApp(infra, services);
    await app.ready();
    second = { infra, services, app };
  });
  after(async () => {
    await second.app.close();
    await closeInfra(second.infra);
    await t.close();
  });

  const open = (token: string | null): Promise<SseStream> => openSse(`${base}${PATH}`, token ? { authorization: `Bearer ${token}` } : {});

  test('only admins: no token 401 C005, a user 403 C004, in the envelope before any stream', async () => {
    const anonymous = await t.call('GET', PATH, { token: null });
    assert.equal(anonymous.status, 401);
    assert.equal(codeOf(anonymous), 'C005');
    const user = await t.call('GET', PATH, { token: t.userToken });
    assert.equal(user.status, 403);
    assert.equal(codeOf(user), 'C004');
    assert.equal(anonymous.body.success, false);
    const s = await open(t.userToken);
    assert.equal(s.res.statusCode, 403);
    assert.equal(s.error.success, false);
  });

  test('a frame every second with every running sale; the stream outlives the request timeout', async () => {
    const coupon = await t.services.coupons.create(couponInput({ totalQuantity: 7 }));
    const product = await makeProduct(t, '라이브 이어폰', 100_000, 50);
    const deal = await t.services.timedeals.create({
      name: '라이브 딜',
      startsAt: iso(-1000),
      endsAt: iso(3600_000),
      products: [{ productId: product, dealPrice: 50_000, dealQuantity: 20, maxPerUser: 2 }],
    });
    await t.services.timedeals.updateStatuses();
    const activate = await t.call('POST', '/admin/queue/LIVE_ROOM/9/activate', {
      token: t.adminToken,
      body: { maxCapacity: 10, entryBatchSize: 5, entryIntervalSeconds: 1 },
    });
    assert.equal(activate.status, 200);

    // Both instances run from here on.
    const since = nowSecond();
    const s = await open(t.adminToken);
    try {
      assert.equal(s.res.statusCode, 200);
      assert.match(String(s.res.headers['content-type']), /^text\/event-stream/);
      const first = await s.next(
        (f) => f.event === 'sale-stats' && Date.parse(f.data.data.at) / 1000 >= since && f.data.data.coupons.some((c: any) => c.couponId === coupon.id),
        6000,
      );
      assert.equal(first.data.type, 'sale-stats');
      const stats = first.data.data as SaleStats;
      assert.match(String(stats.at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      assert.equal(stats.instances, 2);
      const c = stats.coupons.find((x) => x.couponId === coupon.id)!;
      assert.deepEqual(
        { code: c.code, total: c.totalQuantity, left: c.left, rates: [c.issuedPerSec, c.soldOutPerSec, c.limitPerSec] },
        { code: coupon.code, total: 7, left: 7, rates: [0, 0, 0] },
      );
      const d = stats.timeDeals.find((x) => x.timeDealId === deal.id)!;
      assert.deepEqual({ name: d.name, quantity: d.quantity, left: d.left }, { name: '라이브 딜', quantity: 20, left: 20 });
      assert.deepEqual(stats.queues.find((q) => q.eventType === 'LIVE_ROOM'), { eventType: 'LIVE_ROOM', eventId: 9, waiting: 0, admitted: 0, admissionsPerSec: 0 });
      assert.deepEqual(
        stats.latency.map((l) => l.route),
        ['coupon-issue', 'timedeal-purchase', 'queue-enter', 'order-pay'],
      );
      for (const l of stats.latency) assert.equal(l.p99Ms === null, l.requestsPerSec === 0);

      // Frames keep coming, one per second, past the 1 s request timeout.
      const count = s.frames.filter((f) => f.event === 'sale-stats').length;
      await sleep(2600);
      const later = s.frames.filter((f) => f.event === 'sale-stats');
      assert.ok(later.length >= count + 2, `${later.length - count} frames in 2.6 s`);
      const seconds = later.slice(-3).map((f) => Date.parse(f.data.data.at) / 1000);
      assert.ok(seconds[2] - seconds[1] >= 1 && seconds[1] - seconds[0] >= 1, `frames of distinct seconds: ${seconds}`);
      assert.ok(!s.res.destroyed && !s.res.complete, 'the stream is still open');
    } finally {
      s.close();
    }
  });

  test('two instances: issuances, refusals, purchases, admissions, payments and latency are summed across both, exactly', async () => {
    const coupon = await t.services.coupons.create(couponInput({ totalQuantity: 5 }));
    const product = await makeProduct(t, '라이브 스피커', 80_000, 50);
    const deal = await t.services.timedeals.create({
      name: '두 인스턴스 딜',
      startsAt: iso(-1000),
      endsAt: iso(3600_000),
      products: [{ productId: product, dealPrice: 40_000, dealQuantity: 4, maxPerUser: 1 }],
    });
    await t.services.timedeals.updateStatuses();
    const dealProductId = (await t.services.timedeals.get(deal.id)).products[0].id;
    await t.call('POST', '/admin/queue/TWO_ROOM/1/activate', { token: t.adminToken, body: { maxCapacity: 3, entryBatchSize: 3, entryIntervalSeconds: 1 } });

    const users = await buyers(t, 8);
    const apps = [t.app, second.app];
    const inject = (i: number, method: 'POST', url: string, token: string, payload?: object) =>
      apps[i % 2].inject({ method, url: `/api/v1/shopping${url}`, headers: { authorization: `Bearer ${token}` }, payload });

    const created = Date.now();
    const start = nowSecond();
    // 8 users on alternating instances for 5 coupons (3 sold out), then a holder again (already issued).
    const issued = await Promise.all(users.map((u, i) => inject(i, 'POST', `/coupons/${coupon.id}/issue`, u.token)));
    const holder = users[issued.findIndex((r) => r.statusCode === 201)];
    const again = await inject(1, 'POST', `/coupons/${coupon.id}/issue`, holder.token);
    // A buyer, the same buyer again (over the max of 1), then 5 more for the 3 units left (2 sold out).
    const buy = (i: number, user = users[i]) => inject(i, 'POST', '/time-deals/purchase', user.token, { timeDealProductId: dealProductId, quantity: 1 });
    const bought = [await buy(0)];
    const overLimit = await buy(1, users[0]);
    for (let i = 1; i < 6; i++) bought.push(await buy(i));
    // Two of the orders paid, one on each instance.
    const paid = await Promise.all(
      [0, 1].map((i) => inject(i, 'POST', '/payments', users[i].token, { orderNumber: bought[i].json().data.orderNumber, paymentMethod: 'CARD' })),
    );
    // 5 enter the line, an admission batch lets 3 in.
    const entered = await Promise.all(users.slice(0, 5).map((u, i) => inject(i, 'POST', '/queue/TWO_ROOM/1/enter', u.token)));
    await second.services.queue.process('TWO_ROOM', 1);
    const end = nowSecond();

    assert.deepEqual(issued.map((r) => r.statusCode).sort(), [201, 201, 201, 201, 201, 409, 409, 409]);
    assert.equal(codeOf({ status: again.statusCode, headers: {}, body: again.json() }), 'S604');
    assert.deepEqual(bought.map((r) => r.statusCode), [201, 201, 201, 201, 409, 409]);
    assert.equal(codeOf({ status: overLimit.statusCode, headers: {}, body: overLimit.json() }), 'S705');
    assert.deepEqual(paid.map((r) => r.statusCode), [200, 200]);
    assert.ok(entered.every((r) => r.statusCode === 200));

    await afterFlushOf(end);
    // Lists of running sales read before these sales were created have expired (they are kept 2 s).
    await sleep(Math.max(0, created + 2100 - Date.now()));
    const frames = await framesOf(t.services, start, end);
    const total = (pick: (s: SaleStats) => number) => frames.reduce((n, f) => n + pick(f), 0);
    const c = (s: SaleStats) => s.coupons.find((x) => x.couponId === coupon.id);
    const d = (s: SaleStats) => s.timeDeals.find((x) => x.timeDealId === deal.id);
    const q = (s: SaleStats) => s.queues.find((x) => x.eventType === 'TWO_ROOM');
    const route = (s: SaleStats, name: string) => s.latency.find((l) => l.route === name)!;

    assert.ok(frames.every((f) => f.instances === 2), `instances: ${frames.map((f) => f.instances)}`);
    assert.equal(total((s) => c(s)?.issuedPerSec ?? 0), 5);
    assert.equal(total((s) => c(s)?.soldOutPerSec ?? 0), 3);
    assert.equal(total((s) => c(s)?.limitPerSec ?? 0), 1);
    assert.equal(c(frames.at(-1)!)?.left, 0);
    assert.equal(total((s) => d(s)?.purchasesPerSec ?? 0), 4);
    assert.equal(total((s) => d(s)?.unitsPerSec ?? 0), 4);
    assert.equal(total((s) => d(s)?.soldOutPerSec ?? 0), 2);
    assert.equal(total((s) => d(s)?.limitPerSec ?? 0), 1);
    assert.equal(d(frames.at(-1)!)?.left, 0);
    assert.equal(total((s) => q(s)?.admissionsPerSec ?? 0), 3);
    assert.deepEqual({ waiting: q(frames.at(-1)!)?.waiting, admitted: q(frames.at(-1)!)?.admitted }, { waiting: 2, admitted: 3 });
    assert.equal(total((s) => s.paidOrdersPerSec), 2);
    assert.equal(total((s) => route(s, 'coupon-issue').requestsPerSec), 9);
    assert.equal(total((s) => route(s, 'timedeal-purchase').requestsPerSec), 7);
    assert.equal(total((s) => route(s, 'order-pay').requestsPerSec), 2);
    assert.equal(total((s) => route(s, 'queue-enter').requestsPerSec), 5);
    for (const f of frames) {
      const r = route(f, 'coupon-issue');
      if (r.requestsPerSec > 0) assert.ok(r.p99Ms !== null && r.p99Ms > 0, `p99 ${r.p99Ms}`);
    }
  });
});

/** `INFO commandstats` as command → calls. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1], Number(m[2]));
  return out;
}

/** Calls between two snapshots, the probe's own INFO left out. */
function diff(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, n] of b) if (cmd !== 'info' && n - (a.get(cmd) ?? 0) > 0) out[cmd] = n - (a.get(cmd) ?? 0);
  return out;
}


describe('cost per tick', () => {
  let redis: PrivateServer;
  let t: TestApp;
  let probe: Redis;
  let base: string;

  before(async () => {
    redis = await startRedis();
    t = await TestApp.start({ REDIS_URL: redis.url });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    probe = new Redis(redis.url);
  });
  after(async () => {
    probe.disconnect();
    await t.close();
    await redis.dispose();
  });

  /** Redis commands over `ticks` whole ticks, measured between the arrivals of frames at `watch`. */
  async function commandsOver(watch: SseStream, ticks: number): Promise<Record<string, number>> {
    const frames = () => watch.frames.filter((f) => f.event === 'sale-stats').length;
    const seen = frames();
    await until(() => frames() > seen, 5000, 'a frame');
    const before = await commandCalls(probe);
    const at = frames();
    await until(() => frames() >= at + ticks, 5000 + ticks * 1500, `${ticks} frames`);
    return diff(before, await commandCalls(probe));
  }

  test('the Redis commands per tick are the same for 1 viewer and for 20', async () => {
    // Something running in each sale module, so the reads are not trivially empty.
    await t.services.coupons.create(couponInput({ totalQuantity: 10 }));
    const product = await makeProduct(t, '비용 측정 상품', 10_000, 10);
    await t.services.timedeals.create({
      name: '비용 측정 딜',
      startsAt: iso(-1000),
      endsAt: iso(3600_000),
      products: [{ productId: product, dealPrice: 5000, dealQuantity: 5, maxPerUser: 1 }],
    });
    await t.services.timedeals.updateStatuses();
    await t.call('POST', '/admin/queue/COST_ROOM/1/activate', { token: t.adminToken, body: { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 } });

    const viewers: SseStream[] = [await openSse(`${base}${PATH}`, { authorization: `Bearer ${t.adminToken}` })];
    try {
      const ticks = 3;
      const one = await commandsOver(viewers[0], ticks);
      for (let i = 1; i < 20; i++) viewers.push(await openSse(`${base}${PATH}`, { authorization: `Bearer ${t.adminToken}` }));
      assert.equal(t.services.live.viewerCount, 20);
      const twenty = await commandsOver(viewers[0], ticks);
      // Every viewer got the same frames.
      await until(() => viewers.every((v) => v.frames.some((f) => f.event === 'sale-stats')), 3000, 'frames at every viewer');

      const both = `1 viewer: ${JSON.stringify(one)}; 20 viewers: ${JSON.stringify(twenty)}`;
      // One read per tick whoever watches: one HGETALL per frame sent…
      assert.equal(one.hgetall, ticks, both);
      assert.equal(twenty.hgetall, ticks, both);
      // …and the same commands around each read (the running sales' pipelines) for 1 and for 20 viewers.
      const reads = (c: Record<string, number>) => Object.fromEntries(['hmget', 'scard', 'exists', 'zcard'].map((cmd) => [cmd, (c[cmd] ?? 0) / c.hgetall]));
      assert.deepEqual(reads(twenty), reads(one), both);
      assert.deepEqual(reads(one), { hmget: 1, scard: 2, exists: 1, zcard: 2 }, both);
      // One write pipeline per tick (a late tick may put one more flush in the window), nothing else.
      for (const c of [one, twenty]) {
        assert.ok(c.pexpire >= ticks && c.pexpire <= ticks + 1, both);
        assert.equal(c.hincrby, c.pexpire, both);
        assert.deepEqual(Object.keys(c).sort(), ['exists', 'hgetall', 'hincrby', 'hmget', 'pexpire', 'scard', 'zcard'], both);
      }
    } finally {
      for (const v of viewers) v.close();
    }
    await until(() => t.services.live.viewerCount === 0, 3000, 'viewers gone');
    // Without viewers only the write is left.
    const idle = await (async () => {
      await sleep(1100);
      const before = await commandCalls(probe);
      await sleep(3000);
      return diff(before, await commandCalls(probe));
    })();
    assert.equal(idle.hgetall, undefined, JSON.stringify(idle));
    assert.ok((idle.hincrby ?? 0) >= 2 && (idle.hincrby ?? 0) <= 4, JSON.stringify(idle));
  });
});

describe('when Redis stops answering', () => {
  let redis: PrivateServer;
  let t: TestApp;
  let base: string;
  /** A live service of its own with a short ping period, served on a test route of the app. */
  let live: LiveSalesService;

  before(async () => {
    redis = await startRedis();
    t = await TestApp.start(
      { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300' },
      { routes: (app) => void app.get('/api/v1/shopping/admin/test-live', async (request, reply) => live.open(request, reply)) },
    );
    const s = t.services;
    live = new LiveSalesService(
      { redis: t.redis, sse: t.infra.sse, log: t.infra.log, counters: s.live.counters, coupons: s.coupons, timedeals: s.timedeals, queue: s.queue },
      { pingMs: 1500 },
    );
    live.start();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    live.close();
    await redis.resume().catch(() => undefined);
    await t.close();
    await redis.dispose();
  });

  test('no frames while it is paused, `: ping` after the quiet period, the stream stays open; frames again once it answers', async () => {
    const s = await openSse(`${base}/api/v1/shopping/admin/test-live`, { authorization: `Bearer ${t.adminToken}` });
    try {
      await s.next((f) => f.event === 'sale-stats', 5000);
      await redis.pause();
      const paused = Date.now();
      const ping = await s.next((f) => f.comment === ' ping' && f.at > paused, 8000);
      const frames = s.frames.filter((f) => f.event === 'sale-stats');
      assert.ok(frames.every((f) => f.at < paused + 1000), 'no frame was built without Redis');
      assert.ok(ping.at - Math.max(...frames.map((f) => f.at)) >= 1400, 'the ping came after the quiet period');
      assert.ok(!s.res.destroyed && !s.res.complete, 'the stream is still open');
      await redis.resume();
      const resumed = Date.now();
      await s.next((f) => f.event === 'sale-stats' && f.at > resumed, 8000);
    } finally {
      s.close();
    }
  });
});
