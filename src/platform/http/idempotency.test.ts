import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { codeOf, OTHER_USER_ID, TEST_USER_ID, TestApp } from '../../../test/helpers';
import { API_PREFIX, ok } from './envelope';
import { fail, isAppError } from './errors';
import { canonicalJson, idempotent, IdempotencyStore, requestHash } from './idempotency';

let t: TestApp;
let store: IdempotencyStore;
/** How often each test route's work ran. */
const ran = { ok: 0, declined: 0 };

before(async () => {
  // Test-only routes; the store is created once the app (and its database) exists.
  t = await TestApp.start({}, {
    routes: (app) => {
      app.post(`${API_PREFIX}/test/idempotent`, async (request, reply) =>
        idempotent(store, 'test', request, reply, async () => ({ status: 201, body: ok({ run: ++ran.ok, at: new Date() }) })),
      );
      app.post(`${API_PREFIX}/test/declined`, async (request, reply) =>
        idempotent(store, 'test', request, reply, async () => {
          ran.declined++;
          throw fail('PAYMENT_PROCESSING_FAILED');
        }),
      );
    },
  });
  store = new IdempotencyStore(t.db);
});
after(() => t.close());

const key = () => randomUUID();

async function rowsOf(k: string) {
  return t.db.selectFrom('idempotency_keys').selectAll().where('idem_key', '=', k).execute();
}

async function expectCode(promise: Promise<unknown>, code: string, status: number) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isAppError(err), String(err));
    assert.equal(err.def.code, code);
    assert.equal(err.status, status);
    return true;
  });
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('canonical request hash', () => {
  test('sorts keys at every depth, keeps array order, drops undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, b: null } }), '{"a":{"b":null,"d":[3,1]},"b":1}');
    assert.equal(requestHash({ a: 1, b: 2 }), requestHash({ b: 2, a: 1 }));
    assert.notEqual(requestHash({ a: [1, 2] }), requestHash({ a: [2, 1] }));
    assert.equal(requestHash(undefined), requestHash(null));
    assert.match(requestHash({}), /^[0-9a-f]{64}$/);
  });
});

