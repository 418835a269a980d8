/**
 * Exact counts whatever Redis and the processes do, against the real MariaDB
 * and Redis: the coupon's keys put back to an older copy mid-sale, a service
 * process SIGKILLed mid-spike, a user's retry while their request is pending
 * or after it died, units given back out of order, rebuilds during claims.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startChildApp, type ChildApp } from '../../../test/child-app';
import { codeOf, until, type TestApp, type TestResponse } from '../../../test/helpers';
import { isAppError } from '../../platform/http/errors';
import { CouponRedis, couponKeys } from './redis';
import { CouponService } from './service';
import { buyers, createCoupon, startCouponApp, type Buyer } from './test-support';

let t: TestApp;
let coupons: CouponService;
let keys: CouponRedis;

before(async () => {
  ({ t, coupons } = await startCouponApp());
  keys = new CouponRedis(t.redis);
});
after(async () => {
  await t?.close();
});

type User = Buyer;
const users = (n: number) => buyers(t, n);

const issue = (couponId: number, user: User) => t.call('POST', `/coupons/${couponId}/issue`, { token: user.token });

const created = (responses: TestResponse[]) => responses.filter((r) => r.status === 201).length;

function onlyExpected(responses: TestResponse[]): void {
  for (const r of responses) {
    assert.ok(r.status === 201 || ['S602', 'S604'].includes(codeOf(r) ?? ''), `unexpected answer ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** MySQL's rows of a coupon, checked: distinct units within 1…total, one per user. */
async function rowsOf(couponId: number, total: number) {
  const rows = await t.db.selectFrom('user_coupons').select(['user_id', 'unit_no']).where('coupon_id', '=', couponId).execute();
  const units = rows.map((r) => r.unit_no);
  assert.equal(new Set(units).size, units.length, 'no unit held twice');
  assert.equal(new Set(rows.map((r) => r.user_id)).size, rows.length, 'no user holds it twice');
  for (const u of units) assert.ok(u >= 1 && u <= total, `unit ${u} within 1…${total}`);
  return rows;
}

/** The sale ended exact: `total` rows, the API agrees, and Redis (after a reconcile) counts the same. */
async function assertSoldOutExactly(couponId: number, total: number): Promise<void> {
  const rows = await rowsOf(couponId, total);
  assert.equal(rows.length, total, 'rows = total');
  const api = await t.call('GET', `/admin/coupons/${couponId}`, { token: t.adminToken });
  assert.equal(api.body.data.issuedQuantity, total);
  assert.equal(api.body.data.remainingQuantity, 0);
  assert.equal(api.body.data.status, 'EXHAUSTED');
  await coupons.rebuild(couponId);
  const r = (await keys.read(couponId))!;
  assert.equal(r.available, 0);
  assert.equal(r.pending.length, 0);
  assert.deepEqual(r.issued, rows.map((x) => x.user_id).sort());
}

/** DUMP of every key of a coupon (null for a missing one), and its RESTORE … REPLACE. */
async function dumpKeys(couponId: number): Promise<Map<string, Buffer | null>> {
  const { rebuildLock: _lock, ...data } = couponKeys(couponId);
  const out = new Map<string, Buffer | null>();
  for (const key of Object.values(data)) out.set(key, await t.redis.dumpBuffer(key));
  return out;
}

async function restoreKeys(copy: Map<string, Buffer | null>): Promise<void> {
  const tx = t.redis.multi();
  for (const [key, value] of copy) {
    if (value === null) tx.del(key);
    else tx.restore(key, 0, value, 'REPLACE');
  }
  await tx.exec();
}

