/**
 * A dependency that is down is a 503 C014 with Retry-After, answered within
 * seconds, never a 500; what doesn't need it keeps working; once it is back
 * the same app serves again without a restart. Each suite runs its own
 * private server (test/servers.ts), so stopping it disturbs no other test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { withLock } from '../src/platform/lock';
import { codeOf, TestApp, until, type TestResponse } from './helpers';
import { startMariaDb, startRedis, type PrivateServer } from './servers';

const ADDRESS = { receiverName: '홍길동', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울 강남구 테헤란로 152' };
const DAY = 24 * 3600 * 1000;

/** The request, and how long its answer took. */
async function timed(call: () => Promise<TestResponse>): Promise<{ res: TestResponse; ms: number }> {
  const started = Date.now();
  const res = await call();
  return { res, ms: Date.now() - started };
}

function assertUnavailable({ res, ms }: { res: TestResponse; ms: number }, what: string, withinMs = 4000): void {
  assert.equal(res.status, 503, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(codeOf(res), 'C014', what);
  assert.ok(Number(res.headers['retry-after']) > 0, `${what}: Retry-After is ${String(res.headers['retry-after'])}`);
  assert.ok(ms < withinMs, `${what} took ${ms} ms`);
}

/** Collects what would be printed for an ioredis client without an 'error' listener. */
function watchUnhandledRedisErrors(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (text.includes('[ioredis] Unhandled error event')) lines.push(text);
    else original(...args);
  };
  return { lines, restore: () => (console.error = original) };
}

/** The app's warnings about its dependencies (the monitor logs through the app's logger). */
function captureWarnings(t: TestApp): string[] {
  const seen: string[] = [];
  const log = t.infra.log as unknown as { warn: (...args: unknown[]) => void };
  const original = log.warn.bind(log);
  log.warn = (...args: unknown[]) => {
    const msg = args.find((a) => typeof a === 'string');
    if (typeof msg === 'string') seen.push(msg);
    original(...args);
  };
  return seen;
}