describe('IdempotencyStore.run', () => {
  test('the same key and body replays the stored answer without running again', async () => {
    const k = key();
    let calls = 0;
    const fn = async () => ({ status: 201, body: ok({ n: ++calls, at: new Date('2026-01-01T00:00:00Z') }) });
    const first = await store.run('orders', TEST_USER_ID, k, { a: 1, b: [1, 2] }, fn);
    assert.equal(first.replayed, false);
    assert.equal(first.status, 201);
    const second = await store.run('orders', TEST_USER_ID, k, { b: [1, 2], a: 1 }, fn);
    assert.equal(second.replayed, true);
    assert.equal(second.status, 201);
    assert.deepEqual(second.body, JSON.parse(JSON.stringify(first.body)));
    assert.equal(calls, 1);
    const [r] = await rowsOf(k);
    assert.equal(r.status, 'COMPLETED');
    assert.equal(r.response_status, 201);
  });

  test('the same key with another body is C011 (422)', async () => {
    const k = key();
    await store.run('orders', TEST_USER_ID, k, { a: 1 }, async () => ({ status: 200, body: 'x' }));
    await expectCode(store.run('orders', TEST_USER_ID, k, { a: 2 }, async () => ({ status: 200, body: 'y' })), 'C011', 422);
  });

  test('keys are per scope and per user', async () => {
    const k = key();
    const a = await store.run('orders', TEST_USER_ID, k, { a: 1 }, async () => ({ status: 200, body: 'a' }));
    const b = await store.run('orders', OTHER_USER_ID, k, { a: 2 }, async () => ({ status: 200, body: 'b' }));
    const c = await store.run('payments', TEST_USER_ID, k, { a: 3 }, async () => ({ status: 200, body: 'c' }));
    assert.deepEqual([a, b, c].map((x) => [x.body, x.replayed]), [['a', false], ['b', false], ['c', false]]);
  });

  test('while the first request runs, the same key is C012 (409); afterwards it replays', async () => {
    const k = key();
    const gate = deferred();
    let calls = 0;
    const slow = store.run('payments', TEST_USER_ID, k, { o: 1 }, async () => {
      calls++;
      await gate.promise;
      return { status: 200, body: ok('done') };
    });
    await new Promise((r) => setTimeout(r, 50)); // let the first claim the key
    const racers = await Promise.allSettled(
      Array.from({ length: 10 }, () => store.run('payments', TEST_USER_ID, k, { o: 1 }, async () => ({ status: 200, body: ok('dup') }))),
    );
    for (const r of racers) {
      assert.equal(r.status, 'rejected');
      if (r.status === 'rejected') assert.ok(isAppError(r.reason, 'IDEMPOTENCY_KEY_IN_PROGRESS'), String(r.reason));
    }
    gate.resolve();
    assert.deepEqual((await slow).body, ok('done'));
    const replay = await store.run('payments', TEST_USER_ID, k, { o: 1 }, async () => ({ status: 200, body: ok('again') }));
    assert.deepEqual(replay, { status: 200, body: ok('done'), replayed: true });
    assert.equal(calls, 1);
  });

  test('concurrent first requests with one key: exactly one runs', async () => {
    const k = key();
    let calls = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        store.run('payments', TEST_USER_ID, k, { o: 2 }, async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 100));
          return { status: 200, body: 'once' };
        }),
      ),
    );
    assert.equal(calls, 1);
    // Every other caller got C012, or (arriving after the first finished) the replay.
    const fresh = results.filter((r) => r.status === 'fulfilled' && !r.value.replayed);
    assert.equal(fresh.length, 1);
    for (const r of results) {
      if (r.status === 'fulfilled') assert.equal(r.value.body, 'once');
      else assert.ok(isAppError(r.reason, 'IDEMPOTENCY_KEY_IN_PROGRESS'), String(r.reason));
    }
    assert.equal((await rowsOf(k)).length, 1);
  });

  test('a 4xx AppError is stored as its envelope and replayed (a declined payment is not charged again)', async () => {
    const k = key();
    let calls = 0;
    const fn = async (): Promise<{ status: number; body: unknown }> => {
      calls++;
      throw fail('PAYMENT_PROCESSING_FAILED');
    };
    const first = await store.run('payments', TEST_USER_ID, k, { o: 3 }, fn, { path: '/payments' });
    assert.equal(first.status, 400);
    assert.equal(first.replayed, false);
    const body = first.body as { success: boolean; error: { code: string; message: string; path: string } };
    assert.equal(body.success, false);
    assert.equal(body.error.code, 'S304');
    assert.equal(body.error.message, 'Payment processing failed');
    assert.equal(body.error.path, '/payments');
    const second = await store.run('payments', TEST_USER_ID, k, { o: 3 }, fn, { path: '/payments' });
    assert.deepEqual(second, { ...first, replayed: true });
    assert.equal(calls, 1);
  });

  test('a retryable 4xx (S408 lock contention) is not stored', async () => {
    const k = key();
    let calls = 0;
    const fn = async (): Promise<{ status: number; body: unknown }> => {
      if (++calls === 1) throw fail('CONCURRENT_STOCK_MODIFICATION');
      return { status: 201, body: 'made' };
    };
    await expectCode(store.run('orders', TEST_USER_ID, k, {}, fn), 'S408', 409);
    assert.equal((await store.run('orders', TEST_USER_ID, k, {}, fn)).body, 'made');
    assert.equal(calls, 2);
  });

  test('a 5xx or unexpected error is not stored: the key is freed and a retry runs', async () => {
    const k = key();
    let calls = 0;
    const outcomes: (() => Promise<{ status: number; body: unknown }>)[] = [
      async () => {
        throw fail('PAYMENT_REFUND_FAILED');
      },
      async () => {
        throw new Error('db gone');
      },
      async () => ({ status: 503, body: 'unavailable' }),
      async () => ({ status: 200, body: 'finally' }),
    ];
    const fn = () => outcomes[calls++]();
    await expectCode(store.run('payments', TEST_USER_ID, k, {}, fn), 'S305', 500);
    assert.equal((await rowsOf(k)).length, 0);
    await assert.rejects(store.run('payments', TEST_USER_ID, k, {}, fn), /db gone/);
    assert.equal((await rowsOf(k)).length, 0);
    const unavailable = await store.run('payments', TEST_USER_ID, k, {}, fn);
    assert.deepEqual(unavailable, { status: 503, body: 'unavailable', replayed: false });
    assert.equal((await rowsOf(k)).length, 0);
    assert.equal((await store.run('payments', TEST_USER_ID, k, {}, fn)).body, 'finally');
    assert.equal((await store.run('payments', TEST_USER_ID, k, {}, fn)).replayed, true);
    assert.equal(calls, 4);
  });

  test('an expired key is replaced, even with another body', async () => {
    const k = key();
    await store.run('orders', TEST_USER_ID, k, { v: 1 }, async () => ({ status: 200, body: 'old' }));
    await t.db.updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('idem_key', '=', k).execute();
    const fresh = await store.run('orders', TEST_USER_ID, k, { v: 2 }, async () => ({ status: 200, body: 'new' }));
    assert.deepEqual(fresh, { status: 200, body: 'new', replayed: false });
    const rows = await rowsOf(k);
    assert.equal(rows.length, 1);
    assert.ok(rows[0].expires_at.getTime() > Date.now() + 86_000_000);

    const shortLived = new IdempotencyStore(t.db, 0);
    const k2 = key();
    await shortLived.run('orders', TEST_USER_ID, k2, { v: 1 }, async () => ({ status: 200, body: 1 }));
    assert.equal((await shortLived.run('orders', TEST_USER_ID, k2, { v: 1 }, async () => ({ status: 200, body: 2 }))).body, 2);
  });

  test('an IN_PROGRESS key left by a crashed process is taken over after the in-flight timeout', async () => {
    const k = key();
    await t.db
      .insertInto('idempotency_keys')
      .values({
        scope: 'orders', user_id: TEST_USER_ID, idem_key: k, request_hash: requestHash({}), status: 'IN_PROGRESS',
        created_at: new Date(Date.now() - 301_000), expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    assert.equal((await store.run('orders', TEST_USER_ID, k, {}, async () => ({ status: 200, body: 'recovered' }))).body, 'recovered');
    const fresh = key();
    await t.db
      .insertInto('idempotency_keys')
      .values({
        scope: 'orders', user_id: TEST_USER_ID, idem_key: fresh, request_hash: requestHash({}), status: 'IN_PROGRESS',
        created_at: new Date(Date.now() - 10_000), expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    await expectCode(store.run('orders', TEST_USER_ID, fresh, {}, async () => ({ status: 200, body: 'no' })), 'C012', 409);
  });

  test('a bad key is C002 naming the Idempotency-Key header', async () => {
    for (const bad of ['', 'has space', 'tab\tkey', 'ключ', 'x'.repeat(256)]) {
      await assert.rejects(store.run('orders', TEST_USER_ID, bad, {}, async () => ({ status: 200, body: 1 })), (err: unknown) => {
        assert.ok(isAppError(err, 'INVALID_INPUT_VALUE'), JSON.stringify(bad));
        assert.deepEqual(err.details?.map((d) => d.field), ['Idempotency-Key']);
        return true;
      });
    }
    const longest = 'k'.repeat(255);
    assert.equal((await store.run('orders', TEST_USER_ID, longest, {}, async () => ({ status: 200, body: 1 }))).body, 1);
  });

  test('purgeExpired deletes expired keys only', async () => {
    const live = key();
    const dead = key();
    await store.run('orders', TEST_USER_ID, live, {}, async () => ({ status: 200, body: 1 }));
    await store.run('orders', TEST_USER_ID, dead, {}, async () => ({ status: 200, body: 1 }));
    await t.db.updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1) }).where('idem_key', '=', dead).execute();
    assert.ok((await store.purgeExpired()) >= 1);
    assert.equal((await rowsOf(dead)).length, 0);
    assert.equal((await rowsOf(live)).length, 1);
  });
});