describe('Redis put back to an older state mid-sale', () => {
  test('an older copy of the keys restored mid-sale (and again during the wave): never above the total, and the total is reached exactly', async () => {
    const total = 400;
    const c = await createCoupon(coupons, { totalQuantity: total });
    const people = await users(1000);
    const wave1 = await Promise.all(people.slice(0, 100).map((u) => issue(c.id, u)));
    assert.equal(created(wave1), 100);
    const old = await dumpKeys(c.id);
    const wave2 = await Promise.all(people.slice(100, 250).map((u) => issue(c.id, u)));
    assert.equal(created(wave2), 150);

    // Redis forgets the 150 last issuances (their units look free again, their users unknown).
    await restoreKeys(old);
    const timers = [15, 60, 150].map((ms) => setTimeout(() => void restoreKeys(old), ms));
    let wave3: TestResponse[];
    try {
      wave3 = await Promise.all(people.slice(250).map((u) => issue(c.id, u)));
    } finally {
      timers.forEach(clearTimeout);
    }
    onlyExpected(wave3);
    assert.equal(created(wave3), total - 250, JSON.stringify({ wave3: created(wave3) }));
    // The users of wave 2 still hear S604, however old the copy Redis holds.
    await restoreKeys(old);
    const again = await Promise.all(people.slice(100, 130).map((u) => issue(c.id, u)));
    assert.deepEqual([...new Set(again.map(codeOf))], ['S604']);
    await assertSoldOutExactly(c.id, total);
  });

  test('keys deleted and an older copy restored by turns during one wave: exact', async () => {
    const total = 300;
    const c = await createCoupon(coupons, { totalQuantity: total });
    const people = await users(700);
    const first = await Promise.all(people.slice(0, 50).map((u) => issue(c.id, u)));
    assert.equal(created(first), 50);
    const old = await dumpKeys(c.id);
    const timers = [10, 40, 80, 120, 200].map((ms, i) =>
      setTimeout(() => void (i % 2 === 0 ? keys.remove(c.id) : restoreKeys(old)), ms),
    );
    let rest: TestResponse[];
    try {
      rest = await Promise.all(people.slice(50).map((u) => issue(c.id, u)));
    } finally {
      timers.forEach(clearTimeout);
    }
    onlyExpected(rest);
    assert.equal(created(rest), total - 50);
    await assertSoldOutExactly(c.id, total);
  });
});

describe('a user retries', () => {
  test('while their first request is still pending: the retry finishes their own unit, the first hears S604', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 3 });
    const [a] = await users(1);
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    coupons.failpoints.afterScript = async (userId) => {
      if (userId !== a.id) return;
      coupons.failpoints.afterScript = undefined;
      entered();
      await stalled;
    };
    try {
      const first = issue(c.id, a);
      await inside;
      const pendingUnit = (await keys.read(c.id))!.pending.find((p) => p.userId === a.id)!.unit;
      const retry = await issue(c.id, a);
      assert.equal(retry.status, 201, JSON.stringify(retry.body));
      release();
      assert.equal(codeOf(await first), 'S604');
      const rows = await rowsOf(c.id, 3);
      assert.deepEqual(rows, [{ user_id: a.id, unit_no: pendingUnit }]);
    } finally {
      release();
      coupons.failpoints.afterScript = undefined;
    }
    const r = (await keys.read(c.id))!;
    assert.equal(r.available, 2);
    assert.equal(r.pending.length, 0);
  });

  test('after their request died: the unit is theirs on retry within the grace period, freed after it, and S602 only when none is left', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 1 });
    const [ghost, other] = await users(2);
    // A request that died between its script and its INSERT: an admission and nothing else.
    const admitted = await keys.issue(c.id, ghost.id);
    assert.equal(admitted.kind, 'admitted');
    assert.equal(codeOf(await issue(c.id, other)), 'S602', 'the only unit is pending');
    const res = await issue(c.id, ghost);
    assert.equal(res.status, 201, 'the retry finishes the pending unit');

    const d = await createCoupon(coupons, { totalQuantity: 1 });
    await keys.issue(d.id, ghost.id);
    const quick = new CouponService(t.db, t.redis, { admissionGraceMs: 200 });
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(await quick.releaseStranded(d.id), 1, 'past the grace period the unit comes back');
    assert.equal((await issue(d.id, other)).status, 201);
    assert.equal(codeOf(await issue(d.id, ghost)), 'S602', 'the ghost is no holder: S602, not S604');
    assert.equal((await rowsOf(d.id, 1)).length, 1);
  });
});

