/**
 * First-come issuance under load, against the real Redis and MariaDB: exact
 * totals, compensation of a failed MySQL step, and keys lost mid-sale.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { codeOf, RACE_ENV, type TestApp, type TestResponse } from '../../../test/helpers';
import { isAppError } from '../../platform/http/errors';
import { CouponRedis } from './redis';
import { CouponService } from './service';
import { buyers, createCoupon, startCouponApp, type Buyer } from './test-support';

let t: TestApp;
let coupons: CouponService;
let keys: CouponRedis;

before(async () => {
  ({ t, coupons } = await startCouponApp(RACE_ENV));
  keys = new CouponRedis(t.redis);
});
after(async () => {
  await t?.close();
});

type User = Buyer;
const users = (n: number) => buyers(t, n);

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const issue = (couponId: number, user: User) => t.call('POST', `/coupons/${couponId}/issue`, { token: user.token });

/** What MySQL, Redis and the outbox say about a coupon (`stock`: units Redis can still hand out, null when not loaded). */
async function state(couponId: number, code: string) {
  const [rows, redis, coupon, events, dupes] = await Promise.all([
    t.db.selectFrom('user_coupons').select(['user_id', 'unit_no']).where('coupon_id', '=', couponId).execute(),
    keys.read(couponId),
    coupons.get(couponId),
    t.db
      .selectFrom('outbox_events')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('topic', '=', 'shopping.coupon.issued')
      .where('event_key', '=', code)
      .executeTakeFirstOrThrow(),
    t.db
      .selectFrom('user_coupons')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('coupon_id', '=', couponId)
      .groupBy('user_id')
      .having(sql`COUNT(*)`, '>', 1)
      .execute(),
  ]);
  const units = rows.map((r) => r.unit_no);
  assert.equal(new Set(units).size, units.length, 'no unit held twice');
  for (const u of units) assert.ok(u >= 1 && u <= coupon.totalQuantity, `unit ${u} within 1…${coupon.totalQuantity}`);
  return {
    rows: rows.map((r) => r.user_id).sort(),
    members: redis?.issued ?? [],
    pending: redis?.pending.length ?? 0,
    stock: redis?.available ?? null,
    coupon,
    events: Number(events.n),
    duplicates: dupes.length,
  };
}