describe('Redis down (a private redis-server, killed and started again on the same port)', () => {
  let redis: PrivateServer;
  let t: TestApp;
  const unhandled = watchUnhandledRedisErrors();

  before(async () => {
    redis = await startRedis();
    t = await TestApp.start({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '1000' });
  });
  after(async () => {
    unhandled.restore();
    try {
      await t?.close();
    } finally {
      await redis?.dispose();
    }
  });

  test('coupon issue, queue entry and the stock stream answer 503 C014 at once; product reads stay 200; all back without a restart', async () => {
    const warnings = captureWarnings(t);
    const product = await t.services.products.create({ name: `장애 상품 ${randomUUID().slice(0, 6)}`, price: 1000, stock: 10 }, 'test');
    const coupon = await t.call('POST', '/admin/coupons', {
      token: t.adminToken,
      body: {
        code: `OUT_${randomUUID().slice(0, 8)}`,
        name: '장애 쿠폰',
        discountType: 'FIXED',
        discountValue: 1000,
        totalQuantity: 100,
        startsAt: new Date(Date.now() - DAY).toISOString(),
        expiresAt: new Date(Date.now() + DAY).toISOString(),
      },
    });
    assert.equal(coupon.status, 201, JSON.stringify(coupon.body));
    const couponId = coupon.body.data.id;
    const eventId = 900_000 + Math.floor(Math.random() * 99_999);
    const activated = await t.call('POST', `/admin/queue/TIMEDEAL/${eventId}/activate`, {
      token: t.adminToken,
      body: { maxCapacity: 10, entryBatchSize: 2, entryIntervalSeconds: 1 },
    });
    assert.equal(activated.status, 200, JSON.stringify(activated.body));
    const buyer = async () => t.token(randomUUID());
    assert.equal((await t.call('POST', `/coupons/${couponId}/issue`, { token: await buyer() })).status, 201);
    assert.equal((await t.call('POST', `/queue/TIMEDEAL/${eventId}/enter`, { token: await buyer() })).status, 200);

    await redis.kill();

    for (let round = 0; round < 3; round++) {
      const issue = await timed(async () => t.call('POST', `/coupons/${couponId}/issue`, { token: await buyer() }));
      assertUnavailable(issue, `coupon issue #${round}`);
      const enter = await timed(async () => t.call('POST', `/queue/TIMEDEAL/${eventId}/enter`, { token: await buyer() }));
      assertUnavailable(enter, `queue entry #${round}`);
    }
    // The stock stream's subscription fails: an answer, not a stream that never starts.
    const stream = await timed(() =>
      Promise.race([
        t.call('GET', '/inventory/stream', { token: null, query: { productIds: String(product.id) } }),
        new Promise<TestResponse>((_, reject) => setTimeout(() => reject(new Error('the stream opened while Redis was down')), 5000)),
      ]),
    );
    assertUnavailable(stream, 'inventory stream');

    // Product reads need MySQL only.
    assert.equal((await t.call('GET', `/products/${product.id}`, { token: null })).status, 200);
    assert.equal((await t.call('GET', '/products', { token: null, query: { page: 1, size: 5 } })).status, 200);
    const ready = await t.call('GET', '/health/ready');
    assert.equal(ready.status, 503);
    assert.ok(Number(ready.headers['retry-after']) > 0);

    await redis.restart();
    await until(async () => (await t.call('POST', `/coupons/${couponId}/issue`, { token: await buyer() })).status === 201, 10_000, 'coupon issue to work again');
    assert.equal((await t.call('POST', `/queue/TIMEDEAL/${eventId}/enter`, { token: await buyer() })).status, 200);
    assert.equal((await t.call('GET', '/health/ready')).status, 200);

    assert.deepEqual(unhandled.lines, [], 'no ioredis client without an error listener');
    const redisWarnings = warnings.filter((w) => w.startsWith('redis '));
    assert.deepEqual(redisWarnings, ['redis is down: requests that need it answer 503', 'redis is up again'], 'one line per change of state');
  });

  test('stops answering (SIGSTOP): 503 C014 once the command timeout is reached, then back on SIGCONT', async () => {
    const eventId = 800_000 + Math.floor(Math.random() * 99_999);
    const activated = await t.call('POST', `/admin/queue/TIMEDEAL/${eventId}/activate`, {
      token: t.adminToken,
      body: { maxCapacity: 10, entryBatchSize: 2, entryIntervalSeconds: 1 },
    });
    assert.equal(activated.status, 200, JSON.stringify(activated.body));
    await redis.pause();
    try {
      const enter = await timed(async () => t.call('POST', `/queue/TIMEDEAL/${eventId}/enter`, { token: await t.token(randomUUID()) }));
      assertUnavailable(enter, 'queue entry', 3000);
    } finally {
      await redis.resume();
    }
    await until(async () => (await t.call('POST', `/queue/TIMEDEAL/${eventId}/enter`, { token: await t.token(randomUUID()) })).status === 200, 5000, 'queue entry to work again');
  });

  test('a lock held while Redis goes down: its holder is told (signal aborted) and nothing is left unhandled', async () => {
    let aborted = false;
    await withLock(t.redis, `outage-${randomUUID()}`, { waitMs: 0, leaseMs: 500 }, async (signal) => {
      await redis.kill();
      // The lease is refreshed every 300 ms; a refresh that can't reach Redis counts as the lock lost.
      await until(() => signal.aborted, 3000, 'the lock to count as lost');
      aborted = true;
    }); // its release fails too, quietly
    assert.equal(aborted, true);
    await redis.restart();
    await until(async () => (await t.redis.ping().catch(() => '')) === 'PONG', 5000, 'Redis to be back');
    assert.deepEqual(unhandled.lines, []);
  });
});