describe('units given back and rebuilds during claims', () => {
  test('units given back out of order are issued again, each once', async () => {
    const total = 6;
    const c = await createCoupon(coupons, { totalQuantity: total });
    const people = await users(10);
    // Units 1…6 go out in order; the MySQL steps of units 2, 4 and 5 wait, then fail in the order 4, 2, 5.
    const gates = new Map<string, { entered: Promise<void>; enter: () => void; release: () => void; released: Promise<void> }>();
    for (const i of [1, 3, 4]) {
      let enter!: () => void;
      let release!: () => void;
      const entered = new Promise<void>((r) => (enter = r));
      const released = new Promise<void>((r) => (release = r));
      gates.set(people[i].id, { entered, enter, release, released });
    }
    coupons.failpoints.afterScript = async (userId) => {
      const gate = gates.get(userId);
      if (!gate) return;
      gate.enter();
      await gate.released;
      throw new Error('injected failure in the MySQL step');
    };
    const failed: Promise<TestResponse>[] = [];
    try {
      for (let i = 0; i < total; i++) {
        const gate = gates.get(people[i].id);
        if (gate) {
          failed.push(issue(c.id, people[i]));
          await gate.entered;
        } else {
          assert.equal((await issue(c.id, people[i])).status, 201);
        }
      }
      for (const i of [3, 1, 4]) {
        gates.get(people[i].id)!.release();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual((await Promise.all(failed)).map((r) => r.status), [500, 500, 500]);
    } finally {
      for (const g of gates.values()) g.release();
      coupons.failpoints.afterScript = undefined;
    }
    const back = (await keys.read(c.id))!;
    assert.deepEqual(back.free, [2, 4, 5]);
    assert.equal(back.available, 3);
    assert.deepEqual((await rowsOf(c.id, total)).map((r) => r.unit_no).sort(), [1, 3, 6]);
    // Two of the failed users try again, and newcomers take what is left.
    const wave = await Promise.all([people[1], people[3], people[6], people[7], people[8]].map((u) => issue(c.id, u)));
    onlyExpected(wave);
    assert.equal(created(wave), 3);
    await assertSoldOutExactly(c.id, total);
  });

  test('rebuilds running while hundreds of claims are in flight: exact, and no request fails', async () => {
    const total = 250;
    const c = await createCoupon(coupons, { totalQuantity: total });
    const people = await users(600);
    let rebuilding = true;
    const loop = (async () => {
      let n = 0;
      while (rebuilding) {
        await coupons.rebuild(c.id);
        n++;
        await new Promise((r) => setTimeout(r, 10));
      }
      return n;
    })();
    let responses: TestResponse[];
    try {
      responses = await Promise.all(people.map((u) => issue(c.id, u)));
    } finally {
      rebuilding = false;
    }
    assert.ok((await loop) > 1, 'rebuilds ran during the wave');
    onlyExpected(responses);
    assert.equal(created(responses), total);
    await assertSoldOutExactly(c.id, total);
  });

  test('a unit MySQL refuses is answered truthfully in the same request, and the keys are rebuilt at once', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 2 });
    const [a, b, d] = await users(3);
    assert.equal((await issue(c.id, a)).status, 201);
    const old = await dumpKeys(c.id);
    assert.equal((await issue(c.id, b)).status, 201);
    await restoreKeys(old); // Redis believes unit 2 is free and b holds nothing
    const epoch = await keys.epoch(c.id);
    const res = await issue(c.id, d);
    assert.equal(codeOf(res), 'S602', 'both units are held: the truth, not a 500 or a retry-later');
    assert.notEqual(await keys.epoch(c.id), epoch, 'the keys were rebuilt at once');
    assert.equal(codeOf(await issue(c.id, b)), 'S604');
    await assertSoldOutExactly(c.id, 2);
    await assert.rejects(coupons.issue(d.id, c.id), (e) => isAppError(e, 'COUPON_EXHAUSTED'));
  });
});

// ---- a process killed mid-spike -------------------------------------------------------

