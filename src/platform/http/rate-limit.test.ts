import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { codeOf, TestApp, until, type TestResponse } from '../../../test/helpers';
import { startRedis, type PrivateServer } from '../../../test/servers';

const LOGIN = '/api/v1/auth/login';
const SIGNUP = '/api/v1/auth/signup';

let seq = 0;
const email = () => `rl${Date.now()}${seq++}@example.com`;

function assertLimited(res: TestResponse, path: string, windowS: number) {
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.equal(codeOf(res), 'C013');
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'success']);
  assert.equal(res.body.success, false);
  assert.equal(res.body.error.message, 'Too many requests');
  assert.equal(res.body.error.path, path);
  assert.ok(!Number.isNaN(Date.parse(res.body.error.timestamp)));
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowS, `Retry-After ${res.headers['retry-after']}`);
}

describe('rate limits (a trusted proxy in front: X-Forwarded-For names the client)', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({ TRUST_PROXY: 'loopback' });
  });
  after(async () => {
    await t?.close();
  });

  const login = (body: unknown, ip: string) => t.call('POST', LOGIN, { token: null, body, headers: { 'x-forwarded-for': ip } });

  test('login per email: the 11th attempt in a minute from any address → 429 C013 with Retry-After; other emails still answered', async () => {
    const target = email();
    for (let i = 0; i < 10; i++) {
      const res = await login({ email: target, password: 'wrong-password' }, `198.51.100.${i + 1}`);
      assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
    }
    // Same email in another case, from an address not seen before: the same count.
    assertLimited(await login({ email: target.toUpperCase(), password: 'wrong-password' }, '198.51.100.99'), LOGIN, 60);
    const other = await login({ email: email(), password: 'wrong-password' }, '198.51.100.99');
    assert.equal(other.status, 401);
  });

  test('login per address: the 11th attempt in a minute across emails → 429 C013; another address is still answered', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await login({ email: email(), password: 'wrong-password' }, '203.0.113.7');
      assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
    }
    assertLimited(await login({ email: email(), password: 'wrong-password' }, '203.0.113.7'), LOGIN, 60);
    // The proxy's own address is trusted; the nearest untrusted one in the chain is the client.
    assertLimited(await login({ email: email(), password: 'wrong-password' }, '203.0.113.7, 127.0.0.1'), LOGIN, 60);
    assert.equal((await login({ email: email(), password: 'wrong-password' }, '203.0.113.8')).status, 401);
  });

  test('signup per address: over the limit → 429 C013, counted before the body is read', async () => {
    const ip = '192.0.2.44';
    const statuses: number[] = [];
    for (let i = 0; i < t.config.rateLimitSignupIp.max; i++) {
      // Invalid bodies count too: the limit runs before validation.
      const res = await t.call('POST', SIGNUP, { token: null, body: { email: 'not-an-email' }, headers: { 'x-forwarded-for': ip } });
      statuses.push(res.status);
    }
    assert.deepEqual([...new Set(statuses)], [400]);
    const res = await t.call('POST', SIGNUP, {
      token: null,
      body: { email: email(), password: 'password123', nickname: 'Late' },
      headers: { 'x-forwarded-for': ip },
    });
    assertLimited(res, SIGNUP, t.config.rateLimitSignupIp.windowMs / 1000);
  });

  test('coupon issue hammered by one user → 429 C013 for that user only; other users are issued', async () => {
    const created = await t.call('POST', '/admin/coupons', {
      token: t.adminToken,
      body: {
        code: `RL_${randomUUID().slice(0, 8)}`,
        name: 'rate limit',
        discountType: 'FIXED',
        discountValue: 1000,
        minimumOrderAmount: 0,
        totalQuantity: 100,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const path = `/coupons/${created.body.data.id}/issue`;
    const hammer = await t.token(randomUUID());
    const { max, windowMs } = t.config.rateLimitSaleUser;
    const answers = await Promise.all(Array.from({ length: max }, () => t.call('POST', path, { token: hammer })));
    assert.equal(answers.filter((r) => r.status === 201).length, 1, 'issued once');
    assert.ok(answers.every((r) => r.status !== 429), 'within the limit nothing is throttled');
    assertLimited(await t.call('POST', path, { token: hammer }), `/coupons/${created.body.data.id}/issue`, windowMs / 1000);

    const others = await Promise.all(Array.from({ length: 30 }, async () => t.call('POST', path, { token: await t.token(randomUUID()) })));
    assert.deepEqual(others.map((r) => r.status), others.map(() => 201), 'distinct users are never throttled');
  });
});

describe('rate limits across two instances', () => {
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    // One deployment: two app instances (own databases here) counting in one Redis key space.
    const prefix = `test:rl-${randomBytes(5).toString('hex')}:`;
    a = await TestApp.start({ REDIS_KEY_PREFIX: prefix });
    b = await TestApp.start({ REDIS_KEY_PREFIX: prefix });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  test('login attempts on either instance share one count; X-Forwarded-For is ignored without a trusted proxy', async () => {
    for (let i = 0; i < 10; i++) {
      const app = i % 2 === 0 ? a : b;
      // A client that forges a new forwarded address each time is still one address.
      const res = await app.call('POST', LOGIN, {
        token: null,
        body: { email: email(), password: 'wrong-password' },
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
      });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    for (const app of [a, b]) {
      assertLimited(await app.call('POST', LOGIN, { token: null, body: { email: email(), password: 'wrong-password' } }), LOGIN, 60);
    }
    // Another peer address is counted on its own.
    const other = await a.app.inject({
      method: 'POST',
      url: LOGIN,
      remoteAddress: '192.0.2.200',
      payload: { email: email(), password: 'wrong-password' },
    });
    assert.equal(other.statusCode, 401);
  });
});

describe('rate limits while Redis is down', () => {
  let redis: PrivateServer;
  let t: TestApp;
  const warnings: string[] = [];
  before(async () => {
    redis = await startRedis();
    t = await TestApp.start({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '1000' });
    const warn = t.infra.log.warn.bind(t.infra.log);
    t.infra.log.warn = ((obj: unknown, msg?: string) => {
      warnings.push(typeof obj === 'string' ? obj : (msg ?? ''));
      return warn(obj as object, msg);
    }) as typeof t.infra.log.warn;
  });
  after(async () => {
    try {
      await t?.close();
    } finally {
      await redis?.dispose();
    }
  });

  test('fail open: requests pass (no 429, no 503), one warning for the outage; enforced again once Redis is back', async () => {
    const login = () => t.call('POST', LOGIN, { token: null, body: { email: email(), password: 'wrong-password' } });
    for (let i = 0; i < 10; i++) assert.equal((await login()).status, 401);
    assert.equal((await login()).status, 429, 'enforced while Redis is up');

    await redis.kill();
    const during: number[] = [];
    for (let i = 0; i < 15; i++) during.push((await login()).status);
    assert.deepEqual([...new Set(during)], [401], 'every attempt answered by the login itself');
    const failOpen = warnings.filter((w) => w.includes('rate limits are not enforced'));
    assert.equal(failOpen.length, 1, warnings.join('\n'));

    await redis.restart();
    await until(() => t.infra.redis.status === 'ready' && !t.infra.dependencies.isDown('redis'), 10_000, 'Redis back');
    // A fresh Redis holds no count: ten more attempts, then the limit again.
    for (let i = 0; i < 10; i++) assert.equal((await login()).status, 401);
    assert.equal((await login()).status, 429, 'enforced again');
  });
});