describe('idempotent() over HTTP', () => {
  test('without the header every call runs', async () => {
    const before = ran.ok;
    const a = await t.call('POST', '/test/idempotent', { body: { x: 1 } });
    const b = await t.call('POST', '/test/idempotent', { body: { x: 1 } });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(ran.ok, before + 2);
    assert.equal(a.headers['idempotent-replayed'], undefined);
  });

  test('with the header: the stored answer replays; another body is 422 C011; a bad key 400 C002', async () => {
    const k = key();
    const before = ran.ok;
    const first = await t.call('POST', '/test/idempotent', { body: { x: 1, y: 2 }, headers: { 'idempotency-key': k } });
    const again = await t.call('POST', '/test/idempotent', { body: { y: 2, x: 1 }, headers: { 'idempotency-key': k } });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.match(String(again.headers['content-type']), /application\/json/);
    assert.equal(ran.ok, before + 1);

    const other = await t.call('POST', '/test/idempotent', { body: { x: 2 }, headers: { 'idempotency-key': k } });
    assert.equal(other.status, 422);
    assert.equal(codeOf(other), 'C011');

    // Another user's key space is separate.
    const mine = await t.call('POST', '/test/idempotent', { body: { x: 2 }, headers: { 'idempotency-key': k }, token: t.otherToken });
    assert.equal(mine.status, 201);

    const bad = await t.call('POST', '/test/idempotent', { body: { x: 1 }, headers: { 'idempotency-key': 'a b' } });
    assert.equal(bad.status, 400);
    assert.equal(codeOf(bad), 'C002');
    assert.equal(bad.body.error.details[0].field, 'Idempotency-Key');
  });

  test('a 4xx answer is stored and sent again as the same envelope', async () => {
    const k = key();
    const before = ran.declined;
    const first = await t.call('POST', '/api/v1/shopping/test/declined', { body: { orderNumber: 'ORD-1' }, headers: { 'idempotency-key': k } });
    const again = await t.call('POST', '/api/v1/shopping/test/declined', { body: { orderNumber: 'ORD-1' }, headers: { 'idempotency-key': k } });
    assert.equal(first.status, 400);
    assert.equal(codeOf(first), 'S304');
    assert.equal(first.body.error.path, '/test/declined');
    assert.deepEqual(again.body, first.body);
    assert.equal(again.status, 400);
    assert.equal(ran.declined, before + 1);

    const plain = await t.call('POST', '/test/declined', { body: {} });
    assert.equal(plain.status, 400);
    assert.equal(codeOf(plain), 'S304');
  });

  test('without a token the route is 401 before any key is looked at', async () => {
    const res = await t.call('POST', '/test/idempotent', { body: {}, token: null, headers: { 'idempotency-key': key() } });
    assert.equal(res.status, 401);
  });
});