function tally(responses: TestResponse[]) {
  const out: Record<string, number> = {};
  for (const r of responses) {
    const key = r.status === 201 ? '201' : `${r.status} ${codeOf(r)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('first-come issuance', () => {
  test('2,000 concurrent requests from 1,500 users for 500 units: exactly 500 issued, the rest S602/S604', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 500 });
    const people = await users(1500);
    const requests = shuffle([...people, ...people.slice(0, 500)]);
    const responses = await Promise.all(requests.map((u) => issue(c.id, u)));

    const counts = tally(responses);
    assert.equal(counts['201'], 500, JSON.stringify(counts));
    for (const key of Object.keys(counts)) assert.ok(['201', '409 S602', '409 S604'].includes(key), `unexpected answer ${key}`);

    const winners = new Set(responses.flatMap((r, i) => (r.status === 201 ? [requests[i].id] : [])));
    assert.equal(winners.size, 500, 'every 201 went to a different user');
    responses.forEach((r, i) => {
      if (codeOf(r) === 'S604') assert.ok(winners.has(requests[i].id), 'S604 only to a holder');
    });
    const first = responses.find((r) => r.status === 201)!;
    assert.equal(first.body.data.couponId, c.id);
    assert.equal(first.body.data.status, 'AVAILABLE');
    assert.match(first.body.data.issuedAt, /Z$/);

    const s = await state(c.id, c.code);
    assert.equal(s.rows.length, 500);
    assert.equal(s.duplicates, 0);
    assert.deepEqual(s.members, s.rows);
    assert.deepEqual(s.rows, [...winners].sort());
    assert.equal(s.stock, 0);
    assert.equal(s.coupon.issuedQuantity, 500);
    assert.equal(s.coupon.remainingQuantity, 0);
    assert.equal(s.coupon.status, 'EXHAUSTED');
    assert.equal(s.events, 500, 'one coupon.issued event per issuance');

    // After the sale: a holder still hears S604, anyone else S602.
    assert.equal(codeOf(await issue(c.id, requests[responses.findIndex((r) => r.status === 201)])), 'S604');
    const [late] = await users(1);
    const lateRes = await issue(c.id, late);
    assert.equal(lateRes.status, 409);
    assert.equal(codeOf(lateRes), 'S602');
  });

  test('the coupon.issued event carries the contract payload', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 5, discountType: 'PERCENTAGE', discountValue: 12.5, maximumDiscountAmount: 10000 });
    const [u] = await users(1);
    assert.equal((await issue(c.id, u)).status, 201);
    const row = await t.db.selectFrom('outbox_events').selectAll().where('event_key', '=', c.code).executeTakeFirstOrThrow();
    const payload = JSON.parse(row.payload);
    assert.equal(row.topic, 'shopping.coupon.issued');
    assert.deepEqual(
      { ...payload, eventId: undefined, occurredAt: undefined },
      {
        userId: u.id,
        couponCode: c.code,
        couponName: c.name,
        discountType: 'PERCENTAGE',
        discountValue: 12,
        expiresAt: new Date(c.expiresAt).toISOString(),
        couponId: c.id,
        eventId: undefined,
        occurredAt: undefined,
      },
    );
    assert.ok(payload.eventId);
  });
});

describe('a failed MySQL step', () => {
  test('is undone in Redis before the error is returned', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 10 });
    const [a, b] = await users(2);
    assert.equal((await issue(c.id, b)).status, 201);
    const before = await state(c.id, c.code);

    coupons.failpoints.beforeCommit = (userId) => {
      if (userId === a.id) throw new Error('injected failure in the MySQL step');
    };
    try {
      const failed = await issue(c.id, a);
      assert.equal(failed.status, 500);
      assert.equal(codeOf(failed), 'C001');
      const afterFailure = await state(c.id, c.code);
      assert.deepEqual(afterFailure, before, 'Redis, rows and events as before the attempt');
    } finally {
      coupons.failpoints.beforeCommit = undefined;
    }
    assert.equal((await issue(c.id, a)).status, 201, 'the user can try again');
    const s = await state(c.id, c.code);
    assert.equal(s.stock, 8);
    assert.deepEqual(s.members, s.rows);
  });

  test('on the last unit: the coupon stays ACTIVE and the unit can still be had', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 1 });
    const [a, b] = await users(2);
    coupons.failpoints.beforeCommit = () => {
      throw new Error('injected');
    };
    try {
      assert.equal((await issue(c.id, a)).status, 500);
    } finally {
      coupons.failpoints.beforeCommit = undefined;
    }
    let s = await state(c.id, c.code);
    assert.equal(s.stock, 1);
    assert.deepEqual(s.members, []);
    assert.equal(s.coupon.status, 'ACTIVE');
    assert.equal((await issue(c.id, b)).status, 201);
    s = await state(c.id, c.code);
    assert.equal(s.coupon.status, 'EXHAUSTED');
    assert.deepEqual(s.rows, [b.id]);
  });

  test('a unit given back after the last one was taken re-opens the coupon', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 2 });
    const [a, b, d] = await users(3);
    // a's script takes unit 1 and a stalls before its transaction; b takes the last unit
    // and commits (EXHAUSTED); then a's MySQL step fails and its unit comes back.
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    coupons.failpoints.afterScript = async (userId) => {
      if (userId !== a.id) return;
      entered();
      await stalled;
      throw new Error('injected');
    };
    try {
      const pending = issue(c.id, a);
      await inside;
      const bRes = await issue(c.id, b);
      assert.equal(bRes.status, 201);
      assert.equal((await coupons.get(c.id)).status, 'EXHAUSTED');
      release();
      assert.equal((await pending).status, 500);
    } finally {
      release();
      coupons.failpoints.afterScript = undefined;
    }
    let s = await state(c.id, c.code);
    assert.equal(s.coupon.status, 'ACTIVE');
    assert.equal(s.stock, 1);
    assert.deepEqual(s.members, [b.id]);
    assert.equal((await issue(c.id, d)).status, 201);
    s = await state(c.id, c.code);
    assert.equal(s.coupon.status, 'EXHAUSTED');
    assert.equal(s.rows.length, 2);
  });

  test('the last unit waits for issuances still in their transaction (no deadlock)', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 2 });
    const [a, b] = await users(2);
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    coupons.failpoints.beforeCommit = async (userId) => {
      if (userId !== a.id) return;
      entered();
      await stalled;
    };
    try {
      const pending = issue(c.id, a);
      await inside;
      const last = issue(c.id, b);
      setTimeout(release, 200);
      const [ra, rb] = await Promise.all([pending, last]);
      assert.equal(ra.status, 201);
      assert.equal(rb.status, 201);
    } finally {
      release();
      coupons.failpoints.beforeCommit = undefined;
    }
    const s = await state(c.id, c.code);
    assert.equal(s.coupon.status, 'EXHAUSTED');
    assert.equal(s.rows.length, 2);
  });
});

describe('Redis keys lost', () => {
  test('keys deleted mid-sale: the sale goes on and still issues exactly the total', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 500 });
    const people = await users(1500);
    const requests = shuffle([...people, ...people.slice(0, 300)]);
    let commits = 0;
    coupons.failpoints.beforeCommit = async () => {
      commits++;
      // Inside a transaction (its row not yet committed) and with others in flight.
      if (commits === 100 || commits === 350) await keys.remove(c.id);
    };
    // And from outside, at moments the flood is in flight.
    const wipes = [20, 150, 400].map((ms) => setTimeout(() => void keys.remove(c.id), ms));
    let responses: TestResponse[];
    try {
      responses = await Promise.all(requests.map((u) => issue(c.id, u)));
    } finally {
      wipes.forEach(clearTimeout);
      coupons.failpoints.beforeCommit = undefined;
    }
    const counts = tally(responses);
    assert.equal(counts['201'], 500, JSON.stringify(counts));
    for (const key of Object.keys(counts)) assert.ok(['201', '409 S602', '409 S604'].includes(key), `unexpected answer ${key}`);

    // A timed wipe may have come after the last request: load the keys as the next request would.
    if (!(await keys.isLoaded(c.id))) await coupons.rebuild(c.id);
    const s = await state(c.id, c.code);
    assert.equal(s.rows.length, 500);
    assert.equal(s.duplicates, 0);
    assert.deepEqual(s.members, s.rows);
    assert.equal(s.stock, 0);
    assert.equal(s.coupon.issuedQuantity, 500);
    assert.equal(s.coupon.status, 'EXHAUSTED');
    assert.equal(s.events, 500);
  });

  test('keys wiped and the service restarted mid-sale: start-up rebuild, then the sale finishes exact', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 300 });
    const people = await users(900);
    const firstWave = await Promise.all(people.slice(0, 200).map((u) => issue(c.id, u)));
    assert.equal(firstWave.filter((r) => r.status === 201).length, 200);

    await keys.remove(c.id);
    // A new process: its own service instance, Redis loaded from MySQL at start-up.
    const restarted = new CouponService(t.db, t.redis);
    assert.ok((await restarted.rebuildRedis()) >= 1);
    const loaded = await keys.read(c.id);
    assert.equal(loaded?.available, 100);
    assert.equal(loaded?.issued.length, 200);

    const secondWave = await Promise.allSettled(people.map((u) => restarted.issue(u.id, c.id)));
    const ok = secondWave.filter((r) => r.status === 'fulfilled').length;
    assert.equal(ok, 100);
    for (const r of secondWave) {
      if (r.status === 'rejected') {
        assert.ok(isAppError(r.reason, 'COUPON_EXHAUSTED') || isAppError(r.reason, 'COUPON_ALREADY_ISSUED'), String(r.reason));
      }
    }
    const s = await state(c.id, c.code);
    assert.equal(s.rows.length, 300);
    assert.deepEqual(s.members, s.rows);
    assert.equal(s.stock, 0);
    assert.equal(s.coupon.status, 'EXHAUSTED');
  });

  test('a rebuild waits for an issuance between its INSERT and COMMIT, and counts it', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 3 });
    const [a] = await users(1);
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    coupons.failpoints.beforeCommit = async () => {
      entered();
      await stalled;
    };
    try {
      const pending = issue(c.id, a);
      await inside;
      await keys.remove(c.id);
      let rebuilt = false;
      const rebuild = coupons.rebuild(c.id).then(() => (rebuilt = true));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(rebuilt, false, 'the rebuild waits on the coupon row (the INSERT holds a shared lock on it)');
      release();
      assert.equal((await pending).status, 201);
      await rebuild;
    } finally {
      release();
      coupons.failpoints.beforeCommit = undefined;
    }
    const s = await state(c.id, c.code);
    assert.deepEqual(s.rows, [a.id]);
    assert.deepEqual(s.members, [a.id]);
    assert.equal(s.stock, 2);
  });

  test('an issuance between its script and its INSERT when the keys are rebuilt: MySQL refuses the unit twice handed out, no over-issue', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 1 });
    const [a, b] = await users(2);
    // a's script took the only unit; before its INSERT the keys are lost and rebuilt from
    // MySQL (no rows yet: 1 left), and b takes that unit. a must not get a second one.
    coupons.failpoints.afterScript = async (userId) => {
      if (userId !== a.id) return;
      coupons.failpoints.afterScript = undefined;
      await keys.remove(c.id);
      await coupons.rebuild(c.id);
      await coupons.issue(b.id, c.id);
    };
    try {
      await assert.rejects(coupons.issue(a.id, c.id), (err) => isAppError(err, 'COUPON_EXHAUSTED'));
    } finally {
      coupons.failpoints.afterScript = undefined;
    }
    const s = await state(c.id, c.code);
    assert.deepEqual(s.rows, [b.id]);
    assert.deepEqual(s.members, [b.id]);
    assert.equal(s.stock, 0);
    assert.equal(s.pending, 0);
  });

  test('a coupon deactivated between an issuance\'s script and its INSERT: S606, no row', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 5 });
    const [a] = await users(1);
    coupons.failpoints.afterScript = async () => {
      coupons.failpoints.afterScript = undefined;
      await coupons.deactivate(c.id);
    };
    try {
      await assert.rejects(coupons.issue(a.id, c.id), (err) => isAppError(err, 'COUPON_INACTIVE'));
    } finally {
      coupons.failpoints.afterScript = undefined;
    }
    const s = await state(c.id, c.code);
    assert.deepEqual(s.rows, []);
    assert.equal(s.stock, null, 'an INACTIVE coupon has no keys');
  });

  test('one user admitted twice (keys lost in between), one of them with the last unit: their transactions deadlock, one is run again, no 500', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 2 });
    const [a, other] = await users(2);
    // Each admission stops at its own gate, in order, between its script and its transaction.
    type Gate = { arrive: () => void; reached: Promise<void>; open: () => void; opened: Promise<void> };
    const gates: Gate[] = [];
    let arrived = 0;
    coupons.failpoints.afterScript = async () => {
      const gate = gates[arrived++];
      if (!gate) return; // a retry after the gates (a unit MySQL refused): straight on
      gate.arrive();
      await gate.opened;
    };
    const admit = (u: User) => {
      const gate = {} as Gate;
      gate.reached = new Promise((r) => (gate.arrive = r));
      gate.opened = new Promise((r) => (gate.open = r));
      gates.push(gate);
      return issue(c.id, u);
    };
    const deadlocks = async () => {
      const { rows } = await sql<{ Value: string }>`SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'`.execute(t.db);
      return Number(rows[0].Value);
    };
    // Statements of this test's database still running (waiting on a lock: nothing else here takes long).
    const waiting = async () => {
      const { rows } = await sql<{ info: string }>`SELECT info FROM information_schema.PROCESSLIST
        WHERE db = DATABASE() AND command = 'Query' AND id <> CONNECTION_ID()`.execute(t.db);
      return rows.map((r) => r.info.split(' ').slice(0, 3).join(' '));
    };
    const untilWaiting = async (statements: string[]) => {
      for (let i = 0; i < 400 && (await waiting()).length < statements.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual((await waiting()).sort(), statements);
    };
    let unlock!: () => void;
    try {
      const first = admit(other); // unit 1
      await gates[0].reached;
      const last = admit(a); // unit 2, the last: its transaction takes the coupon row first
      await gates[1].reached;
      await keys.remove(c.id);
      const again = admit(a); // a is no longer counted: unit 1 again, one left after it
      await gates[2].reached;

      // Something else holds the coupon row meanwhile (a rebuild, an expiry).
      const locked = new Promise<void>((r) => (unlock = r));
      let holding!: () => void;
      const isHolding = new Promise<void>((r) => (holding = r));
      const holder = t.db.transaction().execute(async (trx) => {
        await sql`SELECT id FROM coupons WHERE id = ${c.id} FOR UPDATE`.execute(trx);
        holding();
        await locked;
      });
      await isHolding;
      gates[1].open(); // the last unit's UPDATE of the coupon row waits
      await untilWaiting(['update `coupons` set']);
      gates[2].open(); // a's second INSERT writes its user key, then its foreign-key check waits
      await untilWaiting(['insert into `user_coupons`', 'update `coupons` set']);
      const before = await deadlocks();
      unlock(); // the UPDATE goes first and meets a's user key: a cycle InnoDB breaks
      await holder;
      const answers = [await last, await again].map((r) => (r.status === 201 ? '201' : `${r.status} ${codeOf(r)}`)).sort();
      assert.deepEqual(answers, ['201', '409 S604']);
      assert.ok((await deadlocks()) > before, 'InnoDB broke a deadlock');
      gates[0].open();
      assert.equal((await first).status, 201);
    } finally {
      unlock?.();
      gates.forEach((g) => g.open());
      coupons.failpoints.afterScript = undefined;
    }
    // The first admission's entry went with the lost keys, so Redis counts its row from the next load on.
    await coupons.rebuild(c.id);
    const s = await state(c.id, c.code);
    assert.deepEqual(s.rows, [a.id, other.id].sort());
    assert.deepEqual(s.members, s.rows);
    assert.equal(s.stock, 0);
    assert.equal(s.coupon.status, 'EXHAUSTED');
  });

  test('keys lost between the script and the INSERT: the row stands, and the next load counts it', async () => {
    const c = await createCoupon(coupons, { totalQuantity: 1 });
    const [a, b] = await users(2);
    coupons.failpoints.afterScript = async () => {
      coupons.failpoints.afterScript = undefined;
      await keys.remove(c.id);
    };
    try {
      const res = await coupons.issue(a.id, c.id);
      assert.equal(res.couponId, c.id);
    } finally {
      coupons.failpoints.afterScript = undefined;
    }
    // The next request loads the keys from MySQL: nothing left, a counted.
    await assert.rejects(coupons.issue(b.id, c.id), (err) => isAppError(err, 'COUPON_EXHAUSTED'));
    const s = await state(c.id, c.code);
    assert.deepEqual(s.rows, [a.id]);
    assert.deepEqual(s.members, [a.id]);
    assert.equal(s.stock, 0);
    assert.equal(s.coupon.status, 'EXHAUSTED');
  });
});