/** The real app in a child process on this test's database and key prefix. */
function startInstance(env: Record<string, string>): Promise<ChildApp> {
  return startChildApp({
    NODE_ENV: 'test',
    DATABASE_URL: t.config.databaseUrl,
    REDIS_URL: t.config.redisUrl,
    REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
    ...env,
  });
}

async function post(instance: ChildApp, couponId: number, user: User): Promise<{ status: number; code?: string } | 'died'> {
  try {
    const res = await fetch(`${instance.base}/api/v1/shopping/coupons/${couponId}/issue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return { status: res.status, code: body.error?.code };
  } catch {
    return 'died';
  }
}

describe('a service process killed mid-spike', () => {
  test('SIGKILL with issuances in flight: a fresh instance frees the stranded units within seconds; a user whose request died gets the coupon on retry; a fresh wave gets exactly the rest', async (ctx) => {
    const total = 300;
    const graceMs = 1500;
    const env = { SALE_RECONCILE_INTERVAL_MS: '250', SALE_ADMISSION_GRACE_MS: String(graceMs) };
    const c = await createCoupon(coupons, { totalQuantity: total });
    const people = await users(600 + total + 50);
    let first: ChildApp | undefined;
    let second: ChildApp | undefined;
    try {
      first = await startInstance(env);
      const victim = first;
      // Killed once 30 coupons are out: the rest of the units are between script and commit.
      let issued = 0;
      const outcomes = await Promise.all(
        people.slice(0, 600).map(async (u) => {
          const r = await post(victim, c.id, u);
          if (r !== 'died' && r.status === 201 && ++issued === 30) void victim.kill();
          return r;
        }),
      );
      await victim.kill();
      const died = people.filter((_, i) => outcomes[i] === 'died');
      assert.ok(died.length > 0, 'requests were in flight when the process died');

      const rowsAtKill = await rowsOf(c.id, total);
      const atKill = (await keys.read(c.id))!;
      const stranded = atKill.pending.filter((p) => !rowsAtKill.some((r) => r.user_id === p.userId));
      assert.ok(stranded.length > 0, 'the kill stranded admitted units');
      assert.ok(rowsAtKill.length < total, 'the spike was not over');
      const holders = new Set(rowsAtKill.map((r) => r.user_id));

      second = await startInstance(env);
      const survivor = second;
      const restartedAt = Date.now();

      // A user whose request died after its admission, without a row: the retry gets the coupon.
      const dead = died.find((u) => stranded.some((p) => p.userId === u.id))!;
      assert.ok(dead, 'a request that died after its admission');
      assert.deepEqual(await post(survivor, c.id, dead), { status: 201, code: undefined });
      assert.ok((await rowsOf(c.id, total)).some((r) => r.user_id === dead.id));
      // One whose row committed but whose answer was lost: S604.
      const committed = died.find((u) => holders.has(u.id));
      if (committed) assert.deepEqual(await post(survivor, c.id, committed), { status: 409, code: 'S604' });

      // Every stranded unit comes back within seconds of the new instance listening (the dead
      // one's job lock lapses after 2 s, the admissions' grace after 1.5 s, the job runs every 250 ms).
      await until(async () => (await keys.read(c.id))!.pending.length === 0, 10_000, 'stranded units freed');
      const freedAfterMs = Date.now() - restartedAt;
      ctx.diagnostic(`at the kill: ${rowsAtKill.length} rows, ${stranded.length} units stranded, ${died.length} requests died; all freed ${freedAfterMs} ms after the new instance listened`);

      const left = total - (await rowsOf(c.id, total)).length;
      assert.ok(left > 0);
      const fresh = people.slice(600, 600 + left + 50); // more users than units left
      const wave = await Promise.all(fresh.map((u) => post(survivor, c.id, u)));
      const got = wave.filter((r) => r !== 'died' && r.status === 201).length;
      assert.equal(got, left, `the fresh wave got exactly the ${left} units left`);
      for (const r of wave) assert.ok(r !== 'died' && (r.status === 201 || r.code === 'S602'), JSON.stringify(r));
      await assertSoldOutExactly(c.id, total);
    } finally {
      await first?.kill();
      await second?.kill();
    }
  });
});
