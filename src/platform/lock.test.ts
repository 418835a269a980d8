import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis as RawRedis } from 'ioredis';
import { Mutex } from 'redis-semaphore';
import { TestApp } from '../../test/helpers';
import { LockBusy, withLock } from './lock';

/** A promise with its resolver, to hold a lock exactly as long as a test wants. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

function isBusy(err: unknown): boolean {
  return err instanceof LockBusy;
}

describe('withLock (redis-semaphore; a busy lock is LockBusy)', () => {
  let t: TestApp;
  let raw: RawRedis;
  let n = 0;
  /** A fresh lock key per test. */
  const key = (name: string) => `test-${name}-${n++}`;
  /** The key as stored under the app's prefix: redis-semaphore adds `mutex:`, withLock adds `lock:`. */
  const storedKey = (k: string) => `mutex:lock:${k}`;

  before(async () => {
    t = await TestApp.start();
    raw = new RawRedis(t.config.redisUrl);
  });
  after(async () => {
    raw?.disconnect();
    await t?.close();
  });

  test('two contenders with waitMs 0: exactly one runs, the other gets LockBusy', async () => {
    const k = key('race');
    const held = gate();
    let running = 0;
    let maxRunning = 0;
    let ran = 0;
    const contender = () =>
      withLock(t.redis, k, { waitMs: 0 }, async () => {
        running++;
        ran++;
        maxRunning = Math.max(maxRunning, running);
        await held.opened; // hold the lock until both attempts are over
        running--;
        return 'done';
      });

    const first = contender();
    const second = contender();
    // The loser fails while the winner still holds the lock.
    const results = await Promise.allSettled([
      first.finally(() => undefined),
      second.finally(() => undefined),
      (async () => {
        await sleep(100);
        held.open();
      })(),
    ]);
    const outcomes = results.slice(0, 2);
    const fulfilled = outcomes.filter((r) => r.status === 'fulfilled');
    const rejected = outcomes.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(fulfilled.length, 1, 'exactly one contender ran');
    assert.equal(rejected.length, 1);
    assert.ok(isBusy(rejected[0].reason), `LockBusy expected, got ${rejected[0].reason}`);
    assert.equal(ran, 1);
    assert.equal(maxRunning, 1);
    assert.equal(await t.redis.exists(storedKey(k)), 0, 'released after the winner finished');
  });

  test('many contenders with waitMs 0 on one key: one winner, the rest LockBusy, never two inside', async () => {
    const k = key('many');
    const held = gate();
    let inside = 0;
    let maxInside = 0;
    const attempts = Array.from({ length: 20 }, () =>
      withLock(t.redis, k, { waitMs: 0 }, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await held.opened;
        inside--;
      }),
    );
    setTimeout(held.open, 150);
    const results = await Promise.allSettled(attempts);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(isBusy(r.reason), String(r.reason));
    assert.equal(maxInside, 1);
  });

  test('with a long enough waitMs the second runs after the first, never alongside', async () => {
    const k = key('wait');
    const events: string[] = [];
    const first = withLock(t.redis, k, { waitMs: 0 }, async () => {
      events.push('first:start');
      await sleep(200);
      events.push('first:end');
      return 1;
    });
    await sleep(20); // the first surely holds the lock now
    const started = Date.now();
    const second = withLock(t.redis, k, { waitMs: 3000 }, async () => {
      events.push('second:start');
      return 2;
    });
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
    assert.deepEqual(events, ['first:start', 'first:end', 'second:start']);
    assert.ok(Date.now() - started >= 100, 'the second waited for the first');
  });

  test('a wait that is too short → LockBusy without running fn', async () => {
    const k = key('short-wait');
    const held = gate();
    const holder = withLock(t.redis, k, {}, () => held.opened);
    await sleep(20);
    let ran = false;
    const started = Date.now();
    await assert.rejects(
      withLock(t.redis, k, { waitMs: 150 }, async () => {
        ran = true;
      }),
      isBusy,
    );
    assert.ok(Date.now() - started >= 140, 'it did wait about waitMs');
    assert.equal(ran, false);
    held.open();
    await holder;
  });

  test('the lock is released when fn throws (the error passes through unchanged)', async () => {
    const k = key('throws');
    const boom = new Error('boom');
    await assert.rejects(
      withLock(t.redis, k, { waitMs: 0 }, async () => {
        assert.equal(await t.redis.exists(storedKey(k)), 1, 'held while fn runs');
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(await t.redis.exists(storedKey(k)), 0);
    // Immediately free for the next caller, even with no waiting.
    assert.equal(await withLock(t.redis, k, { waitMs: 0 }, async () => 'again'), 'again');
  });

  test("another client cannot release the holder's lock; it is gone only after the holder finishes", async () => {
    const k = key('owner');
    const held = gate();
    let holderId = '';
    const holder = withLock(t.redis, k, { waitMs: 0 }, async () => {
      holderId = (await t.redis.get(storedKey(k))) ?? '';
      await held.opened;
    });
    await sleep(30);
    assert.ok(holderId, 'the holder stored its identifier');

    // A stranger claiming to have acquired the same key (another identifier) tries to release it.
    const stranger = new Mutex(t.redis, `lock:${k}`, { identifier: 'not-the-holder', acquiredExternally: true });
    await stranger.release();
    assert.equal(await t.redis.get(storedKey(k)), holderId, 'still the holder’s lock');
    await assert.rejects(withLock(t.redis, k, { waitMs: 0 }, async () => undefined), isBusy);

    held.open();
    await holder;
    assert.equal(await t.redis.exists(storedKey(k)), 0, 'released by its holder');
  });

  test('a holder that outlives leaseMs keeps the lock (it is refreshed)', async () => {
    const k = key('refresh');
    const held = gate();
    let aborted = false;
    const holder = withLock(t.redis, k, { waitMs: 0, leaseMs: 300 }, async (signal) => {
      await held.opened;
      aborted = signal.aborted;
    });
    await sleep(700); // more than twice the lease
    await assert.rejects(withLock(t.redis, k, { waitMs: 0 }, async () => undefined), isBusy);
    const ttl = await t.redis.pttl(storedKey(k));
    assert.ok(ttl > 0 && ttl <= 300, `lease ttl ${ttl}`);
    held.open();
    await holder;
    assert.equal(aborted, false);
    assert.equal(await t.redis.exists(storedKey(k)), 0);
  });

  test('a holder whose lock is lost is told through its AbortSignal', async () => {
    const k = key('lost');
    const seen = gate();
    const holder = withLock(t.redis, k, { waitMs: 0, leaseMs: 200 }, async (signal) => {
      await t.redis.del(storedKey(k)); // someone (an operator, an expiry) took the lock away
      signal.addEventListener('abort', () => seen.open());
      await Promise.race([seen.opened, sleep(2000)]);
      return signal.aborted;
    });
    assert.equal(await holder, true);
  });

  test('the lock key lives under the Redis key prefix as mutex:lock:<key>', async () => {
    const k = key('prefix');
    assert.ok(t.config.redisKeyPrefix.startsWith('test:'), 'each test file has its own prefix');
    await withLock(t.redis, k, { waitMs: 0 }, async () => {
      assert.equal(await raw.exists(`${t.config.redisKeyPrefix}mutex:lock:${k}`), 1);
      assert.equal(await raw.exists(`mutex:lock:${k}`), 0, 'nothing outside the prefix');
      assert.equal(await raw.exists(`lock:${k}`), 0);
      const ttl = await raw.pttl(`${t.config.redisKeyPrefix}mutex:lock:${k}`);
      assert.ok(ttl > 0 && ttl <= 5000, `default lease 5 s, ttl ${ttl}`);
    });
    assert.equal(await raw.exists(`${t.config.redisKeyPrefix}mutex:lock:${k}`), 0);
  });

  test('different keys do not block each other', async () => {
    const held = gate();
    const a = withLock(t.redis, key('a'), { waitMs: 0 }, () => held.opened);
    await sleep(20);
    assert.equal(await withLock(t.redis, key('b'), { waitMs: 0 }, async () => 'b'), 'b');
    held.open();
    await a;
  });

  test('waitMs 0 on a free lock always makes its one attempt (no spurious LockBusy at a clock tick)', async () => {
    // A millisecond boundary between computing the deadline and checking it must not
    // skip the single attempt: make every Date.now() call a new millisecond.
    const realNow = Date.now;
    let fake = realNow();
    Date.now = () => ++fake;
    try {
      assert.equal(await withLock(t.redis, key('tick'), { waitMs: 0 }, async () => 'ran'), 'ran');
    } finally {
      Date.now = realNow;
    }
    for (let i = 0; i < 300; i++) {
      await withLock(t.redis, key('free'), { waitMs: 0 }, async () => undefined);
    }
  });

  test('waitMs 0 on a held lock answers LockBusy at once', async () => {
    const k = key('fast-fail');
    const held = gate();
    const holder = withLock(t.redis, k, {}, () => held.opened);
    await sleep(20);
    const started = Date.now();
    await assert.rejects(withLock(t.redis, k, { waitMs: 0 }, async () => undefined), isBusy);
    assert.ok(Date.now() - started < 100, `took ${Date.now() - started} ms`);
    held.open();
    await holder;
  });
});