describe('MariaDB down (a private mariadbd, killed or shut down, then started again)', () => {
  let maria: PrivateServer;
  let t: TestApp;

  before(async () => {
    maria = await startMariaDb();
    // Catalog reads straight from MySQL, so a cached page can't hide the outage.
    // Short connect and statement limits, so the test of a server that stops answering is short too.
    t = await TestApp.start({
      DATABASE_URL: `${maria.url}/shop_outage`,
      PRODUCT_CACHE_TTL_MS: '0',
      DB_CONNECT_TIMEOUT_MS: '1500',
      DB_QUERY_TIMEOUT_MS: '1500',
    });
  });
  after(async () => {
    try {
      await t?.close();
    } finally {
      await maria?.dispose();
    }
  });

  async function cartOf(token: string, productId: number, quantity = 1) {
    const res = await t.call('POST', '/cart/items', { token, body: { productId, quantity } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  for (const how of ['kill', 'stop'] as const) {
    test(`${how === 'kill' ? 'killed' : 'shut down'}: product reads and POST /orders answer 503 C014 quickly, and work again once it is back`, async () => {
      const warnings = captureWarnings(t);
      const product = await t.services.products.create({ name: `장애 상품 ${how} ${randomUUID().slice(0, 6)}`, price: 1000, stock: 10 }, 'test');
      const token = await t.token(randomUUID());
      await cartOf(token, product.id);

      await maria[how]();

      for (let round = 0; round < 3; round++) {
        assertUnavailable(await timed(() => t.call('GET', `/products/${product.id}`, { token: null })), `product read #${round}`);
        assertUnavailable(await timed(() => t.call('GET', '/products', { token: null })), `product list #${round}`);
        assertUnavailable(await timed(() => t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } })), `POST /orders #${round}`);
      }
      assert.equal((await t.call('GET', '/health/ready')).status, 503);

      await maria.restart();
      await until(async () => (await t.call('GET', `/products/${product.id}`, { token: null })).status === 200, 15_000, 'product reads to work again');
      const created = await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await until(() => warnings.includes('mysql is up again'), 5000, 'the recovery to be logged');
      assert.deepEqual(
        warnings.filter((w) => w.startsWith('mysql ')),
        ['mysql is down: requests that need it answer 503', 'mysql is up again'],
        'one line per change of state',
      );
    });
  }

  test('stops answering (SIGSTOP): 503 C014 once the connect or statement limit is reached, then back on SIGCONT', async () => {
    const product = await t.services.products.create({ name: `멈춘 서버 ${randomUUID().slice(0, 6)}`, price: 1000, stock: 10 }, 'test');
    const token = await t.token(randomUUID());
    await cartOf(token, product.id);
    await maria.pause();
    try {
      // Pooled connections hang on their statement, new ones in their handshake: both are bounded.
      const answers = await Promise.all([
        timed(() => t.call('GET', `/products/${product.id}`, { token: null })),
        timed(() => t.call('GET', '/products', { token: null })),
        timed(() => t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } })),
      ]);
      answers.forEach((a, i) => assertUnavailable(a, `request #${i}`, 6000));
    } finally {
      await maria.resume();
    }
    await until(async () => (await t.call('GET', `/products/${product.id}`, { token: null })).status === 200, 15_000, 'product reads to work again');
    const created = await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  test('an order committed just before the database went down is answered 201, and stays payable', async () => {
    const product = await t.services.products.create({ name: `커밋 후 장애 ${randomUUID().slice(0, 6)}`, price: 2500, stock: 5 }, 'test');
    const token = await t.token(randomUUID());
    await cartOf(token, product.id, 2);

    // Right after the order's commit, the database dies: nothing that follows may turn the order into an error.
    t.services.saga.setCrashHook(async (point) => {
      if (point === 'RESERVE_INVENTORY') await maria.kill();
    });
    let created: TestResponse;
    try {
      created = await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } });
    } finally {
      t.services.saga.setCrashHook(undefined);
    }
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const o = created.body.data;
    assert.equal(o.status, 'PENDING');
    assert.equal(o.items.length, 1);
    assert.equal(o.items[0].quantity, 2);
    assert.equal(o.finalAmount, 5000);

    await maria.restart();
    await until(async () => (await t.call('GET', `/orders/${o.orderNumber}`, { token })).status === 200, 15_000, 'the database to be back');
    const got = await t.call('GET', `/orders/${o.orderNumber}`, { token });
    assert.deepEqual(got.body.data, o, 'the answer is the committed order');
    const inventory = await t.db.selectFrom('inventory').selectAll().where('product_id', '=', product.id).executeTakeFirstOrThrow();
    assert.deepEqual([inventory.available_quantity, inventory.reserved_quantity], [3, 2]);
    // The buyer has its number, so the order is paid, not left to time out.
    const paid = await t.call('POST', '/payments', { token, body: { orderNumber: o.orderNumber, paymentMethod: 'CARD' } });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal((await t.call('GET', `/orders/${o.orderNumber}`, { token })).body.data.status, 'PAID');
  });
});
